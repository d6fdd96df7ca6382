/**
 * The one retry policy of the project: exponential backoff with full jitter, capped. Every retry
 * loop (Kafka handlers, SMTP sends, IMAP reconnects, API polling) goes through here.
 */
export interface BackoffOptions {
  /** First delay in ms. */
  initialMs?: number;
  /** Largest delay in ms. */
  maxMs?: number;
  /** Attempts in all, the first included. Infinity retries until the signal aborts. */
  attempts?: number;
  /** Decides whether an error is worth retrying; others are thrown at once. */
  retryable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

export const DEFAULT_BACKOFF = { initialMs: 200, maxMs: 30_000, attempts: 5 } as const;

export function backoffDelay(attempt: number, initialMs: number = DEFAULT_BACKOFF.initialMs, maxMs: number = DEFAULT_BACKOFF.maxMs): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export class AbortedError extends Error {
  override readonly name = 'AbortedError';
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

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_BACKOFF.attempts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= attempts || options.signal?.aborted || (options.retryable && !options.retryable(error))) throw error;
      const delay = backoffDelay(attempt, options.initialMs, options.maxMs);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
