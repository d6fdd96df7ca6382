import { describe, expect, it } from 'vitest';
import { InboundMessage, messageId, OutboundMessage } from '@switchboard/schema';
import type { StoredMessage, TicketSummary } from '@switchboard/ticket-store';
import { ApiMessageBody, buildReply, toInboundMessage } from '../src/index.ts';

describe('toInboundMessage', () => {
  const received = new Date('2026-11-24T10:00:00.000Z');

  it('fills the defaults: account api, conversation of the sender, sent now', () => {
    const body = ApiMessageBody.parse({ externalId: 'form-1', sender: { id: 'u-7' }, text: 'Where is my refund?' });
    const message = InboundMessage.parse(toInboundMessage(body, received));
    expect(message).toMatchObject({
      id: messageId('api', 'api', 'form-1'),
      channel: 'api',
      account: 'api',
      conversationKey: 'api:u-7',
      sentAt: received.toISOString(),
      receivedAt: received.toISOString(),
      attachments: [],
    });
  });

  it('keeps what the client gave, and the id follows the account', () => {
    const body = ApiMessageBody.parse({
      externalId: 'form-2',
      sender: { id: 'u-8', name: 'Bo' },
      text: 'Hi',
      account: 'partner-shop',
      conversationKey: 'order-991',
      subject: 'Order 991',
      sentAt: '2026-11-24T11:00:00+02:00',
      attachments: [{ name: 'receipt.pdf', contentType: 'application/pdf', size: 1200 }],
    });
    const message = InboundMessage.parse(toInboundMessage(body, received));
    expect(message.id).toBe(messageId('api', 'partner-shop', 'form-2'));
    expect(message.id).not.toBe(messageId('api', 'api', 'form-2'));
    expect(message).toMatchObject({ conversationKey: 'order-991', subject: 'Order 991', sentAt: '2026-11-24T09:00:00.000Z' });
    expect(message.attachments).toHaveLength(1);
  });

  it('refuses unknown fields instead of dropping them', () => {
    const result = ApiMessageBody.safeParse({ externalId: 'x', sender: { id: 'u' }, text: 'hi', conversation_key: 'c' });
    expect(result.success).toBe(false);
  });
});

describe('buildReply', () => {
  const ticket = {
    id: 'tkt_1',
    number: 'SB-000001',
    account: 'support@wallet.example',
    conversationKey: '<root@mail.example>',
    subject: 'Card blocked',
    channel: 'email',
  } as TicketSummary;
  const answered = {
    id: 'msg_abc',
    direction: 'inbound',
    channel: 'email',
    externalId: '<second@mail.example>',
    sender: { id: 'ann@example.com', name: 'Ann', address: 'ann@example.com' },
    subject: 'Re: Card blocked',
    text: 'Still blocked',
    attachments: [],
    sentAt: '2026-11-24T10:00:00.000Z',
    receivedAt: '2026-11-24T10:00:01.000Z',
    meta: { references: ['<root@mail.example>', 42] },
  } as StoredMessage;

  it('answers the latest customer message on its thread, without stacking Re:', () => {
    const reply = OutboundMessage.parse(buildReply(ticket, answered, { text: 'Unblocked now.' }, 'reply_1', new Date('2026-11-24T12:00:00Z')));
    expect(reply).toMatchObject({
      id: 'reply_1',
      kind: 'reply',
      ticketId: 'tkt_1',
      ticketNumber: 'SB-000001',
      channel: 'email',
      account: 'support@wallet.example',
      conversationKey: '<root@mail.example>',
      recipient: answered.sender,
      inReplyTo: { messageId: 'msg_abc', externalId: '<second@mail.example>', references: ['<root@mail.example>'] },
      subject: 'Re: Card blocked',
      public: false,
      createdAt: '2026-11-24T12:00:00.000Z',
    });
  });

  it('adds Re: to a first subject and leaves a subject-less channel without one', () => {
    expect(buildReply(ticket, { ...answered, subject: 'Card blocked' }, { text: 'ok' }, 'r').subject).toBe('Re: Card blocked');
    const chat = buildReply({ ...ticket, subject: undefined }, { ...answered, subject: undefined, channel: 'twitter' }, { text: 'ok', public: true }, 'r');
    expect(chat.subject).toBeUndefined();
    expect(chat.public).toBe(true);
  });
});
