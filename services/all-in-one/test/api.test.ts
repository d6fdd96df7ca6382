import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES, messageId, OutboundMessage } from '@switchboard/schema';
import { eventually, readAll } from '@switchboard/testkit';
import type { StoredMessage, TicketSummary } from '@switchboard/ticket-store';
import { MAX_BODY, startTestSwitchboard, type TestSwitchboard } from './helpers.ts';

let sb: TestSwitchboard;

beforeAll(async () => {
  sb = await startTestSwitchboard();
});

afterAll(async () => {
  await sb?.close();
});

const message = (externalId: string, extra: Record<string, unknown> = {}) => ({
  externalId,
  sender: { id: `cust-${externalId}`, name: 'Ann Lee', address: 'ann@example.com' },
  subject: 'Payment failed',
  text: 'I paid 25 EUR at a shop yesterday, the app says the payment failed but my balance went down.',
  ...extra,
});

async function post(body: unknown): Promise<{ id: string; conversationKey: string }> {
  const response = await sb.call('/api/v1/messages', { body });
  expect(response.status, await response.clone().text()).toBe(202);
  return (await response.json()) as { id: string; conversationKey: string };
}

async function listTickets(query = ''): Promise<TicketSummary[]> {
  const response = await sb.call(`/api/v1/tickets${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { tickets: TicketSummary[] }).tickets;
}

async function ticketOf(conversationKey: string, messageCount = 1): Promise<TicketSummary> {
  return eventually(
    async () => (await listTickets()).find((t) => t.conversationKey === conversationKey && t.messageCount === messageCount),
    20_000,
    `ticket of ${conversationKey} with ${messageCount} message(s)`,
  );
}

describe('the API channel and the read API, end to end through Kafka, the router and the sink', () => {
  it('turns a posted message into a ticket with a category, readable with its messages', async () => {
    const accepted = await post(message('e2e-1'));
    expect(accepted).toEqual({ id: messageId('api', 'api', 'e2e-1'), conversationKey: 'api:cust-e2e-1' });

    const ticket = await ticketOf(accepted.conversationKey);
    expect(ticket.channel).toBe('api');
    expect(ticket.messageCount).toBe(1);
    expect(CATEGORIES).toContain(ticket.category);
    expect(ticket.customer.id).toBe('cust-e2e-1');

    const response = await sb.call(`/api/v1/tickets/${ticket.id}`);
    expect(response.status).toBe(200);
    const detail = (await response.json()) as { ticket: TicketSummary; messages: StoredMessage[] };
    expect(detail.ticket.id).toBe(ticket.id);
    expect(detail.messages).toHaveLength(1);
    expect(detail.messages[0]).toMatchObject({ id: accepted.id, direction: 'inbound', channel: 'api', externalId: 'e2e-1', subject: 'Payment failed' });
    expect(detail.messages[0]!.text).toContain('balance went down');

    const byNumber = await sb.call(`/api/v1/tickets/${ticket.number}`);
    expect(((await byNumber.json()) as { ticket: TicketSummary }).ticket.id).toBe(ticket.id);
  });

  it('keeps one message and one ticket when the same externalId is posted twice', async () => {
    const first = await post(message('dup-1', { conversationKey: 'dup-conv' }));
    const second = await post(message('dup-1', { conversationKey: 'dup-conv' }));
    expect(second.id).toBe(first.id);
    // A later message on the same conversation (same partition, so processed after both copies) proves the copy was seen and dropped.
    await post(message('dup-2', { conversationKey: 'dup-conv', text: 'Any news about my payment?' }));
    const ticket = await ticketOf('dup-conv', 2);
    const tickets = (await listTickets()).filter((t) => t.conversationKey === 'dup-conv');
    expect(tickets).toHaveLength(1);
    const detail = (await (await sb.call(`/api/v1/tickets/${ticket.id}`)).json()) as { messages: StoredMessage[] };
    expect(detail.messages.map((m) => m.externalId)).toEqual(['dup-1', 'dup-2']);
  });

  it('filters the ticket list and answers 400 on an invalid filter', async () => {
    await post(message('filter-1', { conversationKey: 'filter-conv', text: 'zebra-unique-word my card was charged twice' }));
    await ticketOf('filter-conv');
    const found = await listTickets('?q=zebra-unique-word&channel=api&limit=5&sort=urgent');
    expect(found.map((t) => t.conversationKey)).toEqual(['filter-conv']);
    expect(await listTickets('?channel=email')).toEqual([]);
    expect((await listTickets('?q=&status=')).length).toBeGreaterThan(0);
    const bad = await sb.call('/api/v1/tickets?status=bogus&limit=0');
    expect(bad.status).toBe(400);
    const reason = ((await bad.json()) as { error: string }).error;
    expect(reason).toMatch(/status/);
    expect(reason).toMatch(/limit/);
  });

  it('updates a ticket with PATCH and validates the patch', async () => {
    await post(message('patch-1', { conversationKey: 'patch-conv' }));
    const ticket = await ticketOf('patch-conv');
    const response = await sb.call(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { status: 'resolved', priority: 'urgent', assignee: 'mia' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { ticket: TicketSummary }).ticket).toMatchObject({ id: ticket.id, status: 'resolved', priority: 'urgent', assignee: 'mia' });
    const reread = (await (await sb.call(`/api/v1/tickets/${ticket.id}`)).json()) as { ticket: TicketSummary };
    expect(reread.ticket.status).toBe('resolved');

    const invalid = await sb.call(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { status: 'closed' } });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/status/);
    const empty = await sb.call(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: {} });
    expect(empty.status).toBe(400);
    const unknown = await sb.call('/api/v1/tickets/tkt_nope', { method: 'PATCH', body: { status: 'open' } });
    expect(unknown.status).toBe(404);
    expect((await sb.call('/api/v1/tickets/tkt_nope')).status).toBe(404);
  });

  it('produces one outbound reply for a repeated Idempotency-Key and stores it queued', async () => {
    const accepted = await post(message('reply-1', { conversationKey: 'reply-conv', subject: 'Card blocked' }));
    const ticket = await ticketOf('reply-conv');
    const send = () =>
      sb.call(`/api/v1/tickets/${ticket.id}/replies`, { body: { text: 'We unblocked your card.' }, headers: { 'idempotency-key': 'agent-42-reply-1' } });
    const [one, two] = await Promise.all([send(), send()]);
    const three = await send();
    const ids = await Promise.all([one, two, three].map(async (r) => {
      expect(r.status).toBe(202);
      return ((await r.json()) as { id: string }).id;
    }));
    expect(new Set(ids).size).toBe(1);

    const outbound = (await readAll(sb.kafka, sb.running.topics.outbound)).map((r) => ({ key: r.key, value: OutboundMessage.parse(JSON.parse(r.value)) }));
    const replies = outbound.filter((r) => r.value.ticketId === ticket.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.key).toBe('reply-conv');
    expect(replies[0]!.value).toMatchObject({
      id: ids[0],
      kind: 'reply',
      ticketNumber: ticket.number,
      channel: 'api',
      account: 'api',
      conversationKey: 'reply-conv',
      recipient: { id: 'cust-reply-1', name: 'Ann Lee', address: 'ann@example.com' },
      inReplyTo: { messageId: accepted.id, externalId: 'reply-1', references: [] },
      subject: 'Card blocked',
      text: 'We unblocked your card.',
      public: false,
    });

    const detail = (await (await sb.call(`/api/v1/tickets/${ticket.id}`)).json()) as { messages: StoredMessage[] };
    const stored = detail.messages.filter((m) => m.direction === 'outbound');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: ids[0], deliveryState: 'queued', kind: 'reply', text: 'We unblocked your card.' });

    const fresh = await sb.call(`/api/v1/tickets/${ticket.id}/replies`, { body: { text: 'One more thing.' } });
    expect(fresh.status).toBe(202);
    expect(((await fresh.json()) as { id: string }).id).not.toBe(ids[0]);
    const missing = await sb.call('/api/v1/tickets/tkt_nope/replies', { body: { text: 'hello' } });
    expect(missing.status).toBe(404);
    const blank = await sb.call(`/api/v1/tickets/${ticket.id}/replies`, { body: { text: '  ' } });
    expect(blank.status).toBe(400);
  });
});

describe('input the API channel refuses', () => {
  it('answers 400 with the parser reason on a body that is not JSON', async () => {
    const response = await sb.call('/api/v1/messages', { raw: '{"externalId": "x",' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/not valid JSON/);
  });

  it('answers 400 naming each missing or wrong field', async () => {
    const response = await sb.call('/api/v1/messages', { body: { externalId: 'x', sender: {}, sentAt: 'yesterday', convresationKey: 'typo' } });
    expect(response.status).toBe(400);
    const reason = ((await response.json()) as { error: string }).error;
    expect(reason).toContain('sender.id');
    expect(reason).toContain('text');
    expect(reason).toContain('sentAt');
    expect(reason).toContain('convresationKey');
  });

  it('answers 413 to a body over the cap', async () => {
    const response = await sb.call('/api/v1/messages', { body: message('big', { text: 'x'.repeat(MAX_BODY + 10) }) });
    expect(response.status).toBe(413);
  });

  it('answers 401 without the bearer token, or with a wrong one, on every /api/v1 route', async () => {
    const routes: { path: string; method: string; body?: unknown }[] = [
      { path: '/api/v1/messages', method: 'POST', body: message('auth-1') },
      { path: '/api/v1/tickets', method: 'GET' },
      { path: '/api/v1/tickets/tkt_x', method: 'GET' },
      { path: '/api/v1/tickets/tkt_x', method: 'PATCH', body: { status: 'open' } },
      { path: '/api/v1/tickets/tkt_x/replies', method: 'POST', body: { text: 'hi' } },
    ];
    for (const route of routes) {
      for (const token of [null, 'wrong-token']) {
        const response = await sb.call(route.path, { method: route.method, body: route.body, token });
        expect(response.status, `${route.method} ${route.path} with token ${token}`).toBe(401);
      }
    }
  });
});

describe('health, readiness and metrics', () => {
  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${sb.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${sb.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', ready: true, kafka: { ready: true }, store: { ready: true }, channels: { api: { ready: true } } });
  });

  it('exposes Prometheus metrics with message counts, consumer lag and the DLQ size', async () => {
    await post(message('metrics-1'));
    const response = await fetch(`${sb.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const { topics } = sb.running;
    expect(text).toContain(`switchboard_messages_total{topic="${topics.inbound}",direction="out"}`);
    const lagOf = (group: string, topic: string) => text.split('\n').find((line) => line.startsWith(`switchboard_consumer_lag{group="${group}",topic="${topic}"} `));
    expect(lagOf(`${sb.prefix}switchboard-router`, topics.inbound)).toMatch(/ \d+$/);
    expect(lagOf(`${sb.prefix}switchboard-ticket-sink`, topics.routed)).toMatch(/ \d+$/);
    expect(lagOf(`${sb.prefix}switchboard-delivery-sink`, topics.delivery)).toMatch(/ \d+$/);
    expect(text).toContain(`switchboard_dlq_size{topic="${topics.dlq}"} 0`);
  });
});
