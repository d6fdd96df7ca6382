import { createHash } from 'node:crypto';
import type { Channel } from './envelope.ts';

function digest(parts: readonly string[], length: number): string {
  // A unit separator keeps ("a","bc") and ("ab","c") apart.
  return createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, length);
}

/**
 * The idempotency key of an inbound message: the same channel message, however often it is
 * delivered (IMAP resync, webhook retry, polling overlap), always gets the same id.
 */
export function messageId(channel: Channel, account: string, externalId: string): string {
  return `msg_${digest([channel, account, externalId], 32)}`;
}

/** Deterministic id for anything else that must be idempotent (outbound replies, acks). */
export function stableId(prefix: string, ...parts: string[]): string {
  return `${prefix}_${digest(parts, 32)}`;
}
