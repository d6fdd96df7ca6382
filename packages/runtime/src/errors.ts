/**
 * The one vocabulary for failure (kafkajs' idea: every KafkaJSError carries `retriable`). An error
 * says whether doing the same thing again may succeed: `withRetry`, the consumer runner and the
 * connector host read the flag, so an error that can never succeed is never retried.
 *
 * Pure (no Node imports): the schema package and browser bundles import it as `@switchboard/runtime/errors`.
 */
export class SwitchboardError extends Error {
  override readonly name: string = 'SwitchboardError';
  readonly retriable: boolean;
  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable;
  }
}

/** Something we depend on failed (a database down, a broker unavailable, a peer answering 503): try again. */
export class TransientError extends SwitchboardError {
  override readonly name: string = 'TransientError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: true });
  }
}

/** Can never succeed as asked (a message that breaks its schema, a recipient the channel does not know): never retried. */
export class PermanentError extends SwitchboardError {
  override readonly name: string = 'PermanentError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/**
 * Error codes of the drivers that mean "the other side is unreachable or busy", not "your request is
 * wrong". Node's socket errors, and PostgreSQL SQLSTATEs: admin/crash shutdown, cannot connect now,
 * connection exceptions, serialization failure, deadlock.
 */
const RETRIABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '40001',
  '40P01',
]);

/**
 * true: worth retrying; false: never (permanent); undefined: nobody said (a bug, an unknown driver
 * error), which callers retry within a small budget.
 */
export function retriability(error: unknown, depth = 0): boolean | undefined {
  if (typeof error !== 'object' || error === null || depth > 8) return undefined;
  const e = error as { retriable?: unknown; code?: unknown; name?: unknown; cause?: unknown };
  // kafkajs gave up retrying: what decides is why (a broker that was down is worth another round).
  if (e.name === 'KafkaJSNumberOfRetriesExceeded') return retriability(e.cause, depth + 1) ?? true;
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (typeof e.code === 'string' && RETRIABLE_CODES.has(e.code)) return true;
  return e.cause !== undefined && e.cause !== error ? retriability(e.cause, depth + 1) : undefined;
}

export function isRetriable(error: unknown): boolean {
  return retriability(error) === true;
}

export function isPermanent(error: unknown): boolean {
  return retriability(error) === false;
}
