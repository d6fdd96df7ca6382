import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoutedMessage, messageId, type Channel } from '@switchboard/schema';
import { freshDatabase } from '@switchboard/testkit';
import type { TicketStoreOptions } from '../src/index.ts';

export interface Backend {
  name: string;
  /** Options of an empty store; `persistent` asks PGlite for a folder instead of memory. */
  fresh(persistent?: boolean): Promise<{ options: TicketStoreOptions; drop(): Promise<void> }>;
}

export const BACKENDS: Backend[] = [
  {
    name: 'PGlite',
    async fresh(persistent = false) {
      if (!persistent) return { options: {}, drop: async () => undefined };
      const dataDir = mkdtempSync(join(tmpdir(), 'ticket-store-'));
      return { options: { dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    async fresh() {
      const database = await freshDatabase();
      return { options: { url: database.url }, drop: database.drop };
    },
  },
];

let clock = Date.parse('2026-11-20T08:00:00.000Z');
/** Distinct, increasing send times, so the order of a test's messages is the order it wrote them. */
export function nextSentAt(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

export function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}

export function uniqueKey(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

export interface MessageOverrides extends Partial<Omit<RoutedMessage, 'sender'>> {
  sender?: RoutedMessage['sender'];
}

/** A routed email as the router emits it: built through the schema, so every fixture is a valid record. */
export function routedMessage(overrides: MessageOverrides = {}): RoutedMessage {
  const channel: Channel = overrides.channel ?? 'email';
  const account = overrides.account ?? 'support@wallet.example';
  const externalId = overrides.externalId ?? `<${randomBytes(6).toString('hex')}@mail.customer.example>`;
  const sentAt = overrides.sentAt ?? nextSentAt();
  return RoutedMessage.parse({
    schemaVersion: 1,
    id: messageId(channel, account, externalId),
    channel,
    account,
    externalId,
    conversationKey: overrides.conversationKey ?? externalId,
    sender: overrides.sender ?? { id: 'li.wei@customer.example', name: 'Li Wei', address: 'li.wei@customer.example' },
    subject: 'Card payment declined at checkout',
    text: 'Hello,\nmy card payment of 25.00 EUR was declined twice at checkout today. Can you tell me why?\nThanks',
    attachments: [{ name: 'screenshot.png', contentType: 'image/png', size: 48_213, sha256: 'a'.repeat(64) }],
    receivedAt: sentAt,
    meta: { references: [], threadingReason: 'new' },
    category: 'transaction',
    confidence: 0.91,
    triage: false,
    priority: 'normal',
    language: 'en',
    redactions: [],
    classifierVersion: 'nb-2026-11-01',
    explanation: { priorityRules: [], features: ['declined', 'card payment'] },
    routedAt: sentAt,
    ...overrides,
    sentAt,
  });
}
