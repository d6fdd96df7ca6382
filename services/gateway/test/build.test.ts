import { describe, expect, it } from 'vitest';
import { OutboundMessage } from '@switchboard/schema';
import type { StoredMessage, TicketSummary } from '@switchboard/ticket-store';
import { buildReply } from '../src/index.ts';

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
    thread: { ancestors: ['<root@mail.example>'] },
    meta: {},
  } as StoredMessage;

  it('answers the latest customer message on its thread, with its subject as written', () => {
    const reply = OutboundMessage.parse(buildReply(ticket, answered, { text: 'Unblocked now.' }, 'reply_1', new Date('2026-11-24T12:00:00Z'), 'response'));
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
      replyMode: 'response',
      createdAt: '2026-11-24T12:00:00.000Z',
    });
  });

  it("falls back to the ticket's subject, and leaves a subject-less channel without one", () => {
    expect(buildReply(ticket, { ...answered, subject: undefined }, { text: 'ok' }, 'r').subject).toBe('Card blocked');
    expect(buildReply(ticket, answered, { text: 'ok' }, 'r').replyMode).toBeUndefined();
    const chat = buildReply({ ...ticket, subject: undefined }, { ...answered, subject: undefined, channel: 'twitter' }, { text: 'ok', public: true }, 'r');
    expect(chat.subject).toBeUndefined();
    expect(chat.public).toBe(true);
  });
});
