import { PRIORITIES, stableId, type Channel, type Priority, type RoutedMessage } from '@switchboard/schema';
import type { Queryable } from './db.ts';
import type { OpenedTicket, TicketRef } from './types.ts';
import { previewOf } from './rows.ts';

/**
 * Writing a batch of routed messages, set-based: a fixed number of statements per batch whatever its
 * size (contacts, conversations, messages, tickets each in one statement), the ticket rules applied in
 * memory in between. Runs inside the caller's transaction.
 */

export const PRIORITY_ORDER = `ARRAY['urgent', 'high', 'normal', 'low']`;

/** Array parameters as JSON text: both drivers pass text unchanged, whatever their array handling. */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value);
}
export const IN_LIST = (param: string) => `(SELECT jsonb_array_elements_text(${param}::text::jsonb))`;

const rank = (priority: Priority) => PRIORITIES.indexOf(priority);
const higher = (a: Priority, b: Priority): Priority => (rank(a) <= rank(b) ? a : b);

export function contactIdOf(m: RoutedMessage): string {
  return stableId('ct', m.channel, m.account, m.sender.id);
}
export function conversationIdOf(m: RoutedMessage): string {
  return stableId('cv', m.channel, m.account, m.conversationKey);
}
/** Derived from the opening message, so the ticket (and its ack id) is the same whoever writes it. */
export function ticketIdOf(openingMessageId: string): string {
  return stableId('tkt', openingMessageId);
}
export function ticketNumber(seq: number): string {
  return `SB-${String(seq).padStart(6, '0')}`;
}

export interface PlacementOutcome {
  inserted: string[];
  newTickets: OpenedTicket[];
  reopened: TicketRef[];
}

/**
 * Another writer stored some of these messages between the caller's duplicate check and the
 * conversation locks: the placement was computed for messages that are not new. The transaction is
 * rolled back and the batch written again, when the check sees them.
 */
export class ConcurrentWriteError extends Error {
  override readonly name = 'ConcurrentWriteError';
  constructor(readonly messageIds: string[]) {
    super(`${messageIds.length} message(s) were stored by another writer meanwhile: ${messageIds.slice(0, 3).join(', ')}`);
  }
}

interface TicketState {
  id: string;
  status: 'open' | 'pending' | 'resolved';
  resolvedAt: number | null;
  isNew: boolean;
}

interface ExistingChange {
  id: string;
  added: number;
  lastAt: string;
  /** Highest priority of the human messages added; automatic mail raises nothing. */
  priority: Priority | null;
  status: string;
  reopened: boolean;
}

