/**
 * The live feed and the queue: events written by the database's triggers whoever writes (the sink's
 * batch, a PATCH, a recorded reply, a delivery report), the status history the SLA clocks read, first
 * responses, assignment and what an agent may see.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { stableId, type OutboundMessage } from '@switchboard/schema';
import { pausesOf, type TicketStore } from '../src/index.ts';
import { BACKENDS, routedMessage, uniqueKey, storeForTests } from './fixtures.ts';

const reply = (ticket: { id: string; number: string }, m: ReturnType<typeof routedMessage>, text: string): OutboundMessage => ({
  schemaVersion: 1,
  id: stableId('reply', ticket.id, text),
  kind: 'reply',
  ticketId: ticket.id,
  ticketNumber: ticket.number,
  channel: m.channel,
  account: m.account,
  conversationKey: m.conversationKey,
  recipient: m.sender,
  public: false,
  text,
  author: { id: 'usr_ann', name: 'Ann Lee' },
  createdAt: new Date().toISOString(),
  meta: {},
});

describe.each(BACKENDS)('the live feed on $name', (backend) => {
  const current = storeForTests(backend);
  let store: TicketStore;
  beforeAll(() => {
    store = current();
  });

  it('records every change as an event, in order, with what decides who may see it', async () => {
    const start = await store.lastEventId();
    const opening = routedMessage({ conversationKey: uniqueKey('live'), category: 'refund' });
    const ticket = (await store.writeRouted([opening])).newTickets[0]!;
    await store.updateTicket(ticket.id, { status: 'pending', assignee: 'usr_ann' });
    await store.recordOutbound(reply(ticket, opening, 'Your refund is on its way.'));
    await store.applyDelivery({ schemaVersion: 1, outboundId: stableId('reply', ticket.id, 'Your refund is on its way.'), ticketId: ticket.id, channel: opening.channel, status: 'sent', at: new Date().toISOString() });
    const events = (await store.eventsAfter(start, 100)).filter((e) => e.ticketId === ticket.id);
    expect(events.map((e) => e.type)).toEqual(['ticket.opened', 'message', 'ticket.changed', 'message', 'message.changed']);
    expect(events[0]!.data).toMatchObject({ number: ticket.number, category: 'refund', status: 'open' });
    expect(events[2]!.data).toMatchObject({ status: 'pending', assignee: 'usr_ann', category: 'refund' });
    expect(events[3]!.data).toMatchObject({ direction: 'outbound', kind: 'reply', assignee: 'usr_ann' });
    expect(events[4]!.data).toMatchObject({ deliveryState: 'sent' });
    expect(Number(events[4]!.id)).toBeGreaterThan(Number(events[0]!.id));
    expect(await store.lastEventId()).toBe(events.at(-1)!.id);

    const { ticket: read, messages } = (await store.getTicket(ticket.id))!;
    expect(read.firstResponseAt).toBeDefined();
    expect(messages.find((m) => m.direction === 'outbound')?.author).toEqual({ id: 'usr_ann', name: 'Ann Lee' });
  });

  it('gives the SLA clocks the times the ticket waited, and assigns in one statement', async () => {
    const opening = routedMessage({ conversationKey: uniqueKey('queue'), category: 'security', priority: 'urgent' });
    const ticket = (await store.writeRouted([opening])).newTickets[0]!;
    await store.updateTicket(ticket.id, { status: 'pending' });
    await store.writeRouted([routedMessage({ conversationKey: opening.conversationKey, text: 'Here is the screenshot.' })]);
    const [queued] = await store.queue([ticket.id]);
    expect(queued).toMatchObject({ id: ticket.id, status: 'open', category: 'security', priority: 'urgent' });
    expect(queued!.pauses).toHaveLength(1);
    expect(queued!.pauses[0]!.to).toBeDefined();
    expect((await store.queue()).map((t) => t.id)).toContain(ticket.id);

    await store.assign([{ ticketId: ticket.id, assignee: 'usr_sec' }]);
    expect((await store.getTicket(ticket.id))!.ticket.assignee).toBe('usr_sec');
    expect((await store.listTickets({ assignee: 'usr_sec' })).map((t) => t.id)).toEqual([ticket.id]);
    await store.assign([{ ticketId: ticket.id, assignee: null }]);
    expect((await store.listTickets({ unassigned: true })).map((t) => t.id)).toContain(ticket.id);
  });

  it("shows an agent their teams' categories and what is assigned to them, nothing else", async () => {
    const key = uniqueKey('visible');
    const fees = (await store.writeRouted([routedMessage({ conversationKey: `${key}-fees`, category: 'fees_fx' })])).newTickets[0]!;
    const account = (await store.writeRouted([routedMessage({ conversationKey: `${key}-acct`, category: 'account' })])).newTickets[0]!;
    const mine = (await store.writeRouted([routedMessage({ conversationKey: `${key}-mine`, category: 'account' })])).newTickets[0]!;
    await store.assign([{ ticketId: mine.id, assignee: 'usr_bo' }]);
    const seen = (await store.listTickets({ limit: 500 }, { categories: ['fees_fx'], userId: 'usr_bo' })).map((t) => t.id);
    expect(seen).toContain(fees.id);
    expect(seen).toContain(mine.id);
    expect(seen).not.toContain(account.id);
  });
});

describe('pauses from a status history', () => {
  const d = (n: number) => new Date(Date.UTC(2026, 11, 7, n));
  it.each([
    ['never paused', [['open', 1]], []],
    ['waiting now', [['open', 1], ['pending', 2]], [{ from: d(2) }]],
    ['waited, then back', [['open', 1], ['pending', 2], ['open', 4]], [{ from: d(2), to: d(4) }]],
    ['resolved, then reopened', [['open', 1], ['resolved', 3], ['open', 9], ['pending', 10], ['resolved', 11]], [{ from: d(3), to: d(9) }, { from: d(10), to: d(11) }, { from: d(11) }]],
  ] as const)('%s', (_what, history, pauses) => {
    expect(pausesOf(history.map(([status, hour]) => ({ status, at: d(hour) })))).toEqual(pauses);
  });
});
