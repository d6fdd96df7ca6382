import type { Logger } from './logger.ts';

/**
 * Stops this process as a SIGTERM would when the package-manager script that started it goes away.
 * `pnpm start` runs its command under `sh -c`; a SIGTERM to pnpm ends pnpm and that shell but never
 * reaches this process (pnpm issues 2653 and 7374), which would go on running, holding its port, with
 * nobody left to stop it. Outside a package-manager script (`npm_lifecycle_event` unset: a process
 * manager, `nohup`, a container) the parent is not watched. Returns a function that stops watching.
 */
export function stopWhenScriptRunnerExits(logger: Logger, intervalMs = 250): () => void {
  if (!process.env.npm_lifecycle_event) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    // A process whose parent exited is adopted by init or a subreaper: its parent PID changes.
    if (process.ppid === parent) return;
    clearInterval(timer);
    logger.info('the script that started this process exited: stopping', { script: process.env.npm_lifecycle_event });
    process.kill(process.pid, 'SIGTERM');
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
