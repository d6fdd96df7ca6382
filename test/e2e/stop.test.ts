/**
 * `pnpm start` and its local broker, for real: the broker of infra/kafka on free ports with a data
 * directory of this test (so the shared broker of KAFKA_BROKERS is never touched), `pnpm start` as a
 * user runs it, once on a terminal (a pseudo-terminal from util-linux `script`, where Ctrl-C is the
 * terminal's SIGINT to its whole foreground process group) and once signalled by a process manager.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@switchboard/testkit';

const repo = join(import.meta.dirname, '../..');
const kafkaScript = join(repo, 'infra/kafka/kafka.sh');
const STOP_LIMIT_MS = 10_000;

let work: string;
let brokerEnv: NodeJS.ProcessEnv;
const started: ChildProcess[] = [];

/** The environment of a user who set nothing: no KAFKA_BROKERS, so `pnpm start` starts the local broker. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...brokerEnv, PORT: '0', SWITCHBOARD_DATA_DIR: join(work, 'data'), LOG_LEVEL: 'info' };
  delete env.KAFKA_BROKERS;
  delete env.DATABASE_URL;
  delete env.SWITCHBOARD_TOPIC_PREFIX;
  return env;
}

interface ProcInfo {
  state: string;
  ppid: number;
  session: number;
}

function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which is in parentheses and may hold spaces: state, ppid, pgrp, session.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), session: Number(fields[3]) };
  } catch {
    return undefined;
  }
}

function livePids(match: (info: ProcInfo) => boolean): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const info = procInfo(pid);
      return info !== undefined && info.state !== 'Z' && match(info);
    });
}

/** Milliseconds until no live process is left in `session` (pnpm, its shell, node, esbuild: everything `pnpm start` ran). */
async function timeUntilSessionEmpty(session: number, since: number, limitMs = 30_000): Promise<number> {
  while (livePids((p) => p.session === session).length > 0) {
    if (Date.now() - since > limitMs) throw new Error(`session ${session} still has ${livePids((p) => p.session === session).join(', ')} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - since;
}

function collect(child: ChildProcess): { text: () => string; waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpExecArray> } {
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    text: () => text,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (!match) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${pattern} not seen within ${timeoutMs} ms; output tail: ${text.slice(-3_000)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}

/** Terminal output without its colours. */
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

const BANNER_KAFKA = /Kafka\s+127\.0\.0\.1:(\d+) \(local broker, pid (\d+), in its own session/;

function brokerStatus(): string {
  return spawnSync('bash', [kafkaScript, 'status'], { env: { ...process.env, ...brokerEnv }, encoding: 'utf8' }).stdout.trim();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'switchboard-stop-'));
  brokerEnv = { KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: join(work, 'kafka') };
});

afterAll(() => {
  for (const child of started) {
    const info = child.pid === undefined ? undefined : procInfo(child.pid);
    if (info && info.state !== 'Z') child.kill('SIGKILL');
  }
  spawnSync('bash', [kafkaScript, 'stop'], { env: { ...process.env, ...brokerEnv }, stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});

describe('pnpm start and the local broker', () => {
  it('runs the broker in its own session, says so, and on Ctrl-C in a terminal stops within 10 s leaving the broker running', async () => {
    const terminal = spawn('script', ['-qfec', 'pnpm start', '/dev/null'], { cwd: repo, env: userEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    started.push(terminal);
    const output = collect(terminal);
    const [, port, pid] = await output.waitFor(BANNER_KAFKA, 150_000);
    await output.waitFor(/API token/, 30_000);
    expect(port).toBe(brokerEnv.KAFKA_PORT);
    const brokerPid = Number(pid);
    const shell = livePids((p) => p.ppid === terminal.pid)[0]!;
    const terminalSession = procInfo(shell)!.session;
    // The broker leads a session of its own, not the terminal's.
    expect(procInfo(brokerPid)!.session).toBe(brokerPid);
    expect(terminalSession).not.toBe(brokerPid);

    // On a terminal the logs are readable lines, and a fresh broker's start-up noise is not an error.
    const startUp = plain(output.text());
    expect(startUp).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  switchboard KAFKA_BROKERS is not set/m);
    expect(startUp).not.toContain('{"t":');
    expect(startUp).not.toMatch(/ (ERROR|WARN) /);

    const pressed = Date.now();
    terminal.stdin!.write('\x03');
    const stoppedMs = await timeUntilSessionEmpty(terminalSession, pressed);
    expect(stoppedMs).toBeLessThan(STOP_LIMIT_MS);
    expect(plain(output.text())).toMatch(/INFO  switchboard stopping  signal=SIGINT/);
    expect(procInfo(brokerPid)?.state).not.toBe('Z');
    expect(brokerStatus()).toBe(`running pid ${brokerPid} on 127.0.0.1:${port}`);
  }, 240_000);

  it('stops within 10 s on a SIGTERM to pnpm while the broker is going away', async () => {
    // Its own session, as a process manager would run it; the session holds everything pnpm starts.
    const app = spawn('pnpm', ['start'], { cwd: repo, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    started.push(app);
    const output = collect(app);
    const [, , pid] = await output.waitFor(BANNER_KAFKA, 120_000);
    await output.waitFor(/API token/, 30_000);

    const brokerStop = spawn('bash', [kafkaScript, 'stop'], { env: { ...process.env, ...brokerEnv }, stdio: 'ignore' });
    const brokerStopped = new Promise((resolve) => brokerStop.once('exit', resolve));
    // The broker is in its controlled shutdown: leaders moving, connections closing.
    await new Promise((r) => setTimeout(r, 1_000));
    const signalled = Date.now();
    app.kill('SIGTERM');
    const stoppedMs = await timeUntilSessionEmpty(app.pid!, signalled);
    expect(stoppedMs).toBeLessThan(STOP_LIMIT_MS);
    // Stopped by its own shutdown (the store closed), not by the forced exit after the grace period.
    expect(output.text()).toContain('"msg":"stopping","signal":"SIGTERM"');
    expect(output.text()).not.toContain('shutdown took too long');
    await brokerStopped;
    expect(procInfo(Number(pid))).toBeUndefined();
  }, 240_000);
});
