import { randomBytes } from 'node:crypto';
import { RoutedMessage, messageId } from '@switchboard/schema';

/**
 * A routed message as the router emits it, built through the schema so every fixture is a valid
 * record. Its id follows from channel, account and external id (a fresh Message-ID unless given), as
 * in production; every other field can be overridden.
 */
export function routedMessage(overrides: Partial<RoutedMessage> = {}): RoutedMessage {
  const channel = overrides.channel ?? 'email';
  const account = overrides.account ?? 'support@wallet.example';
  const externalId = overrides.externalId ?? `<${randomBytes(6).toString('hex')}@mail.customer.example>`;
  const sentAt = overrides.sentAt ?? new Date().toISOString();
  return RoutedMessage.parse({
    schemaVersion: 1,
    id: messageId(channel, account, externalId),
    channel,
    account,
    externalId,
    conversationKey: externalId,
    sender: { id: 'li.wei@customer.example', name: 'Li Wei', address: 'li.wei@customer.example' },
    subject: 'Card payment declined at checkout',
    text: 'Hello,\nmy card payment of 25.00 EUR was declined twice at checkout today. Can you tell me why?\nThanks',
    attachments: [],
    receivedAt: sentAt,
    meta: {},
    category: 'transaction',
    confidence: 0.91,
    triage: false,
    priority: 'normal',
    language: 'en',
    redactions: [],
    classifierVersion: 'test-classifier',
    explanation: { priorityRules: [], features: ['declined', 'card payment'] },
    routedAt: sentAt,
    ...overrides,
    sentAt,
  });
}
