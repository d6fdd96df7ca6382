import { randomBytes } from 'node:crypto';
import { RoutedMessage, messageId, type Channel, type RoutedMessage as Routed } from '@switchboard/schema';

export interface Overrides extends Partial<Routed> {
  channel?: Channel;
}

/** A routed message as the router emits it, through the schema; sent a moment ago unless told. */
export function routed(overrides: Overrides = {}): Routed {
  const channel = overrides.channel ?? 'email';
  const account = overrides.account ?? 'support@wallet.example';
  const externalId = overrides.externalId ?? `<${randomBytes(6).toString('hex')}@mail.customer.example>`;
  const now = new Date().toISOString();
  return RoutedMessage.parse({
    schemaVersion: 1,
    id: messageId(channel, account, externalId),
    channel,
    account,
    externalId,
    conversationKey: externalId,
    sender: { id: 'maria.gomez@customer.example', name: 'Maria Gomez', address: 'maria.gomez@customer.example' },
    subject: 'Refund for cancelled order 88213',
    text: 'Hi,\nthe shop cancelled my order 88213 a week ago but the 59.90 EUR have not come back to my wallet.\nMaria',
    attachments: [],
    sentAt: now,
    receivedAt: now,
    meta: { references: [] },
    category: 'refund',
    confidence: 0.87,
    triage: false,
    priority: 'normal',
    language: 'en',
    redactions: [],
    classifierVersion: 'nb-2026-11-01',
    explanation: { priorityRules: [], features: ['refund', 'cancelled'] },
    routedAt: now,
    ...overrides,
  });
}
