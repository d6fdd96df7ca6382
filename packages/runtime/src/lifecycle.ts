import type { Logger } from './logger.ts';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits. A second signal exits at once, for the
 * operator who really means it.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger, graceMs = 10_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping', { signal });
    const forced = setTimeout(() => {
      logger.error('shutdown took too long: exiting', { graceMs });
      process.exit(1);
    }, graceMs);
    forced.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('error while stopping', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
