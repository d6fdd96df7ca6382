import { describe, expect, it } from 'vitest';
import { OutboundMessage } from '@switchboard/schema';
import type { PendingAck, StoredMessage, TicketSummary } from '@switchboard/ticket-store';
import { ConfigError } from '@switchboard/runtime';
import { ackCandidates, ackIdFor, buildAck, ticketSinkConfigFromEnv } from '../src/index.ts';
import { routed } from './messages.ts';

const ticket: TicketSummary = {
  id: 'tkt_0123456789abcdef0123456789abcdef',
  number: 'SB-000123',
  status: 'open',
  category: 'refund',
  priority: 'normal',
  language: 'en',
  channel: 'email',
  account: 'support@wallet.example',
  conversationKey: '<root@mail.customer.example>',
  customer: { id: 'maria.gomez@customer.example', name: 'Maria Gomez', address: 'maria.gomez@customer.example' },
  subject: 'Re: Refund for order 88213',
  preview: 'Hi,',
  messageCount: 1,
  triage: false,
  confidence: 0.87,
  createdAt: '2026-11-24T10:00:00.000Z',
  updatedAt: '2026-11-24T10:00:00.000Z',
  lastMessageAt: '2026-11-24T10:00:00.000Z',
};

const opening: StoredMessage = {
  id: 'msg_0123456789abcdef0123456789abcdef',
  direction: 'inbound',
  channel: 'email',
  externalId: '<second@mail.customer.example>',
  sender: { id: 'maria.gomez@customer.example', name: 'Maria Gomez', address: 'maria.gomez@customer.example' },
  subject: 'Re: Refund for order 88213',
  text: 'Hi,\nstill waiting.',
  attachments: [],
  sentAt: '2026-11-24T10:00:00.000Z',
  receivedAt: '2026-11-24T10:00:01.000Z',
  meta: { references: '<root@mail.customer.example> <first@mail.customer.example>' },
};

describe('automatic acknowledgement', () => {
  it('answers an email in English, threaded on the opening message, as an automatic reply', () => {
    const ack = buildAck({ ticket, opening }, new Date('2026-11-24T10:00:02.000Z'));
    expect(OutboundMessage.parse(ack)).toEqual(ack);
    expect(ack).toMatchObject({
      id: ackIdFor(ticket.id),
      kind: 'ack',
      ticketId: ticket.id,
      ticketNumber: 'SB-000123',
      channel: 'email',
      account: 'support@wallet.example',
      conversationKey: '<root@mail.customer.example>',
      recipient: opening.sender,
      subject: 'Re: Refund for order 88213 [#SB-000123]',
      createdAt: '2026-11-24T10:00:02.000Z',
      inReplyTo: {
        messageId: opening.id,
        externalId: '<second@mail.customer.example>',
        references: ['<root@mail.customer.example>', '<first@mail.customer.example>', '<second@mail.customer.example>'],
      },
      meta: { autoSubmitted: 'auto-replied' },
    });
    expect(ack.text).toMatch(/^We received your message\. Your ticket number is SB-000123\./);
  });

  it("speaks the customer's Chinese, simplified or traditional, and threads nothing on non-email channels", () => {
    const hans: PendingAck = { ticket: { ...ticket, language: 'zh-Hans', channel: 'wechat' }, opening: { ...opening, subject: undefined, meta: {} } };
    const ackHans = buildAck(hans);
    expect(ackHans.text).toMatch(/^我们已收到您的消息，工单号 SB-000123。/);
    expect(ackHans.subject).toBe('我们已收到您的消息 [#SB-000123]');
    expect(ackHans.inReplyTo?.references).toEqual([]);
    const ackHant = buildAck({ ...hans, ticket: { ...hans.ticket, language: 'zh-Hant' } });
    expect(ackHant.text).toMatch(/^我們已收到您的訊息，工單號 SB-000123。/);
    const other = buildAck({ ...hans, ticket: { ...hans.ticket, language: 'other' } });
    expect(other.text).toMatch(/^We received your message/);
  });

  it('asks the store only about messages that opened a ticket or were stored before, on acknowledged channels', () => {
    const opener = routed();
    const joiner = routed();
    const redelivered = routed();
    const onChat = routed({ channel: 'webchat' });
    const edit = routed({ edit: { kind: 'deleted', targetId: opener.id } });
    const result = {
      inserted: [opener.id, joiner.id, onChat.id],
      duplicates: [redelivered.id],
      edited: [edit.id],
      orphanEdits: [],
      newTickets: [
        { id: 'tkt_opener', number: 'SB-000001', channel: opener.channel, openedBy: opener.id },
        { id: 'tkt_chat', number: 'SB-000002', channel: onChat.channel, openedBy: onChat.id },
      ],
      reopened: [],
    };
    expect(ackCandidates([opener, joiner, redelivered, onChat, edit], result, ['email'])).toEqual([opener.id, redelivered.id]);
    expect(ackCandidates([opener, joiner, redelivered, onChat, edit], result, ['email', 'webchat'])).toEqual([opener.id, redelivered.id, onChat.id]);
  });

  it('has one id per ticket, whenever it is built', () => {
    expect(buildAck({ ticket, opening }, new Date(1)).id).toBe(buildAck({ ticket, opening }, new Date(2)).id);
    expect(ackIdFor('tkt_a')).not.toBe(ackIdFor('tkt_b'));
  });
});

describe('ticket sink configuration', () => {
  it('defaults to PGlite under .data and acknowledgements on email', () => {
    expect(ticketSinkConfigFromEnv({})).toEqual({ dataDir: '.data', pgliteDir: '.data/pglite', ackChannels: ['email'], reopenWindowHours: 72, ackMaxAgeHours: 72 });
  });

  it('reads every variable and refuses a channel that does not exist', () => {
    expect(
      ticketSinkConfigFromEnv({
        DATABASE_URL: 'postgres://sink:s3cret-pass@db:5432/switchboard',
        SWITCHBOARD_DATA_DIR: '/var/lib/switchboard',
        SWITCHBOARD_ACK_CHANNELS: 'email, webchat',
        SWITCHBOARD_REOPEN_WINDOW_HOURS: '24',
        SWITCHBOARD_ACK_MAX_AGE_HOURS: '6',
      }),
    ).toEqual({
      databaseUrl: 'postgres://sink:s3cret-pass@db:5432/switchboard',
      dataDir: '/var/lib/switchboard',
      pgliteDir: '/var/lib/switchboard/pglite',
      ackChannels: ['email', 'webchat'],
      reopenWindowHours: 24,
      ackMaxAgeHours: 6,
    });
    expect(ticketSinkConfigFromEnv({ SWITCHBOARD_ACK_CHANNELS: '' }).ackChannels).toEqual([]);
    expect(() => ticketSinkConfigFromEnv({ SWITCHBOARD_ACK_CHANNELS: 'email,fax' })).toThrow(ConfigError);
    expect(() => ticketSinkConfigFromEnv({ SWITCHBOARD_REOPEN_WINDOW_HOURS: 'soon' })).toThrow(/SWITCHBOARD_REOPEN_WINDOW_HOURS/);
  });
});
