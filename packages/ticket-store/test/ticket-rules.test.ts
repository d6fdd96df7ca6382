import { describe, expect, it } from 'vitest';
import type { Priority } from '@switchboard/schema';
import { routedMessage } from '@switchboard/testkit';
import { planTickets, type CurrentTicket, type PlannedMessage, type TicketPlan } from '../src/ticket-rules.ts';

const HOUR = 3_600_000;
const WINDOW = 72 * HOUR;
const T0 = Date.parse('2026-11-20T08:00:00Z');

/** Message id → the short name a table row gives it. */
const names = new Map<string, string>();
const nameOf = (id: string) => names.get(id) ?? id;

/** Message `name` of conversation `c` at `hour` hours after T0; `auto` marks automatic mail. */
function msg(name: string, c: string, hour: number, options: { priority?: Priority; auto?: boolean; event?: { opensTicket?: boolean } } = {}): PlannedMessage {
  const message = routedMessage({
    externalId: `${name}-${c}-${hour}@customer.example`,
    conversationKey: c,
    sentAt: new Date(T0 + hour * HOUR).toISOString(),
    priority: options.priority ?? 'normal',
    ...(options.auto ? { autoSubmitted: 'auto-replied' } : {}),
    ...(options.event ? { event: { type: 'CLICK', fields: {}, ...options.event } } : {}),
  });
  names.set(message.id, name);
  return { message, conversationId: `cv-${c}`, contactId: `ct-${c}` };
}

const ticket = (c: string, status: CurrentTicket['status'], resolvedHour: number | null = null): [string, CurrentTicket] => [
  `cv-${c}`,
  { id: `tkt-old-${c}`, status, resolvedAt: resolvedHour === null ? null : T0 + resolvedHour * HOUR },
];

const plan = (messages: PlannedMessage[], current: [string, CurrentTicket][] = []): TicketPlan => planTickets(messages, new Map(current), WINDOW, (id) => `tkt-${nameOf(id)}`);

/** The plan in a few words per message, and per ticket touched, for the table. */
function summary(p: TicketPlan) {
  return {
    placed: Object.fromEntries([...p.ticketOf].map(([id, ticketId]) => [nameOf(id), ticketId])),
    created: p.created.map((t) => ({ id: t.id, count: t.count, priority: t.priority, linked: t.linkedTicketId })),
    changes: p.changes.map((c) => ({ id: c.id, added: c.added, status: c.status, priority: c.priority, reopened: c.reopened })),
    reopened: p.reopened,
  };
}