interface NewTicket {
  id: string;
  opening: RoutedMessage;
  conversationId: string;
  contactId: string;
  linkedTicketId: string | null;
  count: number;
  lastAt: string;
  priority: Priority;
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/**
 * A message that names a ticket (`thread.namedTicket`, e.g. the ticket token a customer's client kept
 * after dropping every other threading) joins that ticket's conversation, when the ticket exists on the
 * same channel and account. The message records where it was moved from.
 */
export async function followNamedTickets(tx: Queryable, messages: RoutedMessage[]): Promise<RoutedMessage[]> {
  const named = [...new Set(messages.map((m) => m.thread?.namedTicket).filter((n): n is string => n !== undefined))];
  if (named.length === 0) return messages;
  const rows = await tx.query<{ number: string; channel: string; account: string; conversation_key: string }>(
    `SELECT t.number, c.channel, c.account, c.conversation_key FROM tickets t JOIN conversations c ON c.id = t.conversation_id WHERE t.number IN ${IN_LIST('$1')}`,
    [jsonParam(named)],
  );
  const target = new Map(rows.rows.map((r) => [`${r.number}\u001f${r.channel}\u001f${r.account}`, r.conversation_key]));
  return messages.map((m) => {
    const ticket = m.thread?.namedTicket;
    const key = ticket ? target.get(`${ticket}\u001f${m.channel}\u001f${m.account}`) : undefined;
    if (!key || key === m.conversationKey) return m;
    return { ...m, conversationKey: key, meta: { ...m.meta, joinedNamedTicket: { from: m.conversationKey, ticket } } };
  });
}

/**
 * Stores the new messages (`fresh`, in conversation order, no edits, no repeated ids, none stored as
 * the caller looked) and places each on a ticket by the rules of `writeRouted`. Throws
 * ConcurrentWriteError when another writer stored some of them meanwhile.
 */
export async function placeMessages(tx: Queryable, fresh: RoutedMessage[], reopenWindowMs: number): Promise<PlacementOutcome> {
  const outcome: PlacementOutcome = { inserted: [], newTickets: [], reopened: [] };
  if (fresh.length === 0) return outcome;
  // Each id is a SHA-256 digest, and the rules below ask for them several times per message.
  const ids = new Map(fresh.map((m) => [m, { contact: contactIdOf(m), conversation: conversationIdOf(m) }]));
  const contactOf = (m: RoutedMessage) => ids.get(m)!.contact;
  const conversationOf = (m: RoutedMessage) => ids.get(m)!.conversation;

  // Contacts: one row per sender; the latest name and address seen win. Sorted ids lock in one order.
  const contacts = new Map<string, { id: string; channel: string; account: string; sender_id: string; name: string | null; address: string | null }>();
  for (const m of fresh) {
    const id = contactOf(m);
    const known = contacts.get(id);
    contacts.set(id, {
      id,
      channel: m.channel,
      account: m.account,
      sender_id: m.sender.id,
      name: m.sender.name ?? known?.name ?? null,
      address: m.sender.address ?? known?.address ?? null,
    });
  }
  await tx.query(
    `INSERT INTO contacts (id, channel, account, sender_id, name, address)
     SELECT x.id, x.channel, x.account, x.sender_id, x.name, x.address
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, channel text, account text, sender_id text, name text, address text)
     ON CONFLICT (channel, account, sender_id) DO UPDATE
       SET name = COALESCE(EXCLUDED.name, contacts.name), address = COALESCE(EXCLUDED.address, contacts.address), updated_at = now()
       WHERE contacts.name IS DISTINCT FROM COALESCE(EXCLUDED.name, contacts.name)
          OR contacts.address IS DISTINCT FROM COALESCE(EXCLUDED.address, contacts.address)`,
    [jsonParam([...contacts.values()].sort((a, b) => a.id.localeCompare(b.id)))],
  );

  // Conversations: the upsert also locks each row, so writers of one conversation take turns.
  const conversations = new Map<string, { id: string; channel: string; account: string; conversation_key: string; contact_id: string; last_at: string }>();
  for (const m of fresh) {
    const id = conversationOf(m);
    const known = conversations.get(id);
    conversations.set(id, {
      id,
      channel: m.channel,
      account: m.account,
      conversation_key: m.conversationKey,
      contact_id: known?.contact_id ?? contactOf(m),
      last_at: known ? later(known.last_at, m.sentAt) : m.sentAt,
    });
  }
  const conversationRows = await tx.query<{ id: string; ticket_id: string | null }>(
    `INSERT INTO conversations (id, channel, account, conversation_key, contact_id, last_message_at)
     SELECT x.id, x.channel, x.account, x.conversation_key, x.contact_id, x.last_at
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, channel text, account text, conversation_key text, contact_id text, last_at timestamptz)
     ON CONFLICT (channel, account, conversation_key) DO UPDATE
       SET contact_id = COALESCE(conversations.contact_id, EXCLUDED.contact_id),
           last_message_at = GREATEST(conversations.last_message_at, EXCLUDED.last_message_at)
     RETURNING id, ticket_id`,
    [jsonParam([...conversations.values()].sort((a, b) => a.id.localeCompare(b.id)))],
  );
  const currentTicketOf = new Map(conversationRows.rows.map((r) => [r.id, r.ticket_id]));

  const currentIds = [...new Set(fresh.map((m) => currentTicketOf.get(conversationOf(m))).filter((id): id is string => Boolean(id)))].sort();
  const state = new Map<string, TicketState>();
  const existing = new Map<string, TicketRef>();
  if (currentIds.length > 0) {
    const { rows } = await tx.query<{ id: string; number: string; channel: Channel; status: TicketState['status']; resolved_at: Date | string | null }>(
      `SELECT id, number, channel, status, resolved_at FROM tickets WHERE id IN ${IN_LIST('$1')} ORDER BY id FOR UPDATE`,
      [jsonParam(currentIds)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const r of rows) existing.set(r.id, { id: r.id, number: r.number, channel: r.channel });
    for (const [conversationId, ticketId] of currentTicketOf) {
      const row = ticketId ? byId.get(ticketId) : undefined;
      if (row) state.set(conversationId, { id: row.id, status: row.status, resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).getTime(), isNew: false });
    }
  }

  const changes = new Map<string, ExistingChange>();
  const created: NewTicket[] = [];
  const createdById = new Map<string, NewTicket>();
  const reopened = new Map<string, TicketRef>();
  const ticketOfMessage = new Map<string, string>();

  const join = (ticket: TicketState, m: RoutedMessage, automatic: boolean) => {
    if (ticket.isNew) {
      const opened = createdById.get(ticket.id)!;
      opened.count += 1;
      opened.lastAt = later(opened.lastAt, m.sentAt);
      if (!automatic) opened.priority = higher(opened.priority, m.priority);
      return;
    }
    const change = changes.get(ticket.id) ?? { id: ticket.id, added: 0, lastAt: m.sentAt, priority: null, status: ticket.status, reopened: false };
    change.added += 1;
    change.lastAt = later(change.lastAt, m.sentAt);
    if (!automatic) change.priority = change.priority ? higher(change.priority, m.priority) : m.priority;
    change.status = ticket.status;
    changes.set(ticket.id, change);
  };

  for (const m of fresh) {
    // An event (a follow, a location report) belongs to the conversation, not to a ticket, unless it asks for a person.
    if (m.event && !m.event.opensTicket) continue;
    const conversationId = conversationOf(m);
    const automatic = m.autoSubmitted !== undefined;
    const current = state.get(conversationId);
    let ticketId: string | null = null;
    if (current && (current.status !== 'resolved' || automatic)) {
      // Automatic mail lands on the latest ticket but never reopens it; a customer answering a ticket
      // that waits for them (pending) makes it theirs again.
      if (!automatic && current.status === 'pending') current.status = 'open';
      join(current, m, automatic);
      ticketId = current.id;
    } else if (current && Date.parse(m.sentAt) - (current.resolvedAt ?? 0) <= reopenWindowMs) {
      current.status = 'open';
      current.resolvedAt = null;
      reopened.set(current.id, existing.get(current.id)!);
      join(current, m, automatic);
      ticketId = current.id;
    } else if (!automatic) {
      const ticket: NewTicket = {
        id: ticketIdOf(m.id),
        opening: m,
        conversationId,
        contactId: contactOf(m),
        linkedTicketId: current?.id ?? null,
        count: 1,
        lastAt: m.sentAt,
        priority: m.priority,
      };
      created.push(ticket);
      createdById.set(ticket.id, ticket);
      state.set(conversationId, { id: ticket.id, status: 'open', resolvedAt: null, isNew: true });
      ticketId = ticket.id;
    }
    if (ticketId !== null) ticketOfMessage.set(m.id, ticketId);
  }

  let numbers: number[] = [];
  if (created.length > 0) {
    const { rows } = await tx.query<{ seq: string }>(`SELECT nextval('ticket_number_seq')::text AS seq FROM generate_series(1, $1::int)`, [created.length]);
    numbers = rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
    await tx.query(
      `INSERT INTO tickets (id, number, seq, status, category, priority, language, channel, account, conversation_id, contact_id,
         subject, preview, triage, confidence, created_at, updated_at, last_message_at, message_count, linked_ticket_id, opened_by_message_id)
       SELECT x.id, x.number, x.seq, 'open', x.category, x.priority, x.language, x.channel, x.account, x.conversation_id, x.contact_id,
         x.subject, x.preview, x.triage, x.confidence, x.created_at, now(), x.last_at, x.count, x.linked_ticket_id, x.opened_by
       FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, number text, seq bigint, category text, priority text, language text,
         channel text, account text, conversation_id text, contact_id text, subject text, preview text, triage boolean,
         confidence double precision, created_at timestamptz, last_at timestamptz, count integer, linked_ticket_id text, opened_by text)`,
      [
        jsonParam(
          created.map((t, i) => ({
            id: t.id,
            number: ticketNumber(numbers[i]!),
            seq: numbers[i]!,
            category: t.opening.category,
            priority: t.priority,
            language: t.opening.language,
            channel: t.opening.channel,
            account: t.opening.account,
            conversation_id: t.conversationId,
            contact_id: t.contactId,
            subject: t.opening.subject ?? null,
            preview: previewOf(t.opening.text || (t.opening.event ? `[${t.opening.event.type}]` : '')),
            triage: t.opening.triage,
            confidence: t.opening.confidence,
            created_at: t.opening.sentAt,
            last_at: t.lastAt,
            count: t.count,
            linked_ticket_id: t.linkedTicketId,
            opened_by: t.opening.id,
          })),
        ),
      ],
    );
  }

  // Tickets exist by now, so each message is written once, with its ticket. Writers of one
  // conversation hold its row lock (the upsert above), so a message cannot have been stored since the
  // caller looked unless that caller raced another writer before the lock: then start again.
  const insertedRows = await tx.query<{ id: string }>(
    `INSERT INTO messages (id, direction, conversation_id, ticket_id, channel, account, conversation_key, external_id, sender, subject, text,
       attachments, meta, thread, event, auto_submitted, sent_at, received_at, category, confidence, triage, priority, language, redactions,
       explanation, classifier_version, routed_at)
     SELECT x.id, 'inbound', x.conversation_id, x.ticket_id, x.channel, x.account, x.conversation_key, x.external_id, x.sender, x.subject, x.text,
       x.attachments, x.meta, x.thread, x.event, x.auto_submitted, x.sent_at, x.received_at, x.category, x.confidence, x.triage, x.priority, x.language,
       x.redactions, x.explanation, x.classifier_version, x.routed_at
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, conversation_id text, ticket_id text, channel text, account text, conversation_key text,
       external_id text, sender jsonb, subject text, text text, attachments jsonb, meta jsonb, thread jsonb, event jsonb, auto_submitted text, sent_at timestamptz,
       received_at timestamptz, category text, confidence double precision, triage boolean, priority text, language text,
       redactions jsonb, explanation jsonb, classifier_version text, routed_at timestamptz)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [
      jsonParam(
        fresh.map((m) => ({
          id: m.id,
          conversation_id: conversationOf(m),
          ticket_id: ticketOfMessage.get(m.id) ?? null,
          channel: m.channel,
          account: m.account,
          conversation_key: m.conversationKey,
          external_id: m.externalId,
          sender: m.sender,
          subject: m.subject ?? null,
          text: m.text,
          attachments: m.attachments,
          meta: m.meta,
          thread: m.thread ?? null,
          event: m.event ?? null,
          auto_submitted: m.autoSubmitted ?? null,
          sent_at: m.sentAt,
          received_at: m.receivedAt,
          category: m.category,
          confidence: m.confidence,
          triage: m.triage,
          priority: m.priority,
          language: m.language,
          redactions: m.redactions,
          explanation: m.explanation,
          classifier_version: m.classifierVersion,
          routed_at: m.routedAt,
        })),
      ),
    ],
  );
  if (insertedRows.rows.length !== fresh.length) {
    const inserted = new Set(insertedRows.rows.map((r) => r.id));
    throw new ConcurrentWriteError(fresh.filter((m) => !inserted.has(m.id)).map((m) => m.id));
  }

  if (created.length > 0) {
    // The latest ticket of each conversation is where its next message goes.
    const latest = new Map(created.map((t) => [t.conversationId, t.id]));
    await tx.query(
      `UPDATE conversations c SET ticket_id = x.ticket_id
       FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, ticket_id text) WHERE c.id = x.id`,
      [jsonParam([...latest].map(([id, ticket_id]) => ({ id, ticket_id })))],
    );
  }

  if (changes.size > 0) {
    for (const change of changes.values()) change.reopened = reopened.has(change.id);
    await tx.query(
      `UPDATE tickets t SET
         message_count = t.message_count + x.added,
         last_message_at = GREATEST(t.last_message_at, x.last_at),
         priority = CASE WHEN x.priority IS NOT NULL AND array_position(${PRIORITY_ORDER}, x.priority) < array_position(${PRIORITY_ORDER}, t.priority)
                         THEN x.priority ELSE t.priority END,
         status = x.status,
         resolved_at = CASE WHEN x.reopened THEN NULL ELSE t.resolved_at END,
         updated_at = now()
       FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, added integer, last_at timestamptz, priority text, status text, reopened boolean)
       WHERE t.id = x.id`,
      [jsonParam([...changes.values()].map((c) => ({ id: c.id, added: c.added, last_at: c.lastAt, priority: c.priority, status: c.status, reopened: c.reopened })))],
    );
  }

  outcome.inserted = fresh.map((m) => m.id);
  outcome.newTickets = created.map((t, i) => ({ id: t.id, number: ticketNumber(numbers[i]!), channel: t.opening.channel, openedBy: t.opening.id }));
  outcome.reopened = [...reopened.values()];
  return outcome;
}

/** Applies an edit or deletion to its target; the edit's id in the history makes a redelivery a no-op. */
export async function applyEdit(tx: Queryable, m: RoutedMessage): Promise<'applied' | 'duplicate' | 'orphan'> {
  const edit = m.edit!;
  const entry = { id: m.id, kind: edit.kind, at: m.sentAt };
  const updated = await tx.query<{ ticket_id: string | null }>(
    `UPDATE messages SET
       text = CASE WHEN $2::text = 'edited' THEN $4::text ELSE text END,
       edited_at = CASE WHEN $2::text = 'edited' THEN $5::timestamptz ELSE edited_at END,
       deleted_at = CASE WHEN $2::text = 'deleted' THEN $5::timestamptz ELSE deleted_at END,
       edit_history = edit_history || jsonb_build_array($6::text::jsonb || jsonb_build_object('previousText', text))
     WHERE id = $1::text AND NOT edit_history @> jsonb_build_array(jsonb_build_object('id', $3::text))
     RETURNING ticket_id`,
    [edit.targetId, edit.kind, m.id, m.text, m.sentAt, JSON.stringify(entry)],
  );
  const row = updated.rows[0];
  if (!row) {
    const exists = await tx.query('SELECT 1 FROM messages WHERE id = $1::text', [edit.targetId]);
    return exists.rowCount > 0 ? 'duplicate' : 'orphan';
  }
  if (row.ticket_id !== null) {
    await tx.query(
      `UPDATE tickets SET updated_at = now(),
         preview = CASE WHEN opened_by_message_id = $2::text AND $3::text = 'edited' THEN $4::text ELSE preview END
       WHERE id = $1::text`,
      [row.ticket_id, edit.targetId, edit.kind, previewOf(m.text)],
    );
  }
  return 'applied';
}
