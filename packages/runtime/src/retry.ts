import { isPermanent } from './errors.ts';
import type { RetryBudget } from './retry-budgets.ts';

/**
 * The one retry policy of the project: exponential backoff with jitter, capped, within a budget named
 * in `RETRY_BUDGETS`. Every retry loop (Kafka handlers, channel sends, IMAP reconnects, API polling)
 * goes through here.
 */
export interface RetryOptions {
  /** Narrows what is retried further; an error flagged permanent is never retried, whatever this says. */
  retryable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export class AbortedError extends Error {
  override readonly name = 'AbortedError';
  /** Stopping is not a failure to try again. */
  readonly retriable = false;
  constructor() {
    super('operation aborted');
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether `withRetry` tries again after this error: never for a permanent one. */
export function shouldRetry(error: unknown, options: Pick<RetryOptions, 'retryable'> = {}): boolean {
  return !isPermanent(error) && (options.retryable?.(error) ?? true);
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, budget: RetryBudget, options: RetryOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= budget.attempts || options.signal?.aborted || !shouldRetry(error, options)) throw error;
      const delay = backoffDelay(attempt, budget.initialMs, budget.maxMs);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
