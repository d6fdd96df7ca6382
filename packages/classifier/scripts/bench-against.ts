/**
 * pnpm --filter @switchboard/classifier bench --against <git revision> [--rounds 10] [--seconds 1]:
 * this code and the classifier of another revision in one process, in alternating slices, so both
 * see the same machine at the same moments; prints each round's figures, then the median ratio.
 * Also the live classifier (what the router uses: the registry's current model behind one more
 * call), over an empty registry. The last line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchClassifier } from '../src/bench.ts';
import { loadClassifier, type Classifier } from '../src/classifier.ts';
import { LiveClassifier } from '../src/registry.ts';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Extracts the revision's runtime (src, model, taxonomy) inside this package, so its imports resolve as they did. */
function checkout(revision: string): string {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: PACKAGE_DIR }).toString().trim();
  const dir = join(PACKAGE_DIR, `.bench-against-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', revision, 'packages/classifier/src', 'packages/classifier/model', 'packages/classifier/taxonomy.json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '--strip-components=2', '-C', dir], { input: archive });
  return dir;
}

export async function benchAgainst(revision: string, rounds: number, seconds: number): Promise<void> {
  const dir = checkout(revision);
  const registryDir = mkdtempSync(join(tmpdir(), 'bench-registry-'));
  try {
    const other = (await import(pathToFileURL(join(dir, 'src/classifier.ts')).href)) as { loadClassifier(): Classifier };
    const contenders: Array<[string, Classifier]> = [
      [revision, other.loadClassifier()],
      ['this code', loadClassifier()],
      ['this code, live', new LiveClassifier({ registryDir })],
    ];
    const ratios: Record<string, number[]> = { 'this code': [], 'this code, live': [] };
    for (let round = 1; round <= rounds; round++) {
      const figures = contenders.map(([name, classifier]) => [name, benchClassifier({ seconds, classifier }).perSec] as const);
      const base = figures[0]![1];
      for (const [name, perSec] of figures.slice(1)) ratios[name]!.push(perSec / base);
      console.log(`round ${round}: ${figures.map(([name, perSec]) => `${name} ${perSec}`).join(', ')} per CPU-second`);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const summary = Object.fromEntries(Object.entries(ratios).map(([name, values]) => [name, Number(median(values).toFixed(3))]));
    console.log(`median ratio to ${revision}: ${Object.entries(summary).map(([name, ratio]) => `${name} ${ratio}×`).join(', ')}`);
    console.log(JSON.stringify({ against: revision, rounds, seconds, medianRatio: summary }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(registryDir, { recursive: true, force: true });
  }
}
