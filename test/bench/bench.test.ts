import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChart } from './chart.ts';
import { generateMessages } from './messages.ts';
import { layoutCeiling, percentile } from './harness.ts';
import { TYPESCRIPT_ENTRY_ARGS } from '@switchboard/testkit';

const repo = join(import.meta.dirname, '../..');

/** Every figure the last line of `pnpm bench` promises, as paths into the JSON object. */
const REQUIRED_NUMBERS = [
  'e2eMsgsPerSec',
  'kafkaPassthroughMsgsPerSec',
  'e2eRatio',
  'twoHopMsgsPerSec',
  'twoHopRatio',
  'e2eCeiling.msgsPerSec',
  'e2eCeiling.ratio',
  'e2eCeiling.machineMicrosPerMessage.twoHops',
  'e2eCeiling.machineMicrosPerMessage.classify',
  'e2eCeiling.machineMicrosPerMessage.copyRow',
  'e2eToCeiling',
  'sinkMsgsPerSec',
  'pgInsertRowsPerSec',
  'pgInsertRowsPerSecByMethod.values',
  'pgInsertRowsPerSecByMethod.copy',
  'sinkRatio',
  'minimalSink.msgsPerSec',
  'minimalSink.ratio',
  'minimalSink.machineMicrosPerMessage',
  'latencyMs.p50',
  'latencyMs.p95',
  'latencyMs.p99',
  'latencyMs.max',
  'emailToTicketMs.p50',
  'emailToTicketMs.p99',
  'email.untilReadMs.p99',
  'email.untilRoutedMs.p99',
  'restartPauseMs.router',
  'restartPauseMs.sink',
  'restart.router.stopMs',
  'restart.router.startMs',
  'restart.sink.longestGapMs',
  'classifierPerSec',
  'classifierBesideKafkajsPerSec',
  'peakRssMb',
  'params.messages',
  'params.rate',
  'params.seconds',
  'machine.nproc',
  'machine.totalMemoryMb',
  'cpuMicrosPerMessage.passthrough.passthrough',
  'cpuMicrosPerMessage.passthrough.machine',
  'cpuMicrosPerMessage.twoHops.first',
  'cpuMicrosPerMessage.twoHops.second',
  'cpuMicrosPerMessage.twoHops.machine',
  'cpuMicrosPerMessage.router.router',
  'cpuMicrosPerMessage.sink.sink',
  'cpuMicrosPerMessage.e2e.router',
  'cpuMicrosPerMessage.e2e.sink',
  'cpuMicrosPerMessage.e2e.machine',
];

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, join(repo, 'test/bench/run.ts'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pnpm bench (smoke: the harness runs, not how fast)', () => {
  it('completes a tiny run on the real Kafka and PostgreSQL and ends with one JSON line of finite figures', async () => {
    const { code, stdout, stderr } = await runBench(['--messages', '300', '--seconds', '2', '--rate', '100', '--classifier-seconds', '0.3', '--email-mails', '10', '--email-rate', '10']);
    expect(code, stderr.slice(-3_000)).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.slice(0, -1).join('\n')).toContain('end to end, msgs/s');
    expect(lines.slice(0, -1).join('\n')).toContain('two hops, no work, msgs/s');
    expect(lines.slice(0, -1).join('\n')).toContain('email arrival → ticket, ms');
    expect(lines.slice(0, -1).join('\n')).toContain('restart pause, sink, ms');
    const result = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    for (const path of REQUIRED_NUMBERS) {
      const value = path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], result);
      expect(typeof value, path).toBe('number');
      expect(Number.isFinite(value as number), `${path} = ${String(value)}`).toBe(true);
    }
    expect(result.params).toMatchObject({ messages: 300, rate: 100, seconds: 2, emailMails: 10, emailRate: 10 });
    expect(result.latencySamples).toBe(200);
    expect(result.latencyMissing).toBe(0);
    expect(result.email).toMatchObject({ samples: 10, missing: 0 });
    expect(result.deadLettered).toBe(0);
    expect(typeof result.date).toBe('string');
    expect(result.machine).toMatchObject({ node: process.version });
    // The chart renders from exactly this JSON.
    expect(renderChart(result as unknown as Parameters<typeof renderChart>[0])).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  }, 300_000);

  it('generates the same valid messages for the same seed, in the promised mix', () => {
    const options = { count: 3_000, runTag: 'smoke', startAt: new Date('2026-11-24T00:00:00Z') };
    const first = generateMessages(options);
    expect(generateMessages(options)).toEqual(first);
    expect(new Set(first.map((m) => m.id)).size).toBe(3_000);
    const channels = new Set(first.map((m) => m.channel));
    expect([...channels].sort()).toEqual(['api', 'email', 'slack', 'twitter', 'webchat', 'wechat']);
    expect(first.some((m) => /[\u4e00-\u9fff]/.test(m.text))).toBe(true);
    expect(first.some((m) => /^[\x20-\x7e]+$/.test(m.text))).toBe(true);
    const lengths = first.map((m) => m.text.length).sort((a, b) => a - b);
    expect(lengths[lengths.length - 1]! / lengths[0]!).toBeGreaterThan(10);
    expect(generateMessages({ ...options, seed: 7 })[0]!.text).not.toBe(undefined);
  });

  it('bounds the layout by the cores over the summed cost of its parts', () => {
    // 2 cores ÷ (40 + 10 + 30 µs) = 25,000 msg/s, half of a 50,000 msg/s pass-through.
    expect(layoutCeiling(2, 50_000, { twoHops: 40, classify: 10, copyRow: 30 })).toEqual({
      msgsPerSec: 25_000,
      ratio: 0.5,
      machineMicrosPerMessage: { twoHops: 40, classify: 10, copyRow: 30, total: 80 },
    });
    expect(layoutCeiling(2, 60_000, { twoHops: 49, classify: 13.04, copyRow: 20.4 }).ratio).toBe(0.404);
  });

  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
  });
});
