import { createLogger } from '@switchboard/runtime';

/**
 * How long a process that is shutting down still waits for Kafka. kafkajs retries a broker that does
 * not answer for up to a minute (its retry policy, with backoff), and a consumer's disconnect waits for
 * those retries to notice the stop; a process told to stop must not wait that long. Once a deadline is
 * set, `RunningConsumer.stop()` and `BatchingProducer.disconnect()` wait for kafkajs until then and no
 * longer. What is abandoned is safe: a batch whose offsets were not committed is delivered again to
 * the group's next member (at-least-once), and a send that was not acknowledged was never reported
 * as delivered to its caller.
 */
let deadline: number | undefined;
const log = createLogger('kafka.shutdown');

/** From now on, stops of consumers and producers wait for Kafka at most `withinMs`. */
export function setKafkaStopDeadline(withinMs: number): void {
  deadline = Date.now() + withinMs;
}

/** Undoes `setKafkaStopDeadline` (tests). */
export function clearKafkaStopDeadline(): void {
  deadline = undefined;
}

/**
 * Waits for `work` as it is (its failure is thrown), or, once a stop deadline is set, at most until
 * the deadline: false when the work was abandoned then (it goes on in the background; a failure it
 * has later is only logged at debug).
 */
export async function untilStopDeadline(work: Promise<unknown>, what: string): Promise<boolean> {
  if (deadline === undefined) return work.then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline! - Date.now()))));
  try {
    const finished = await Promise.race([work.then(() => true as const), expired]);
    if (!finished) {
      work.catch((error: unknown) => log.debug('abandoned stop failed', { what, error }));
      log.warn('Kafka did not answer in time while stopping: not waiting any longer', { what });
    }
    return finished;
  } finally {
    clearTimeout(timer);
  }
}
