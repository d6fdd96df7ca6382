import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { TYPESCRIPT_ENTRY_ARGS } from '@switchboard/testkit';

const repo = join(import.meta.dirname, '../..');

/**
 * A pipeline service running as its own OS process (`node --import tsx/esm <entry>`), as in production,
 * so a fault can be a real `kill -9`. Its stdout and stderr go to one log file per service.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly logPath: string,
  ) {
    this.log = createWriteStream(logPath, { flags: 'a' });
  }

  start(): void {
    this.starts++;
    this.log.write(`\n=== start #${this.starts} of ${this.name} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, join(repo, this.entry)], {
      cwd: repo,
      env: { ...process.env, ...this.env, LOG_LEVEL: this.env.LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.child = child;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Sends `signal` and resolves with how long the process took to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return 0;
    const started = Date.now();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    return Date.now() - started;
  }

  kill9(): Promise<number> {
    return this.stop('SIGKILL');
  }

  async close(): Promise<void> {
    await this.stop('SIGTERM');
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}
