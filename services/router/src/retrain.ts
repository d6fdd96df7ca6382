import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@switchboard/runtime';

/** What `pnpm train` exits with (scripts/train.ts of the workbench). */
export const TRAIN_EXIT = { promotedOrUnchanged: 0, notPromoted: 3, registryBusy: 4 } as const;

/**
 * The workbench's training script, run as a child process: the router loads none of the training
 * code, and training (about a minute of one core) never stalls the router's consumer.
 */
export function trainScriptPath(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@switchboard/classifier-workbench'))), '../scripts/train.ts');
}

export interface RetrainScheduleOptions {
  everyMs: number;
  logger: Logger;
  /** The command and its arguments; default: this Node with tsx, the workbench's train script, --with-corrections. */
  command?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface RetrainSchedule {
  /** Starts one run now unless one is running; resolves with its exit code. */
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Retrains on agents' corrections every `everyMs` (the first run one interval after start, so a
 * restart does not retrain). A run is promoted only if it passes the shadow evaluation, and the
 * router's live classifier picks the promotion up; data already trained on exactly is skipped, and
 * the registry's lock lets one replica's run through at a time.
 */
export function scheduleRetrain(options: RetrainScheduleOptions): RetrainSchedule {
  const [program, ...args] = options.command ?? [process.execPath, '--import', 'tsx/esm', trainScriptPath(), '--with-corrections'];
  let running: { child: ChildProcess; done: Promise<number> } | undefined;

  const runNow = (): Promise<number> => {
    if (running) return running.done;
    const started = Date.now();
    const child = spawn(program!, args, { env: { ...process.env, ...options.env, INIT_CWD: process.cwd() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000)));
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000)));
    const done = new Promise<number>((resolve) => {
      child.once('error', (error) => {
        options.logger.error('scheduled retrain could not start', { error });
        resolve(-1);
      });
      child.once('exit', (code, signal) => {
        const exit = code ?? -1;
        const lines = output.trim().split('\n');
        const context = { exit, signal, seconds: Math.round((Date.now() - started) / 1000), last: lines.slice(-8).join('\n') };
        if (exit === TRAIN_EXIT.promotedOrUnchanged) options.logger.info('scheduled retrain done', context);
        else if (exit === TRAIN_EXIT.notPromoted) options.logger.warn('scheduled retrain: the candidate was not promoted', context);
        else if (exit === TRAIN_EXIT.registryBusy) options.logger.info('scheduled retrain skipped: another run holds the registry', context);
        else options.logger.error('scheduled retrain failed', context);
        running = undefined;
        resolve(exit);
      });
    });
    running = { child, done };
    return done;
  };

  const timer = setInterval(() => void runNow(), options.everyMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      if (!running) return;
      running.child.kill('SIGTERM');
      await running.done;
    },
  };
}
