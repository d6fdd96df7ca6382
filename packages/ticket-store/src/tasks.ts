import type { Queryable } from '@switchboard/db';
import { toRelated, toTask } from './rows.ts';
import type { RelatedConversation, TicketTask } from './types.ts';

const TICKET_ID = `(SELECT id FROM tickets WHERE id = $1::text OR number = upper($1::text))`;

/** Inserts the task unless its id exists; undefined when the ticket does not. */
export async function addTask(q: Queryable, idOrNumber: string, task: { id: string; text: string; createdAt?: string }): Promise<{ task: TicketTask; created: boolean } | undefined> {
  const inserted = await q.query(
    `INSERT INTO ticket_tasks (id, ticket_id, text, created_at)
     SELECT $2::text, t.id, $3::text, COALESCE($4::timestamptz, now()) FROM tickets t WHERE t.id = ${TICKET_ID}
     ON CONFLICT (id) DO NOTHING RETURNING *`,
    [idOrNumber, task.id, task.text, task.createdAt ?? null],
  );
  if (inserted.rows[0]) return { task: toTask(inserted.rows[0]), created: true };
  // Already there (a retried request), or no such ticket.
  const existing = await q.query(`SELECT * FROM ticket_tasks WHERE id = $2::text AND ticket_id = ${TICKET_ID}`, [idOrNumber, task.id]);
  return existing.rows[0] ? { task: toTask(existing.rows[0]), created: false } : undefined;
}

export async function setTaskDone(q: Queryable, idOrNumber: string, taskId: string, done: boolean): Promise<TicketTask | undefined> {
  const { rows } = await q.query(
    `UPDATE ticket_tasks SET done_at = CASE WHEN $3::boolean THEN COALESCE(done_at, now()) ELSE NULL END
     WHERE id = $2::text AND ticket_id = ${TICKET_ID} RETURNING *`,
    [idOrNumber, taskId, done],
  );
  return rows[0] ? toTask(rows[0]) : undefined;
}

export async function tasksOf(q: Queryable, ticketId: string): Promise<TicketTask[]> {
  const { rows } = await q.query('SELECT * FROM ticket_tasks WHERE ticket_id = $1::text ORDER BY created_at, id', [ticketId]);
  return rows.map(toTask);
}

/**
 * The other conversations whose customer has the phone number of this ticket's customer, on any channel
 * (one customer's calls and chat messages), latest first.
 */
export async function relatedByPhone(q: Queryable, ticketId: string, limit = 20): Promise<RelatedConversation[]> {
  const { rows } = await q.query(
    `SELECT c.channel, c.account, c.conversation_key, c.last_message_at, c.ticket_id, lt.number, lt.status
     FROM tickets t
     JOIN contacts me ON me.id = t.contact_id AND me.phone IS NOT NULL
     JOIN contacts other ON other.phone = me.phone
     JOIN conversations c ON c.contact_id = other.id AND c.id <> t.conversation_id
     LEFT JOIN tickets lt ON lt.id = c.ticket_id
     WHERE t.id = $1::text
     ORDER BY c.last_message_at DESC NULLS LAST, c.id LIMIT $2::int`,
    [ticketId, limit],
  );
  return rows.map(toRelated);
}
