/**
 * Tasks on a ticket, an attachment's bytes, the customer's other conversations, and a channel that only
 * receives: the agents' API over a real store (the PostgreSQL server), with neutral channel ids.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelRegistry, keepAttachment, receiveOnly } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer } from '@switchboard/kafka';
import { createLogger, sha256Hex } from '@switchboard/runtime';
import { freshDatabase, kafkaForTest, readAll, routedMessage } from '@switchboard/testkit';
import { openDatabase, type Db } from '@switchboard/db';
import { openTeamStore, SlaPolicyFile, slaPolicyOf, type TeamStore } from '@switchboard/team';
import { openTicketStore, type TicketStore, type TicketTask } from '@switchboard/ticket-store';
import { Authenticator, readApiRoutes, TeamDirectory, TicketAccess, ticketWorkRoutes } from '../src/index.ts';

/** A supervisor's personal API token (sees every queue, may change tickets), and an analyst's. */
let TOKEN = '';
let ANALYST_TOKEN = '';
let db: Db;
let team: TeamStore;
const channels = new ChannelRegistry([
  { id: 'listen-only', label: { en: 'Listen only', zh: '只收' }, icon: { color: '#123456', path: 'M4 4h16' }, threading: 'one per caller', replyPolicy: receiveOnly('nothing can be sent on this channel') },
  { id: 'chatty', label: { en: 'Chatty', zh: '聊天' }, icon: { color: '#654321', path: 'M4 4h16' }, threading: 'one per sender' },
]);

let env: Awaited<ReturnType<typeof kafkaForTest>>;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let store: TicketStore;
let producer: BatchingProducer;
const root = mkdtempSync(join(tmpdir(), 'sb-ticket-work-'));
let base = '';
const http = new HttpServer();

beforeAll(async () => {
  [env, database] = await Promise.all([kafkaForTest(), freshDatabase()]);
  db = await openDatabase({ url: database.url }, createLogger('ticket-work-test'));
  store = await openTicketStore({ db });
  team = await openTeamStore(db);
  const supervisor = await team.users.create({ email: 'lead@wallet.test', name: 'Lee Lead', role: 'supervisor' });
  const analyst = await team.users.create({ email: 'numbers@wallet.test', name: 'Nia Numbers', role: 'analyst' });
  TOKEN = (await team.credentials.createApiToken(supervisor.id, 'test')).token;
  ANALYST_TOKEN = (await team.credentials.createApiToken(analyst.id, 'test')).token;
  producer = new BatchingProducer(env.kafka);
  await producer.connect();
  const auth = new Authenticator(team, { secureCookies: false, sessionTtlMs: 60_000 });
  const access = new TicketAccess(new TeamDirectory(team));
  const sla = slaPolicyOf(SlaPolicyFile.parse({}));
  http.mount(readApiRoutes({ store, producer, topics: env.topics, channels, auth, access, team, sla, logger: createLogger('ticket-work-test') }));
  http.mount(ticketWorkRoutes({ store, auth, access, team, attachmentsDir: root }));
  base = await http.listen();
}, 120_000);

afterAll(async () => {
  await http.close();
  await producer?.disconnect();
  await store?.close();
  await db?.close();
  await database?.drop();
});

