/**
 * Reads a V8 .cpuprofile (`node --cpu-prof`) and ranks where the time went: by function (self time)
 * and by module (zod, kafkajs, pg, the classifier, ...). `tsx test/bench/profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Share of samples in which the thread was idle (waiting on I/O). */
  idleShare: number;
  functions: HotSpot[];
  modules: HotSpot[];
}

/** Where a script lives, short: `kafkajs/src/protocol/...`, `packages/classifier/src/features.ts`, `node:internal`. */
function moduleOf(url: string): string {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return 'node:internal';
  const path = url.replace(/^file:\/\//, '');
  const inModules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return inModules[1]!;
  const inRepo = /\/((?:packages|services|test)\/[^/]+)\//.exec(path);
  return inRepo ? inRepo[1]! : path;
}

function shortFile(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inModules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)$/.exec(path);
  if (inModules) return inModules[1]!;
  const inRepo = /\/((?:packages|services|test)\/.*)$/.exec(path);
  return inRepo ? inRepo[1]! : path;
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByNode = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfByNode) {
    const frame = byId.get(id)!.callFrame;
    total += micros;
    if (frame.functionName === '(idle)') idle += micros;
    const name = frame.url ? `${frame.functionName || '(anonymous)'} ${shortFile(frame.url)}:${frame.lineNumber + 1}` : frame.functionName || '(anonymous)';
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const module = frame.functionName === '(idle)' || frame.functionName === '(program)' || frame.functionName === '(garbage collector)' ? frame.functionName : moduleOf(frame.url);
    modules.set(module, (modules.get(module) ?? 0) + micros);
  }
  const rank = (m: Map<string, number>): HotSpot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, selfMs: Math.round(micros / 1000), share: total > 0 ? micros / total : 0 }));
  return { totalMs: Math.round(total / 1000), idleShare: total > 0 ? idle / total : 0, functions: rank(functions), modules: rank(modules) };
}

export function formatProfile(title: string, summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${title}: ${(summary.totalMs / 1000).toFixed(1)} s sampled, ${pct(summary.idleShare).trim()} idle`, '  self time by module:'];
  for (const m of summary.modules) lines.push(`    ${pct(m.share)}  ${m.name}`);
  lines.push('  self time by function:');
  for (const f of summary.functions) lines.push(`    ${pct(f.share)}  ${f.name}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx test/bench/profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(formatProfile(file, summarizeProfile(file, Number(top ?? 15))) + '\n');
}