describe('ticket rules (no database)', () => {
  it.each<[string, PlannedMessage[], [string, CurrentTicket][], ReturnType<typeof summary>]>([
    [
      'a first message opens a ticket, the next ones join it, priority rises to the highest',
      [msg('m1', 'a', 0), msg('m2', 'a', 1, { priority: 'urgent' }), msg('m3', 'a', 2, { priority: 'low' })],
      [],
      { placed: { m1: 'tkt-m1', m2: 'tkt-m1', m3: 'tkt-m1' }, created: [{ id: 'tkt-m1', count: 3, priority: 'urgent', linked: null }], changes: [], reopened: [] },
    ],
    [
      'an event stays on its conversation: it opens no ticket and joins none; one that asks for a person does',
      [msg('follow', 'a', 0, { event: {} }), msg('agent', 'b', 0, { event: { opensTicket: true } }), msg('located', 'c', 1, { event: {} })],
      [ticket('c', 'open')],
      { placed: { agent: 'tkt-agent' }, created: [{ id: 'tkt-agent', count: 1, priority: 'normal', linked: null }], changes: [], reopened: [] },
    ],
    [
      'a message joins the open ticket of its conversation and raises its priority',
      [msg('m1', 'a', 0, { priority: 'high' })],
      [ticket('a', 'open')],
      { placed: { m1: 'tkt-old-a' }, created: [], changes: [{ id: 'tkt-old-a', added: 1, status: 'open', priority: 'high', reopened: false }], reopened: [] },
    ],
    [
      'a customer answering a pending ticket makes it open again',
      [msg('m1', 'a', 0)],
      [ticket('a', 'pending')],
      { placed: { m1: 'tkt-old-a' }, created: [], changes: [{ id: 'tkt-old-a', added: 1, status: 'open', priority: 'normal', reopened: false }], reopened: [] },
    ],
    [
      'within the reopen window of the resolution: the ticket reopens',
      [msg('m1', 'a', 50)],
      [ticket('a', 'resolved', 0)],
      { placed: { m1: 'tkt-old-a' }, created: [], changes: [{ id: 'tkt-old-a', added: 1, status: 'open', priority: 'normal', reopened: true }], reopened: ['tkt-old-a'] },
    ],
    [
      'after the window: a new ticket, linked to the resolved one; the next message joins the new one',
      [msg('m1', 'a', 100), msg('m2', 'a', 101)],
      [ticket('a', 'resolved', 0)],
      { placed: { m1: 'tkt-m1', m2: 'tkt-m1' }, created: [{ id: 'tkt-m1', count: 2, priority: 'normal', linked: 'tkt-old-a' }], changes: [], reopened: [] },
    ],
    [
      'automatic mail joins a resolved ticket without reopening it and raises no priority',
      [msg('m1', 'a', 200, { auto: true, priority: 'urgent' })],
      [ticket('a', 'resolved', 0)],
      { placed: { m1: 'tkt-old-a' }, created: [], changes: [{ id: 'tkt-old-a', added: 1, status: 'resolved', priority: null, reopened: false }], reopened: [] },
    ],
    [
      'automatic mail leaves a pending ticket pending',
      [msg('m1', 'a', 0, { auto: true })],
      [ticket('a', 'pending')],
      { placed: { m1: 'tkt-old-a' }, created: [], changes: [{ id: 'tkt-old-a', added: 1, status: 'pending', priority: null, reopened: false }], reopened: [] },
    ],
    [
      'automatic mail with no ticket is stored without one; the customer after it opens the ticket',
      [msg('m1', 'a', 0, { auto: true }), msg('m2', 'a', 1)],
      [],
      { placed: { m2: 'tkt-m2' }, created: [{ id: 'tkt-m2', count: 1, priority: 'normal', linked: null }], changes: [], reopened: [] },
    ],
    [
      'automatic mail, then a customer reopening: one change, reopened, the customer’s priority',
      [msg('m1', 'a', 10, { auto: true, priority: 'urgent' }), msg('m2', 'a', 11, { priority: 'high' })],
      [ticket('a', 'resolved', 0)],
      { placed: { m1: 'tkt-old-a', m2: 'tkt-old-a' }, created: [], changes: [{ id: 'tkt-old-a', added: 2, status: 'open', priority: 'high', reopened: true }], reopened: ['tkt-old-a'] },
    ],
    [
      'conversations are independent within one batch',
      [msg('m1', 'a', 0), msg('m2', 'b', 0), msg('m3', 'a', 1)],
      [ticket('b', 'open')],
      {
        placed: { m1: 'tkt-m1', m2: 'tkt-old-b', m3: 'tkt-m1' },
        created: [{ id: 'tkt-m1', count: 2, priority: 'normal', linked: null }],
        changes: [{ id: 'tkt-old-b', added: 1, status: 'open', priority: 'normal', reopened: false }],
        reopened: [],
      },
    ],
  ])('%s', (_case, messages, current, expected) => {
    expect(summary(plan(messages, current))).toEqual(expected);
  });

  it('keeps the latest send time of a ticket, whatever the order within the batch', () => {
    const p = plan([msg('m1', 'a', 5), msg('m2', 'a', 3)], [ticket('a', 'open')]);
    expect(p.changes[0]!.lastAt).toBe(new Date(T0 + 5 * HOUR).toISOString());
  });
});
