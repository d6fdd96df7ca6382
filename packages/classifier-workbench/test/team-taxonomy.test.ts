import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAXONOMY_PATH, LiveClassifier, readManifest, type TaxonomyFile } from '@switchboard/classifier';
import { RoutedMessage } from '@switchboard/schema';
import { routedMessage } from '@switchboard/testkit';

const run = promisify(execFile);
const PACKAGE_DIR = join(import.meta.dirname, '..');
const LOYALTY = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/loyalty-points.json'), 'utf8')) as {
  category: string;
  label: { en: string; zh: string };
  description: string;
  examples: string[];
  heldOut: string[];
};

/** The commands a team runs, as they run them: no code. */
async function command(script: string, args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx/esm', join(PACKAGE_DIR, 'scripts', script), ...args], { cwd: PACKAGE_DIR, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: `${failed.stdout}\n${failed.stderr}` };
  }
}

describe("the team's taxonomy", () => {
  it('adds a category with 20 example lines and retrains, without code: trained, evaluated, promoted, and rolled back in one command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'team-taxonomy-'));
    const registry = join(dir, 'models');
    const file = JSON.parse(readFileSync(DEFAULT_TAXONOMY_PATH, 'utf8')) as TaxonomyFile;
    file.categories[LOYALTY.category] = { label: LOYALTY.label, description: LOYALTY.description, examples: LOYALTY.examples };
    writeFileSync(join(dir, 'taxonomy.json'), JSON.stringify(file, null, 2));
    expect(LOYALTY.examples).toHaveLength(20);

    const trained = await command('train.ts', ['--registry', '--registry-dir', registry, '--taxonomy', join(dir, 'taxonomy.json'), '--by', 'admin.zhao']);
    expect(trained.code, trained.stdout).toBe(0);
    const manifest = readManifest(registry);
    const [version] = manifest.promoted;
    expect(manifest.models[version!]?.sources.map((source) => source.file)).toContain('taxonomy examples');

    const live = new LiveClassifier({ registryDir: registry });
    expect(live.version).toBe(version);
    const right = LOYALTY.heldOut.filter((text) => live.classify(text).category === LOYALTY.category).length;
    console.log(`${LOYALTY.category}: ${right} of ${LOYALTY.heldOut.length} lines not among the examples`);
    expect(right / LOYALTY.heldOut.length).toBeGreaterThanOrEqual(0.7);
    const decision = live.classify(LOYALTY.heldOut[0]!);
    expect(Object.keys(decision.scores)).toContain(LOYALTY.category);
    expect(RoutedMessage.safeParse(routedMessage({ category: decision.category })).success).toBe(true);

    const rolledBack = await command('model.ts', ['rollback', '--registry', registry, '--reason', 'test']);
    expect(rolledBack.code, rolledBack.stdout).toBe(0);
    expect(rolledBack.stdout).toMatch(/rolled back from .* to the committed model/);
    expect(live.refresh()).toBe(true);
    expect(live.classify(LOYALTY.heldOut[0]!).scores).not.toHaveProperty(LOYALTY.category);
  }, 600_000);

  it('refuses a taxonomy whose example is a line of an evaluation set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'team-taxonomy-'));
    const file = JSON.parse(readFileSync(DEFAULT_TAXONOMY_PATH, 'utf8')) as TaxonomyFile;
    const evaluated = (JSON.parse(readFileSync(join(PACKAGE_DIR, 'data/eval/zh.jsonl'), 'utf8').split('\n')[0]!) as { text: string }).text;
    file.categories.refund!.examples = [evaluated];
    writeFileSync(join(dir, 'taxonomy.json'), JSON.stringify(file));
    const refused = await command('train.ts', ['--registry', '--registry-dir', join(dir, 'models'), '--taxonomy', join(dir, 'taxonomy.json')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('refusing to train on evaluation data');
  }, 120_000);
});