const call = (path: string, init: { method?: string; body?: unknown; key?: string; token?: string } = {}) =>
  fetch(base + path, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: { authorization: `Bearer ${init.token ?? TOKEN}`, 'content-type': 'application/json', ...(init.key ? { 'idempotency-key': init.key } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });

async function ticketOn(channel: string, overrides: Parameters<typeof routedMessage>[0] = {}) {
  const message = routedMessage({ channel, account: `${channel}-acct`, conversationKey: `${channel}:${Math.random()}`, ...overrides });
  return { message, ticket: (await store.writeRouted([message])).newTickets[0]! };
}

describe('tasks on a ticket', () => {
  it('creates a task once per Idempotency-Key, marks it done and open again, and lists it on the ticket', async () => {
    const { ticket } = await ticketOn('listen-only');
    const created = await call(`/api/v1/tickets/${ticket.number}/tasks`, { body: { text: '  Call the customer back  ' }, key: 'draft-1' });
    expect(created.status).toBe(201);
    const { task } = (await created.json()) as { task: TicketTask };
    expect(task).toMatchObject({ ticketId: ticket.id, text: 'Call the customer back' });
    const again = await call(`/api/v1/tickets/${ticket.id}/tasks`, { body: { text: 'Call the customer back' }, key: 'draft-1' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ task, duplicate: true });

    const done = await call(`/api/v1/tickets/${ticket.id}/tasks/${task.id}`, { method: 'PATCH', body: { done: true } });
    expect(((await done.json()) as { task: TicketTask }).task.doneAt).toBeDefined();
    const view = (await (await call(`/api/v1/tickets/${ticket.id}`)).json()) as { tasks: TicketTask[] };
    expect(view.tasks.map((t) => [t.text, t.doneAt !== undefined])).toEqual([['Call the customer back', true]]);
    const reopened = await call(`/api/v1/tickets/${ticket.id}/tasks/${task.id}`, { method: 'PATCH', body: { done: false } });
    expect(((await reopened.json()) as { task: TicketTask }).task.doneAt).toBeUndefined();
  });

  it('answers 400, 401 and 404 where it should', async () => {
    const { ticket } = await ticketOn('listen-only');
    expect((await call(`/api/v1/tickets/${ticket.id}/tasks`, { body: { text: '   ' } })).status).toBe(400);
    expect((await call(`/api/v1/tickets/${ticket.id}/tasks`, { body: { text: 'x', due: 'tomorrow' } })).status).toBe(400);
    expect((await call(`/api/v1/tickets/${ticket.id}/tasks`, { body: { text: 'x' }, token: 'wrong' })).status).toBe(401);
    expect((await call('/api/v1/tickets/SB-999999/tasks', { body: { text: 'x' } })).status).toBe(404);
    expect((await call(`/api/v1/tickets/${ticket.id}/tasks/task_nope`, { method: 'PATCH', body: { done: true } })).status).toBe(404);
    // Analysts read tickets but change none: no tasks either.
    expect((await call(`/api/v1/tickets/${ticket.id}/tasks`, { body: { text: 'x' }, token: ANALYST_TOKEN })).status).toBe(403);
  });

  it('records who added a task and who ticked it off in the audit trail', async () => {
    const { ticket } = await ticketOn('listen-only');
    const { task } = (await (await call(`/api/v1/tickets/${ticket.id}/tasks`, { body: { text: 'Send the statement' }, key: 'audit-1' })).json()) as { task: TicketTask };
    await call(`/api/v1/tickets/${ticket.id}/tasks/${task.id}`, { method: 'PATCH', body: { done: true } });
    const entries = (await team.audit.list({ limit: 50 })).filter((e) => e.action === 'ticket.task' && e.target === ticket.number);
    expect(entries.map((e) => [e.actorEmail, e.details])).toEqual([
      ['lead@wallet.test', { task: task.id, done: true }],
      ['lead@wallet.test', { task: task.id }],
    ]);
  });
});

describe('a channel that only receives', () => {
  it('refuses a reply with 409 receive-only and queues nothing, and says so in the ticket view', async () => {
    const { ticket } = await ticketOn('listen-only');
    const view = (await (await call(`/api/v1/tickets/${ticket.id}`)).json()) as { replyWindow: unknown };
    expect(view.replyWindow).toEqual({ allowed: false, code: 'receive-only', reason: 'nothing can be sent on this channel' });
    const refused = await call(`/api/v1/tickets/${ticket.id}/replies`, { body: { text: 'Hello?' } });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'receive-only' });
    expect((await readAll(env.kafka, env.topics.outbound)).filter((r) => r.value.includes(ticket.id))).toEqual([]);
  });
});

