/**
 * A failure of something the handler depends on (database down, broker unavailable), not of the
 * message: the runner retries it without limit instead of dead-lettering the message.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A message that can never be processed (fails its schema, breaks a rule): dead-lettered at once. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, connection failures, serialization/deadlock
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '40001',
  '40P01',
]);

export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (error instanceof PoisonMessageError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; retriable?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  // kafkajs gave up retrying: what decides is why (a broker that was down is transient).
  if (e.name === 'KafkaJSNumberOfRetriesExceeded') return e.cause !== undefined && isTransient(e.cause);
  // Kafka said this can never succeed (a record too large, an unknown topic): retrying forever would stall.
  if (e.retriable === false) return false;
  if (e.retriable === true) return true;
  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS') && e.name !== 'KafkaJSNonRetriableError') return true;
  if (typeof e.message === 'string' && /Connection terminated|connection is closed|Client has encountered a connection error/i.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== error ? isTransient(e.cause) : false;
}
