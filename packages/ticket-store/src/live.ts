import type { Queryable } from '@switchboard/db';
import type { Priority } from '@switchboard/schema';
import { iso } from './rows.ts';
import { IN_LIST, jsonParam } from './write.ts';
import type { QueuedTicketRow, TicketEvent, TicketStatus } from './types.ts';

/**
 * What the team layer reads beside the tickets: the live feed the triggers of migration 4 write, and the
 * queue of open work with the times its SLA clocks need.
 */
export async function eventsAfter(db: Queryable, afterId: string, limit: number): Promise<TicketEvent[]> {
  const { rows } = await db.query<{ id: string; at: unknown; type: TicketEvent['type']; ticket_id: string | null; data: unknown }>(
    'SELECT id::text AS id, at, type, ticket_id, data FROM events WHERE id > $1::bigint ORDER BY id LIMIT $2',
    [afterId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    at: iso(r.at),
    type: r.type,
    ...(r.ticket_id ? { ticketId: r.ticket_id } : {}),
    data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
  }));
}

export async function lastEventId(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string | null }>('SELECT max(id)::text AS id FROM events');
  return rows[0]?.id ?? '0';
}

type HistoryRow = { ticket_id: string; status: string; at: unknown };

/** Times a ticket waited on the customer or stood resolved, from its status history (oldest first). */
export function pausesOf(history: readonly { status: string; at: Date }[]): { from: Date; to?: Date }[] {
  const pauses: { from: Date; to?: Date }[] = [];
  for (let i = 0; i < history.length; i++) {
    const entry = history[i]!;
    if (entry.status !== 'pending' && entry.status !== 'resolved') continue;
    const next = history[i + 1];
    pauses.push(next ? { from: entry.at, to: next.at } : { from: entry.at });
  }
  return pauses;
}

export async function queue(db: Queryable, ids?: readonly string[]): Promise<QueuedTicketRow[]> {
  const where = ids ? `t.id IN ${IN_LIST('$1')}` : `t.status IN ('open', 'pending')`;
  const params = ids ? [jsonParam(ids)] : [];
  const tickets = await db.query<{ id: string; number: string; category: string; priority: Priority; status: TicketStatus; created_at: unknown; assignee: string | null; first_response_at: unknown; resolved_at: unknown }>(
    `SELECT t.id, t.number, t.category, t.priority, t.status, t.created_at, t.assignee, t.first_response_at, t.resolved_at FROM tickets t WHERE ${where} ORDER BY t.seq`,
    params,
  );
  if (tickets.rows.length === 0) return [];
  const history = await db.query<HistoryRow>(`SELECT ticket_id, status, at FROM ticket_status_history WHERE ticket_id IN ${IN_LIST('$1')} ORDER BY ticket_id, at`, [
    jsonParam(tickets.rows.map((t) => t.id)),
  ]);
  const byTicket = new Map<string, { status: string; at: Date }[]>();
  for (const h of history.rows) {
    const list = byTicket.get(h.ticket_id) ?? [];
    list.push({ status: h.status, at: new Date(iso(h.at)) });
    byTicket.set(h.ticket_id, list);
  }
  const date = (v: unknown) => (v === null || v === undefined ? undefined : new Date(iso(v)));
  return tickets.rows.map((t) => ({
    id: t.id,
    number: t.number,
    category: t.category,
    priority: t.priority,
    status: t.status,
    createdAt: date(t.created_at)!,
    ...(t.assignee ? { assignee: t.assignee } : {}),
    ...(date(t.first_response_at) ? { firstResponseAt: date(t.first_response_at)! } : {}),
    ...(t.status === 'resolved' && date(t.resolved_at) ? { resolvedAt: date(t.resolved_at)! } : {}),
    pauses: pausesOf(byTicket.get(t.id) ?? []),
  }));
}

export async function assign(db: Queryable, changes: readonly { ticketId: string; assignee: string | null }[]): Promise<void> {
  if (changes.length === 0) return;
  await db.query(
    `UPDATE tickets t SET assignee = x.assignee, updated_at = now()
     FROM jsonb_to_recordset($1::text::jsonb) AS x(ticket_id text, assignee text)
     WHERE t.id = x.ticket_id AND t.assignee IS DISTINCT FROM x.assignee`,
    [jsonParam(changes.map((c) => ({ ticket_id: c.ticketId, assignee: c.assignee })))],
  );
}