describe("the customer's other conversations", () => {
  it('lists the conversations on other channels of the same phone number in the ticket view', async () => {
    const phone = '+8613800138111';
    const voice = await ticketOn('listen-only', { sender: { id: phone, phone } });
    const chat = await ticketOn('chatty', { sender: { id: 'wx-user-9', name: 'Fang', phone } });
    const view = (await (await call(`/api/v1/tickets/${voice.ticket.id}`)).json()) as { ticket: { customer: { phone?: string } }; related: unknown[] };
    expect(view.ticket.customer.phone).toBe(phone);
    expect(view.related).toEqual([expect.objectContaining({ channel: 'chatty', conversationKey: chat.message.conversationKey, ticket: { id: chat.ticket.id, number: chat.ticket.number, status: 'open' } })]);
  });

  it("masks the keys for an analyst, as a phone channel's key is the caller's number", async () => {
    const phone = '+8613800138222';
    const chat = await ticketOn('chatty', { sender: { id: phone, phone }, conversationKey: `call:${phone}` });
    const voice = await ticketOn('listen-only', { sender: { id: 'caller-2', phone } });
    const view = (await (await call(`/api/v1/tickets/${voice.ticket.id}`, { token: ANALYST_TOKEN })).json()) as { related: { conversationKey: string; ticket?: { id: string } }[] };
    expect(view.related.map((r) => r.ticket?.id)).toEqual([chat.ticket.id]);
    expect(view.related[0]!.conversationKey).not.toContain('138222');
    expect(view.related[0]!.conversationKey).toMatch(/^call:/);
  });
});

describe("an attachment's bytes", () => {
  const audio = Buffer.from('RIFF....WAVEfmt fake audio bytes');

  it("serves kept bytes with their type to a person who may see the customer's details (not an analyst), inline for media, as a download otherwise", async () => {
    const dataDir = join(root, 'some-connector');
    const kept = await keepAttachment(dataDir, audio, { name: 'voicemail.wav', contentType: 'audio/wav' });
    const page = await keepAttachment(dataDir, Buffer.from('<script>alert(1)</script>'), { name: 'page.html', contentType: 'text/html' });
    const { message, ticket } = await ticketOn('listen-only', { attachments: [kept, page] });
    const path = `/api/v1/tickets/${ticket.id}/messages/${message.id}/attachments`;

    const response = await call(`${path}/0`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/wav');
    expect(response.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''voicemail.wav");
    expect(Buffer.from(await response.arrayBuffer()).equals(audio)).toBe(true);
    const html = await call(`${path}/1`);
    expect(html.headers.get('content-type')).toBe('application/octet-stream');
    expect(html.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(html.headers.get('content-security-policy')).toContain('sandbox');
    expect((await call(`${path}/0`, { token: 'wrong' })).status).toBe(401);
    expect((await call(`${path}/0`, { token: ANALYST_TOKEN })).status).toBe(403);
    expect((await call(`${path}/2`)).status).toBe(404);
    expect((await call(`/api/v1/tickets/${ticket.id}/messages/msg_unknown/attachments/0`)).status).toBe(404);
  });

  it('never reads outside the attachment store, and refuses bytes that do not match their SHA-256', async () => {
    mkdirSync(join(root, 'c'), { recursive: true });
    writeFileSync(join(root, 'c', 'changed.bin'), 'other bytes');
    writeFileSync(join(tmpdir(), 'sb-outside.txt'), 'secret');
    const attachments = [
      { name: 'escape.txt', contentType: 'text/plain', size: 6, storageRef: '../sb-outside.txt' },
      { name: 'absolute.txt', contentType: 'text/plain', size: 6, storageRef: join(tmpdir(), 'sb-outside.txt') },
      { name: 'changed.bin', contentType: 'audio/wav', size: 11, sha256: sha256Hex('original bytes'), storageRef: 'c/changed.bin' },
      { name: 'gone.wav', contentType: 'audio/wav', size: 11, storageRef: 'c/gone.wav' },
      { name: 'never-kept.wav', contentType: 'audio/wav', size: 11 },
    ];
    const { message, ticket } = await ticketOn('listen-only', { attachments });
    const status = async (i: number) => (await call(`/api/v1/tickets/${ticket.id}/messages/${message.id}/attachments/${i}`)).status;
    expect([await status(0), await status(1), await status(2), await status(3), await status(4)]).toEqual([404, 404, 409, 404, 404]);
  });
});
