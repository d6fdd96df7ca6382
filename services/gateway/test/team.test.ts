/**
 * A team, not a token, through the gateway's HTTP API on a real broker and PostgreSQL: roles enforced on
 * every route, agents limited to their teams' queues, analysts reading masked data, CSRF on cookie
 * sessions, the account lock, personal API tokens, the audit trail, SLA clocks on the ticket, the live
 * event stream with resume, and assignment to the agents online.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, routedMessage, signIn, TEST_ADMIN, type SignedIn } from '@switchboard/testkit';
import type { StoredMessage, TicketSummary } from '@switchboard/ticket-store';
import { startTestGateway, type TestGateway } from './helpers.ts';

const PASSWORD = 'a-long-test-passphrase';
const allDay = '00:00-24:00';
const slaFile = join(mkdtempSync(join(tmpdir(), 'sb-sla-')), 'sla.json');
// Round the clock, so the clocks run whatever time the test runs at.
writeFileSync(slaFile, JSON.stringify({ hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } }));

let gw: TestGateway;
let admin: SignedIn;
const people: Record<'ann' | 'sam' | 'ana' | 'sue', SignedIn> = {} as never;
const tickets: Record<'payment' | 'fraud', TicketSummary> = {} as never;

async function ticketFrom(text: string, category: string, name: string): Promise<TicketSummary> {
  const message = routedMessage({ conversationKey: `team-${category}-${Date.now()}`, category: category as never, text, sender: { id: `${name.split(' ')[0]!.toLowerCase()}@customer.example`, name, address: `${name.split(' ')[0]!.toLowerCase()}@customer.example` } });
  const [opened] = (await gw.running.store.writeRouted([message])).newTickets;
  return (await gw.running.store.getTicket(opened!.id))!.ticket;
}

beforeAll(async () => {
  gw = await startTestGateway({ presenceGraceMs: 300 }, { SWITCHBOARD_SLA_FILE: slaFile, SWITCHBOARD_ASSIGN_INTERVAL_MS: '200' });
  admin = await signIn(gw.url, TEST_ADMIN.email, TEST_ADMIN.password);
  const team = async (name: string, categories: string[]) => ((await (await admin.call('/api/v1/teams', { body: { name, categories } })).json()) as { team: { id: string } }).team.id;
  const payments = await team('Payments', ['transaction', 'fees_fx']);
  const security = await team('Security and fraud', ['security']);
  const user = async (key: keyof typeof people, role: string, teamIds: string[]) => {
    const created = await admin.call('/api/v1/users', { body: { email: `${key}@wallet.test`, name: key.toUpperCase(), role, password: PASSWORD, teamIds } });
    expect(created.status, await created.clone().text()).toBe(201);
    people[key] = await signIn(gw.url, `${key}@wallet.test`, PASSWORD);
  };
  await user('ann', 'agent', [payments]);
  await user('sam', 'agent', [security]);
  await user('ana', 'analyst', []);
  await user('sue', 'supervisor', []);
  tickets.payment = await ticketFrom('My payment of 38.50 CNY failed, call me on +86 138 0013 8000', 'transaction', 'Chen Jing');
  tickets.fraud = await ticketFrom('Someone took money from my account!', 'security', 'Li Wei');
}, 120_000);

afterAll(async () => {
  await gw?.close();
});

const list = async (who: SignedIn, query = '') => ((await (await who.call(`/api/v1/tickets?limit=500${query}`)).json()) as { tickets: (TicketSummary & { sla?: unknown })[] }).tickets;

describe('what each role may do', () => {
  it("shows an agent their team's queue only, and nothing of the others' tickets", async () => {
    const seen = (await list(people.ann)).map((t) => t.id);
    expect(seen).toContain(tickets.payment.id);
    expect(seen).not.toContain(tickets.fraud.id);
    expect((await people.ann.call(`/api/v1/tickets/${tickets.fraud.id}`)).status).toBe(404);
    expect((await people.sam.call(`/api/v1/tickets/${tickets.fraud.id}`)).status).toBe(200);
  });

  it('lets an agent reply, as themselves, only with the CSRF token; assigning is not theirs', async () => {
    const withoutCsrf = await fetch(`${gw.url}/api/v1/tickets/${tickets.payment.id}/replies`, { method: 'POST', headers: { cookie: people.ann.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'no token' }) });
    expect(withoutCsrf.status).toBe(403);
    const crossSite = await fetch(`${gw.url}/api/v1/tickets/${tickets.payment.id}/replies`, { method: 'POST', headers: { cookie: people.ann.cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ text: 'evil' }) });
    expect(crossSite.status).toBe(403);
    const replied = await people.ann.call(`/api/v1/tickets/${tickets.payment.id}/replies`, { body: { text: 'We are checking the payment now.' } });
    expect(replied.status, await replied.clone().text()).toBe(202);
    const { messages } = (await (await people.ann.call(`/api/v1/tickets/${tickets.payment.id}`)).json()) as { messages: StoredMessage[] };
    expect(messages.find((m) => m.direction === 'outbound')?.author).toEqual({ id: people.ann.user.id, name: 'ANN' });
    expect((await people.ann.call(`/api/v1/tickets/${tickets.payment.id}`, { method: 'PATCH', body: { assignee: people.sam.user.id } })).status).toBe(403);
    expect((await people.ann.call(`/api/v1/tickets/${tickets.payment.id}`, { method: 'PATCH', body: { priority: 'high' } })).status).toBe(200);
  });

  it('gives analysts every queue masked, and no action on a ticket', async () => {
    const seen = await list(people.ana);
    const payment = seen.find((t) => t.id === tickets.payment.id)!;
    expect(payment.customer).toEqual({ id: 'c•••••', name: 'C••• J•••', address: 'c•••@customer.example' });
    expect(seen.some((t) => t.id === tickets.fraud.id)).toBe(true);
    const view = (await (await people.ana.call(`/api/v1/tickets/${tickets.payment.id}`)).json()) as { messages: StoredMessage[] };
    const inbound = view.messages.find((m) => m.direction === 'inbound')!;
    expect(inbound.text).toBe('My payment of 38.50 CNY failed, call me on +86•••••••8000');
    expect(inbound.sender.name).toBe('C••• J•••');
    expect(inbound.meta).toEqual({});
    expect((await people.ana.call(`/api/v1/tickets/${tickets.payment.id}/replies`, { body: { text: 'hi' } })).status).toBe(403);
    expect((await people.ana.call(`/api/v1/tickets/${tickets.payment.id}`, { method: 'PATCH', body: { status: 'resolved' } })).status).toBe(403);
  });

  it('exports tickets with their messages as JSON lines, masked for analysts, and not for agents at all', async () => {
    const exported = await people.ana.call('/api/v1/export');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await exported.text()).trim().split('\n').map((l) => JSON.parse(l) as { ticket: TicketSummary; messages: StoredMessage[] });
    const payment = lines.find((l) => l.ticket.id === tickets.payment.id)!;
    expect(payment.ticket.customer.name).toBe('C••• J•••');
    expect(JSON.stringify(lines)).not.toContain('Chen Jing');
    expect(JSON.stringify(lines)).not.toContain('138 0013 8000');
    expect((await people.ann.call('/api/v1/export')).status).toBe(403);
  });

  it('lets a supervisor assign any ticket and read the audit trail, which names everyone', async () => {
    const assigned = await people.sue.call(`/api/v1/tickets/${tickets.fraud.id}`, { method: 'PATCH', body: { assignee: people.sam.user.id } });
    expect(assigned.status).toBe(200);
    expect((await people.ann.call('/api/v1/audit')).status).toBe(403);
    expect((await people.ann.call('/api/v1/users', { body: { email: 'x@wallet.test', name: 'X', role: 'admin', password: PASSWORD } })).status).toBe(403);
    const { entries } = (await (await people.sue.call('/api/v1/audit?limit=500')).json()) as { entries: { action: string; actorEmail?: string; target?: string }[] };
    const did = (action: string, actor: string, target?: string) => entries.some((e) => e.action === action && e.actorEmail === actor && (target === undefined || e.target === target));
    expect(did('ticket.reply', 'ann@wallet.test', tickets.payment.number)).toBe(true);
    expect(did('ticket.correct', 'ann@wallet.test', tickets.payment.number)).toBe(true);
    expect(did('ticket.assign', 'sue@wallet.test', tickets.fraud.number)).toBe(true);
    expect(did('ticket.view', 'ana@wallet.test', tickets.payment.number)).toBe(true);
    expect(did('session.create', 'ann@wallet.test')).toBe(true);
    expect(did('user.create', TEST_ADMIN.email, 'ann@wallet.test')).toBe(true);
    expect(did('export', 'ana@wallet.test')).toBe(true);
  });
});

describe('signing in', () => {
  it('locks an account after five wrong passwords, even for the right one, and says until when', async () => {
    await admin.call('/api/v1/users', { body: { email: 'lock@wallet.test', name: 'Lock', role: 'agent', password: PASSWORD } });
    const attempt = (password: string) => fetch(`${gw.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'lock@wallet.test', password }) });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(`wrong-password-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    const right = await attempt(PASSWORD);
    expect(right.status).toBe(423);
    expect(((await right.json()) as { lockedUntil: string }).lockedUntil).toMatch(/^\d{4}-/);
  });

  it('gives personal API tokens that act as their owner until revoked, and signs out', async () => {
    const token = await people.sam.apiToken('my script');
    const asSam = (path: string, method = 'GET') => fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    expect((await asSam(`/api/v1/tickets/${tickets.fraud.id}`)).status).toBe(200);
    expect((await asSam(`/api/v1/tickets/${tickets.payment.id}`)).status).toBe(404);
    const { tokens } = (await (await people.sam.call('/api/v1/tokens')).json()) as { tokens: { id: string; name: string }[] };
    const id = tokens.find((t) => t.name === 'my script')!.id;
    expect((await people.sam.call(`/api/v1/tokens/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await asSam('/api/v1/tickets')).status).toBe(401);
    // The machine token of the message API opens nothing else.
    expect((await fetch(`${gw.url}/api/v1/tickets`, { headers: { authorization: 'Bearer test-token-0123456789' } })).status).toBe(401);
    const out = await signIn(gw.url, 'sam@wallet.test', PASSWORD);
    expect((await out.call('/api/v1/session', { method: 'DELETE' })).status).toBe(200);
    expect((await out.call('/api/v1/tickets')).status).toBe(401);
  });
});

describe('SLA clocks', () => {
  it('runs the first-response clock until an agent answers, then shows it met', async () => {
    const fresh = await ticketFrom('Why was I charged twice?', 'fees_fx', 'Wu Min');
    const before = (await (await people.ann.call(`/api/v1/tickets/${fresh.id}`)).json()) as { sla: { firstResponse: { state: string; dueAt?: string } } };
    expect(before.sla.firstResponse.state).toBe('running');
    expect(Date.parse(before.sla.firstResponse.dueAt!)).toBeGreaterThan(Date.now());
    await people.ann.call(`/api/v1/tickets/${fresh.id}/replies`, { body: { text: 'Looking into it.' } });
    const after = (await (await people.ann.call(`/api/v1/tickets/${fresh.id}`)).json()) as { sla: { firstResponse: { state: string } } };
    expect(after.sla.firstResponse.state).toBe('met');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_sla_tickets\{clock="firstResponse",state="met",priority="normal"\} [1-9]/);
  });
});

/** Reads server-sent events from `/api/v1/events` until `stop` is called. */
function listen(who: SignedIn, lastEventId?: string) {
  const events: { id: string; type: string; ticketId?: string; data: Record<string, unknown> }[] = [];
  const abort = new AbortController();
  const ready = (async () => {
    const response = await fetch(`${gw.url}/api/v1/events`, { headers: { cookie: who.cookie, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += new TextDecoder().decode(value);
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            const type = frame.split('\n').find((l) => l.startsWith('event: '))?.slice(7);
            if (data && type && type !== 'ready') events.push(JSON.parse(data.slice(6)));
          }
        }
      } catch {
        // aborted
      }
    })();
  })();
  return { events, ready, stop: () => abort.abort() };
}

