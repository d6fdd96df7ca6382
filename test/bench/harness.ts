import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { BatchingProducer } from '@switchboard/kafka';
import { TYPESCRIPT_ENTRY_ARGS } from '@switchboard/testkit';
import { PermanentError } from '@switchboard/runtime';

export const repoRoot = join(import.meta.dirname, '../..');

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export class BenchTimeoutError extends PermanentError {
  override readonly name = 'BenchTimeoutError';
}

/** Polls `check` every `intervalMs` until it holds; the timeout says what was awaited and the last value seen. */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, intervalMs = 50, progress?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new BenchTimeoutError(`${what}: not reached within ${Math.round(timeoutMs / 1000)} s${progress ? ` (${progress()})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Sum of the high watermarks of a topic's partitions: records produced to it so far. */
export async function topicEnd(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until `expected` records have been produced to `topic`, polling its end every 50 ms over one
 * admin connection (a connection per poll would add its own CPU to what the phase measures).
 */
export async function waitForTopicEnd(kafka: Kafka, topic: string, expected: number, what: string, timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let end = 0;
  try {
    await waitUntil(
      async () => {
        end = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
        return end >= expected;
      },
      what,
      timeoutMs,
      50,
      () => `${end}/${expected}`,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Produces pre-serialized records in chunks, all chunks in flight at once so the producer coalesces them. */
export async function produceAll(producer: BatchingProducer, topic: string, records: { key: string; value: string }[], chunk = 1_000): Promise<number> {
  const started = nowMs();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < records.length; i += chunk) sends.push(producer.send(topic, records.slice(i, i + chunk)));
  await Promise.all(sends);
  return records.length / ((nowMs() - started) / 1000);
}


export interface LayoutCeiling {
  msgsPerSec: number;
  /** To the one-hop pass-through. */
  ratio: number;
  machineMicrosPerMessage: { twoHops: number; classify: number; copyRow: number; total: number };
}

/**
 * The most a pipeline of two Kafka hops that classifies every message and writes its row could do on
 * `cores` cores kept busy all the time, from what each of those costs (machine CPU microseconds per
 * message, measured): cores ÷ their sum.
 */
export function layoutCeiling(cores: number, passthroughMsgsPerSec: number, costs: { twoHops: number; classify: number; copyRow: number }): LayoutCeiling {
  const total = costs.twoHops + costs.classify + costs.copyRow;
  const msgsPerSec = (cores * 1e6) / total;
  return {
    msgsPerSec: Math.round(msgsPerSec),
    ratio: Math.round((msgsPerSec / passthroughMsgsPerSec) * 1000) / 1000,
    machineMicrosPerMessage: { twoHops: round1(costs.twoHops), classify: round1(costs.classify), copyRow: round1(costs.copyRow), total: round1(total) },
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** The kernel's clock ticks per second for /proc CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a live process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds the whole machine has been busy so far, on all cores: every process, the Kafka broker and
 * PostgreSQL included. Time of niced processes is left out: it is background work that yields to the
 * pipeline, not part of it.
 */
export function machineBusySeconds(): number {
  const [, user, , system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return (user! + system! + irq! + softirq! + steal!) / CLOCK_TICKS_PER_SECOND;
}

/** Peak resident set (VmHWM) of a live process, in MiB. */
export function peakRssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** Another entry point than test/bench/stage.ts, e.g. a connector's main.ts: ready when its output matches `ready`. */
export interface StageLaunch {
  entry: string;
  ready: RegExp;
}

/**
 * A pipeline stage (test/bench/stage.ts, or the entry point of `launch`) in its own Node process, as
 * in production. Its output goes to a log file; `ready` resolves when the stage says it is consuming
 * (IPC) or prints what `launch.ready` matches, and rejects if it exits first.
 */
export class StageProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<number>;
  /** Times kafkajs reported a consumer crash (a member expelled from its group, ...) in this stage. */
  crashes = 0;
  /** Times the group coordinator expelled a member of this stage whose session timed out. */
  sessionExpiries = 0;
  private readonly exited: Promise<void>;

  constructor(
    readonly stage: string,
    env: NodeJS.ProcessEnv,
    readonly logPath: string,
    nodeFlags: string[] = [],
    launch?: StageLaunch,
  ) {
    const logFile = createWriteStream(logPath, { flags: 'a' });
    const entry = launch ? [launch.entry] : [join(repoRoot, 'test/bench/stage.ts'), stage];
    this.child = spawn(process.execPath, [...nodeFlags, ...TYPESCRIPT_ENTRY_ARGS, ...entry], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout!.pipe(logFile, { end: false });
    this.child.stderr!.pipe(logFile, { end: false });
    const watch = (chunk: Buffer) => {
      const text = chunk.toString();
      this.crashes += text.split('"msg":"Crash:').length - 1;
      this.sessionExpiries += text.split('The coordinator is not aware of this member').length - 1;
    };
    this.child.stdout!.on('data', watch);
    this.child.stderr!.on('data', watch);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (message: { ready?: boolean }) => {
        if (message.ready) resolve(nowMs());
      });
      if (launch) {
        let output = '';
        const onOutput = (chunk: Buffer) => {
          output = (output + chunk.toString()).slice(-4_096);
          if (launch.ready.test(output)) resolve(nowMs());
        };
        this.child.stdout!.on('data', onOutput);
        this.child.stderr!.on('data', onOutput);
      }
      this.child.once('exit', (code, signal) => reject(new Error(`${stage} exited before it was ready (code ${code}, signal ${signal}); see ${logPath}`)));
    });
    // A rejection nobody awaits yet must not crash the harness; `ready` is awaited by the caller.
    this.ready.catch(() => undefined);
    this.exited.then(() => logFile.end());
  }

  get pid(): number {
    return this.child.pid!;
  }

  peakRssMb(): number {
    return peakRssMbOf(this.pid);
  }

  cpuSeconds(): number {
    return cpuSecondsOf(this.pid);
  }

  /** SIGTERM (a graceful stop, which also writes a --cpu-prof profile); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
