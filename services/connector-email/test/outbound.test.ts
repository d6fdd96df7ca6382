import { describe, expect, it } from 'vitest';
import { OutboundMessage, type OutboundMessageInput } from '@switchboard/schema';
import { emailConfig } from '../src/config.ts';
import { buildOutgoingMail, outboundMessageId, NoRecipientError, ownMessageIdDomains } from '../src/outbound.ts';
import { threadOf } from '../src/threading.ts';

const [account] = emailConfig([
  { address: 'support@wallet.test', displayName: 'Wallet Support', imap: { host: 'imap', user: 'u', password: 'imap-password' }, smtp: { host: 'smtp' } },
]).accounts;

const base: OutboundMessageInput = {
  schemaVersion: 1,
  id: 'out-1',
  kind: 'reply',
  ticketId: 't-1',
  ticketNumber: 'SB-000123',
  channel: 'email',
  account: 'support@wallet.test',
  conversationKey: 'email:root@customer.test',
  recipient: { id: 'alice@customer.test', address: 'alice@customer.test' },
  inReplyTo: { messageId: 'msg_1', externalId: 'second@customer.test', references: ['<root@customer.test>'] },
  subject: 'Card payment failed',
  text: 'Hello',
  createdAt: '2026-03-01T00:00:00Z',
};
const mail = (overrides: Partial<OutboundMessageInput> = {}) => buildOutgoingMail(OutboundMessage.parse({ ...base, ...overrides }), account!);

describe('buildOutgoingMail', () => {
  it('threads under the customer’s chain with a Message-ID naming the ticket', () => {
    const out = mail();
    expect(out.messageId).toBe(outboundMessageId({ id: 'out-1', ticketNumber: 'SB-000123' }, 'wallet.test'));
    expect(out.messageId).toMatch(/^sb\.SB-000123\.[0-9a-f]{20}@wallet\.test$/);
    expect(out.inReplyTo).toBe('second@customer.test');
    expect(out.references).toEqual(['root@customer.test', 'second@customer.test']);
    expect(out.subject).toBe('Re: Card payment failed [#SB-000123]');
    expect(out.headers).toEqual({});
    expect(out.from).toEqual({ name: 'Wallet Support', address: 'support@wallet.test' });
  });

  it('a customer’s answer to it threads back to the same conversation', () => {
    const out = mail();
    const answer = threadOf({ messageId: 'third@customer.test', inReplyTo: [out.messageId], references: [...out.references, out.messageId], subject: 'Something else' });
    expect(answer.conversationKey).toBe('email:root@customer.test');
    expect(answer.ticketRef).toBe('SB-000123');
  });

  it('marks acknowledgements as automatic (RFC 3834) and keeps an existing token and Re:', () => {
    const out = mail({ kind: 'ack', subject: 'Re: Card payment failed [#SB-000123]' });
    expect(out.headers).toEqual({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' });
    expect(out.subject).toBe('Re: Card payment failed [#SB-000123]');
  });

  it('is deterministic per outbound id, different across ids', () => {
    expect(mail().messageId).toBe(mail().messageId);
    expect(mail({ id: 'out-2' }).messageId).not.toBe(mail().messageId);
  });

  it('without inReplyTo, still threads under the conversation root', () => {
    const out = mail({ inReplyTo: undefined });
    expect(out.references).toEqual(['root@customer.test']);
    expect(out.inReplyTo).toBe('root@customer.test');
  });

  it('refuses a recipient without an address', () => {
    expect(() => mail({ recipient: { id: 'wx-user-1' } })).toThrow(NoRecipientError);
  });

  it('refuses an address kept as written that no reply can reach, instead of sending to what a parser makes of it', () => {
    const recipient = { id: 'help desk team@shop.example', address: 'help desk team@shop.example', unusableAddress: { code: 'unparseable-address', reason: 'its local part has spaces' } };
    expect(() => mail({ recipient })).toThrow(/its local part has spaces/);
  });

  it('knows the domains of our Message-IDs, for bounces', () => {
    expect(ownMessageIdDomains([{ address: 'support@Wallet.test' }, { address: 'help@wallet.test', messageIdDomain: 'mail.wallet.test' }])).toEqual(new Set(['wallet.test', 'mail.wallet.test']));
  });
});