describe('the live event stream and assignment', () => {
  it("pushes the changes a person may see, and resumes after the last event it had", async () => {
    const ann = listen(people.ann);
    await ann.ready;
    await gw.running.store.writeRouted([routedMessage({ conversationKey: `live-${Date.now()}`, category: 'transaction', text: 'Is my transfer through?' })]);
    await gw.running.store.writeRouted([routedMessage({ conversationKey: `live-sec-${Date.now()}`, category: 'security', text: 'Locked out!' })]);
    const opened = await eventually(() => ann.events.find((e) => e.type === 'ticket.opened' && e.data.category === 'transaction'), 10_000, 'the new payment ticket pushed to ann');
    await new Promise((r) => setTimeout(r, 700));
    expect(ann.events.some((e) => e.data.category === 'security')).toBe(false);
    ann.stop();
    // While ann is away, her ticket changes; a reconnect with the last id she had brings it.
    await people.sue.call(`/api/v1/tickets/${opened.ticketId}`, { method: 'PATCH', body: { status: 'pending' } });
    const again = listen(people.ann, ann.events.at(-1)!.id);
    await again.ready;
    await eventually(() => again.events.find((e) => e.type === 'ticket.changed' && e.ticketId === opened.ticketId && e.data.status === 'pending'), 10_000, 'the change she missed');
    again.stop();
  });

  it('assigns new tickets to the online agent of their team, and re-offers them when the agent goes away before answering', async () => {
    const ann = listen(people.ann);
    await ann.ready;
    const fresh = await ticketFrom('My card payment is pending since yesterday', 'transaction', 'Zhou Yan');
    const assigned = await eventually(async () => (await gw.running.store.getTicket(fresh.id))!.ticket.assignee, 10_000, 'the ticket assigned');
    expect(assigned).toBe(people.ann.user.id);
    ann.stop();
    await eventually(async () => (await gw.running.store.getTicket(fresh.id))!.ticket.assignee === undefined, 10_000, 'the ticket back in the queue');
    const { entries } = (await (await admin.call('/api/v1/audit?action=ticket.assign&limit=500')).json()) as { entries: { actorEmail?: string; target?: string; details: { to: string | null } }[] };
    expect(entries.filter((e) => e.target === fresh.number && e.actorEmail === 'system').map((e) => e.details.to)).toEqual([null, people.ann.user.id]);
  });
});
