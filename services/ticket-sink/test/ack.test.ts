import { describe, expect, it } from 'vitest';
import { OutboundMessage } from '@switchboard/schema';
import type { PendingAck, StoredMessage, TicketSummary } from '@switchboard/ticket-store';
import { ConfigError } from '@switchboard/runtime';
import { loadChannelRegistry } from '@switchboard/connector-sdk';
import { REPO_ROOT } from '@switchboard/runtime';
import { ackCandidates, ackIdFor, ackWithheld, buildAck, resolveAckChannels, ticketSinkConfigFromEnv } from '../src/index.ts';
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
  thread: { ancestors: ['<root@mail.customer.example>', '<first@mail.customer.example>'] },
  meta: {},
};

describe('automatic acknowledgement', () => {
  it('answers in English as a reply to the opening message, continuing its thread, with its subject', () => {
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
      subject: 'Re: Refund for order 88213',
      createdAt: '2026-11-24T10:00:02.000Z',
      inReplyTo: {
        messageId: opening.id,
        externalId: '<second@mail.customer.example>',
        references: ['<root@mail.customer.example>', '<first@mail.customer.example>'],
      },
      meta: { language: 'en' },
    });
    expect(ack.text).toMatch(/^We received your message\. Your ticket number is SB-000123\./);
  });

  it("speaks the customer's Chinese, simplified or traditional, and continues no thread the opening had none of", () => {
    const { thread: _thread, ...unthreaded } = opening;
    const hans: PendingAck = { ticket: { ...ticket, language: 'zh-Hans', channel: 'wechat' }, opening: { ...unthreaded, subject: undefined } };
    const ackHans = buildAck(hans, new Date(), 'response');
    expect(ackHans.text).toMatch(/^我们已收到您的消息，工单号 SB-000123。/);
    expect(ackHans.subject).toBe('我们已收到您的消息');
    expect(ackHans.replyMode).toBe('response');
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

  it.each([
    ['a suspect sender', { opening: { ...opening, sender: { ...opening.sender, suspect: { code: 'encoded-word-in-address', reason: 'forged-looking' } } } }, 'suspect sender (encoded-word-in-address)'],
    ['an address no reply can reach', { opening: { ...opening, sender: { id: 'help desk team@shop.example', unusableAddress: { code: 'unparseable-address', reason: 'spaces' } } } }, 'no usable address (unparseable-address)'],
    ['a ticket marked spam', { ticket: { ...ticket, spam: { reason: 'X-Spam-Flag: YES' } } }, 'spam'],
    ['an opening message judged spam', { opening: { ...opening, spam: { reason: 'X-Spam-Status: Yes, score=8.2', score: 8.2 } } }, 'spam'],
    ['an ordinary customer', {}, undefined],
  ])('is withheld for %s', (_, change, reason) => {
    expect(ackWithheld({ ticket, opening, ...change })).toBe(reason);
  });

  it('has one id per ticket, whenever it is built', () => {
    expect(buildAck({ ticket, opening }, new Date(1)).id).toBe(buildAck({ ticket, opening }, new Date(2)).id);
    expect(ackIdFor('tkt_a')).not.toBe(ackIdFor('tkt_b'));
  });
});

describe('ticket sink configuration', () => {
  it("defaults to PGlite under the repository's .data, and to the channels that ask for an acknowledgement", async () => {
    expect(ticketSinkConfigFromEnv({})).toEqual({ dataDir: `${REPO_ROOT}/.data`, pgliteDir: `${REPO_ROOT}/.data/pglite`, reopenWindowHours: 72, ackMaxAgeHours: 72 });
    const channels = await loadChannelRegistry(REPO_ROOT);
    expect(resolveAckChannels(undefined, channels)).toEqual(channels.all().filter((d) => d.acknowledgeByDefault).map((d) => d.id));
    expect(resolveAckChannels(undefined, channels).length).toBeGreaterThan(0);
  });

  it('reads every variable and refuses a channel that is not registered', async () => {
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
    const channels = await loadChannelRegistry(REPO_ROOT);
    expect(resolveAckChannels(['webchat'], channels)).toEqual(['webchat']);
    expect(() => resolveAckChannels(['webchat', 'fax'], channels)).toThrow(ConfigError);
    expect(() => resolveAckChannels(['webchat', 'fax'], channels)).toThrow(/fax is not a registered channel/);
    expect(() => ticketSinkConfigFromEnv({ SWITCHBOARD_REOPEN_WINDOW_HOURS: 'soon' })).toThrow(/SWITCHBOARD_REOPEN_WINDOW_HOURS/);
  });
});
