/**
 * The reply API asks the channel's reply policy before it queues anything, on a clock the test sets:
 * inside the window a reply is queued with the policy's mode; after it the API answers 409 with the
 * reason and a code, and nothing reaches the outbound topic. The ticket's view carries the window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelRegistry, replyWindow, type ReplyDecision } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer } from '@switchboard/kafka';
import { createLogger } from '@switchboard/runtime';
import { OutboundMessage } from '@switchboard/schema';
import { freshDatabase, kafkaForTest, readAll, routedMessage } from '@switchboard/testkit';
import { openDatabase, type Db } from '@switchboard/db';
import { openTeamStore, SlaPolicyFile, slaPolicyOf } from '@switchboard/team';
import { openTicketStore, type StoredMessage, type TicketStore } from '@switchboard/ticket-store';
import { Authenticator, readApiRoutes, replyHistoryOf, TeamDirectory, TicketAccess } from '../src/index.ts';

let TOKEN = '';
let db: Db;
const sentAt = new Date('2026-12-01T08:00:00.000Z');
let now = new Date(sentAt.getTime() + 3_600_000);
const channels = new ChannelRegistry([
  { id: 'windowed', label: { en: 'Windowed', zh: '有窗口' }, icon: { color: '#123456', path: 'M4 4h16' }, threading: 'one per sender', replyPolicy: replyWindow({ hours: 24, mode: 'response' }) },
]);

let env: Awaited<ReturnType<typeof kafkaForTest>>;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let store: TicketStore;
let producer: BatchingProducer;
let base = '';
const http = new HttpServer();

beforeAll(async () => {
  [env, database] = await Promise.all([kafkaForTest(), freshDatabase()]);
  db = await openDatabase({ url: database.url }, createLogger('reply-window-test'));
  store = await openTicketStore({ db });
  const team = await openTeamStore(db);
  const agent = await team.users.create({ email: 'agent@wallet.test', name: 'Ann Agent', role: 'supervisor' });
  TOKEN = (await team.credentials.createApiToken(agent.id, 'test')).token;
  producer = new BatchingProducer(env.kafka);
  await producer.connect();
  const auth = new Authenticator(team, { secureCookies: false, sessionTtlMs: 60_000 });
  const access = new TicketAccess(new TeamDirectory(team));
  const sla = slaPolicyOf(SlaPolicyFile.parse({}));
  http.mount(readApiRoutes({ store, producer, topics: env.topics, channels, auth, access, team, sla, logger: createLogger('reply-window-test'), now: () => now }));
  base = await http.listen();
});

afterAll(async () => {
  await http.close();
  await producer?.disconnect();
  await store?.close();
  await db?.close();
  await database?.drop();
});

const call = (path: string, body?: unknown) =>
  fetch(base + path, { method: body ? 'POST' : 'GET', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });

describe('reply windows on the reply API', () => {
  it('queues a reply inside the window with its mode, and refuses one after it with 409 before anything is produced', async () => {
    const message = routedMessage({ channel: 'windowed', account: 'acct', conversationKey: 'windowed:ann', sentAt: sentAt.toISOString(), subject: undefined });
    const ticketId = (await store.writeRouted([message])).newTickets[0]!.id;

    const open = (await (await call(`/api/v1/tickets/${ticketId}`)).json()) as { replyWindow: ReplyDecision };
    expect(open.replyWindow).toEqual({ allowed: true, mode: 'response', closesAt: '2026-12-02T08:00:00.000Z' });
    const queued = await call(`/api/v1/tickets/${ticketId}/replies`, { text: 'We are on it.' });
    expect(queued.status).toBe(202);

    now = new Date(sentAt.getTime() + 25 * 3_600_000);
    const closed = (await (await call(`/api/v1/tickets/${ticketId}`)).json()) as { replyWindow: ReplyDecision };
    expect(closed.replyWindow).toMatchObject({ allowed: false, code: 'window-closed' });
    const refused = await call(`/api/v1/tickets/${ticketId}/replies`, { text: 'Anything else?' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'window-closed', error: expect.stringContaining('Windowed reply cannot be sent now') });

    const outbound = (await readAll(env.kafka, env.topics.outbound)).map((r) => OutboundMessage.parse(JSON.parse(r.value))).filter((o) => o.ticketId === ticketId);
    expect(outbound.map((o) => [o.text, o.replyMode, o.author])).toEqual([['We are on it.', 'response', { id: expect.stringMatching(/^usr_/), name: 'Ann Agent' }]]);
  });
});

describe('what the read API does with what a connector found', () => {
  const patch = (path: string, body: unknown) =>
    fetch(base + path, { method: 'PATCH', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses a reply to an address no reply can reach (409 no-reply-address), and says so on the ticket', async () => {
    const unusableAddress = { code: 'unparseable-address', reason: 'The address "help desk team@shop.example" has spaces in its local part: no reply can go to it.' };
    const message = routedMessage({
      channel: 'other-channel',
      account: 'acct',
      conversationKey: 'spaced:1',
      sender: { id: 'help desk team@shop.example', address: 'help desk team@shop.example', unusableAddress },
      sentAt: new Date(now.getTime() - 60_000).toISOString(),
    });
    const ticketId = (await store.writeRouted([message])).newTickets[0]!.id;
    const view = (await (await call(`/api/v1/tickets/${ticketId}`)).json()) as { replyWindow: ReplyDecision; ticket: { customer: unknown } };
    expect(view.replyWindow).toEqual({ allowed: false, code: 'no-reply-address', reason: unusableAddress.reason });
    expect(view.ticket.customer).toMatchObject({ address: 'help desk team@shop.example', unusableAddress });
    const refused = await call(`/api/v1/tickets/${ticketId}/replies`, { text: 'Hello?' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'no-reply-address' });
    const outbound = (await readAll(env.kafka, env.topics.outbound)).map((r) => OutboundMessage.parse(JSON.parse(r.value))).filter((o) => o.ticketId === ticketId);
    expect(outbound).toEqual([]);
  });

  it('lists tickets by their spam mark (?spam=true|false) and lets an agent clear it', async () => {
    const spam = { reason: 'X-Spam-Flag: YES' };
    const [junk, honest] = [
      routedMessage({ channel: 'other-channel', account: 'acct', conversationKey: 'spam:1', spam }),
      routedMessage({ channel: 'other-channel', account: 'acct', conversationKey: 'spam:2' }),
    ];
    const [junkId, honestId] = (await store.writeRouted([junk, honest])).newTickets.map((t) => t.id);
    const listed = async (query: string) => ((await (await call(`/api/v1/tickets?channel=other-channel&${query}`)).json()) as { tickets: { id: string; spam?: unknown }[] }).tickets;
    expect((await listed('spam=true')).map((t) => t.id)).toEqual([junkId]);
    expect((await listed('spam=true'))[0]!.spam).toEqual(spam);
    expect((await listed('spam=false')).map((t) => t.id)).toContain(honestId);
    expect((await listed('spam=false')).map((t) => t.id)).not.toContain(junkId);
    expect((await call('/api/v1/tickets?spam=maybe')).status).toBe(400);
    const cleared = await patch(`/api/v1/tickets/${junkId}`, { spam: false });
    expect(cleared.status).toBe(200);
    expect(((await cleared.json()) as { ticket: { spam?: unknown } }).ticket.spam).toBeUndefined();
    expect((await listed('spam=true')).map((t) => t.id)).toEqual([]);
  });
});

describe('the history a reply policy reads', () => {
  const inbound = (at: string, extra: Partial<StoredMessage> = {}): StoredMessage =>
    ({ id: `in-${at}`, direction: 'inbound', channel: 'windowed', externalId: at, sender: { id: 'ann' }, text: 'hi', attachments: [], sentAt: at, receivedAt: at, meta: {}, ...extra }) as StoredMessage;
  const outbound = (at: string, extra: Partial<StoredMessage> = {}): StoredMessage =>
    ({ ...inbound(at), id: `out-${at}`, direction: 'outbound', kind: 'reply', deliveryState: 'sent', ...extra }) as StoredMessage;

  it.each([
    ['no message', [], { sentSinceCustomer: [] }],
    ['only our own messages', [outbound('2026-12-01T09:00:00Z')], { sentSinceCustomer: [] }],
    [
      'the latest customer message, automatic mail and events left out, and our sends after it that did not fail',
      [
        inbound('2026-12-01T08:00:00Z'),
        outbound('2026-12-01T08:30:00Z'),
        inbound('2026-12-01T10:00:00Z'),
        inbound('2026-12-01T11:00:00Z', { autoSubmitted: 'auto-replied' }),
        inbound('2026-12-01T11:10:00Z', { text: '', event: { type: 'LOCATION', fields: { Latitude: 31.2, Longitude: 121.4 } } }),
        outbound('2026-12-01T10:30:00Z', { kind: 'ack' }),
        outbound('2026-12-01T10:40:00Z', { deliveryState: 'failed' }),
        outbound('2026-12-01T10:50:00Z', { deliveryState: 'queued' }),
      ],
      {
        lastCustomerMessageAt: new Date('2026-12-01T10:00:00Z'),
        sentSinceCustomer: [
          { at: new Date('2026-12-01T10:30:00Z'), kind: 'ack' },
          { at: new Date('2026-12-01T10:50:00Z'), kind: 'reply' },
        ],
      },
    ],
  ])('%s', (_what, messages, expected) => {
    expect(replyHistoryOf(messages as StoredMessage[])).toEqual(expected);
  });
});
