import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a received signature with the expected one in constant time. Hashing both first makes
 * the lengths equal, so not even the length of the expected value leaks.
 */
export function safeEqual(received: string | Buffer | undefined, expected: string | Buffer): boolean {
  if (received === undefined) return false;
  const a = createHash('sha256').update(received).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function sha256Hex(data: string | Buffer | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
