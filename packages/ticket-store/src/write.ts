import { stableId, type Channel, type RoutedMessage } from '@switchboard/schema';
import type { Queryable } from '@switchboard/db';
import type { OpenedTicket, TicketRef } from './types.ts';
import { previewOf } from './rows.ts';
import { planTickets, type CurrentTicket, type NewTicket, type PlannedMessage, type TicketChange } from './ticket-rules.ts';
import { TransientError } from '@switchboard/runtime';

/**
 * Writing a batch of routed messages, set-based: a fixed number of statements per batch whatever its
 * size (contacts, conversations, messages, tickets each in one statement), the ticket rules of
 * `ticket-rules.ts` applied in memory in between. Runs inside the caller's transaction.
 */

export const PRIORITY_ORDER = `ARRAY['urgent', 'high', 'normal', 'low']`;

/** Array parameters as JSON text: both drivers pass text unchanged, whatever their array handling. */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value);
}
export const IN_LIST = (param: string) => `(SELECT jsonb_array_elements_text(${param}::text::jsonb))`;

/** A sender marked suspect is a contact of its own: never the real one that has the same id. */
export function contactIdOf(m: RoutedMessage): string {
  return m.sender.suspect ? stableId('ct', m.channel, m.account, m.sender.id, 'suspect') : stableId('ct', m.channel, m.account, m.sender.id);
}

/** What a connector found about the sender, kept on the contact (null when nothing). */
function senderFlagsOf(m: RoutedMessage): Record<string, unknown> | null {
  const { suspect, unusableAddress } = m.sender;
  return suspect || unusableAddress ? { ...(suspect ? { suspect } : {}), ...(unusableAddress ? { unusableAddress } : {}) } : null;
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
export class ConcurrentWriteError extends TransientError {
  override readonly name = 'ConcurrentWriteError';
  constructor(readonly messageIds: string[]) {
    super(`${messageIds.length} message(s) were stored by another writer meanwhile: ${messageIds.slice(0, 3).join(', ')}`);
  }
}

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
 * the caller looked) and places each on a ticket by `planTickets`: contacts and conversations
 * upserted, their tickets locked and read, the plan made in memory, then tickets, messages and the
 * tickets' counts written, each in one statement. Throws ConcurrentWriteError when another writer
 * stored some of them meanwhile.
 */
export async function placeMessages(tx: Queryable, fresh: RoutedMessage[], reopenWindowMs: number): Promise<PlacementOutcome> {
  if (fresh.length === 0) return { inserted: [], newTickets: [], reopened: [] };
  // Each id is a SHA-256 digest, wanted several times per message: computed once.
  const planned: PlannedMessage[] = fresh.map((message) => ({ message, contactId: contactIdOf(message), conversationId: conversationIdOf(message) }));
  await upsertContacts(tx, planned);
  const currentTicketOf = await upsertConversations(tx, planned);
  const { current, refs } = await lockCurrentTickets(tx, currentTicketOf);
  const plan = planTickets(planned, current, reopenWindowMs, ticketIdOf);
  const numbers = await insertTickets(tx, plan.created);
  // Tickets exist by now, so each message is written once, with its ticket.
  await insertMessages(tx, planned, plan.ticketOf);
  await pointConversationsAtNewTickets(tx, plan.created);
  await updateTickets(tx, plan.changes);
  return {
    inserted: fresh.map((m) => m.id),
    newTickets: plan.created.map((t, i) => ({ id: t.id, number: ticketNumber(numbers[i]!), channel: t.opening.channel, openedBy: t.opening.id })),
    reopened: plan.reopened.map((id) => refs.get(id)!),
  };
}

/** One row per sender; the latest name, address and phone number seen win. Sorted ids lock in one order. */
async function upsertContacts(tx: Queryable, planned: readonly PlannedMessage[]): Promise<void> {
  type ContactRow = {
    id: string;
    channel: string;
    account: string;
    sender_id: string;
    suspect: boolean;
    name: string | null;
    address: string | null;
    phone: string | null;
    flags: Record<string, unknown> | null;
  };
  const contacts = new Map<string, ContactRow>();
  for (const { message: m, contactId: id } of planned) {
    const known = contacts.get(id);
    contacts.set(id, {
      id,
      channel: m.channel,
      account: m.account,
      sender_id: m.sender.id,
      suspect: m.sender.suspect !== undefined,
      name: m.sender.name ?? known?.name ?? null,
      address: m.sender.address ?? known?.address ?? null,
      phone: m.sender.phone ?? known?.phone ?? null,
      flags: senderFlagsOf(m) ?? known?.flags ?? null,
    });
  }
  await tx.query(
    `INSERT INTO contacts (id, channel, account, sender_id, suspect, name, address, phone, flags)
     SELECT x.id, x.channel, x.account, x.sender_id, x.suspect, x.name, x.address, x.phone, x.flags
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, channel text, account text, sender_id text, suspect boolean, name text, address text, phone text, flags jsonb)
     ON CONFLICT (channel, account, sender_id, suspect) DO UPDATE
       SET name = COALESCE(EXCLUDED.name, contacts.name), address = COALESCE(EXCLUDED.address, contacts.address),
           phone = COALESCE(EXCLUDED.phone, contacts.phone), flags = COALESCE(EXCLUDED.flags, contacts.flags), updated_at = now()
       WHERE contacts.name IS DISTINCT FROM COALESCE(EXCLUDED.name, contacts.name)
          OR contacts.address IS DISTINCT FROM COALESCE(EXCLUDED.address, contacts.address)
          OR contacts.phone IS DISTINCT FROM COALESCE(EXCLUDED.phone, contacts.phone)
          OR contacts.flags IS DISTINCT FROM COALESCE(EXCLUDED.flags, contacts.flags)`,
    [jsonParam([...contacts.values()].sort((a, b) => a.id.localeCompare(b.id)))],
  );
}

/**
 * The upsert also locks each conversation row, so writers of one conversation take turns: a message
 * cannot have been stored since the caller looked unless that caller raced another writer before the
 * lock (then ConcurrentWriteError, and the batch is written again). Returns each conversation's ticket.
 */
async function upsertConversations(tx: Queryable, planned: readonly PlannedMessage[]): Promise<Map<string, string | null>> {
  const conversations = new Map<string, { id: string; channel: string; account: string; conversation_key: string; contact_id: string; last_at: string }>();
  for (const { message: m, conversationId: id, contactId } of planned) {
    const known = conversations.get(id);
    conversations.set(id, {
      id,
      channel: m.channel,
      account: m.account,
      conversation_key: m.conversationKey,
      contact_id: known?.contact_id ?? contactId,
      last_at: known && Date.parse(known.last_at) >= Date.parse(m.sentAt) ? known.last_at : m.sentAt,
    });
  }
  const { rows } = await tx.query<{ id: string; ticket_id: string | null }>(
    `INSERT INTO conversations (id, channel, account, conversation_key, contact_id, last_message_at)
     SELECT x.id, x.channel, x.account, x.conversation_key, x.contact_id, x.last_at
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, channel text, account text, conversation_key text, contact_id text, last_at timestamptz)
     ON CONFLICT (channel, account, conversation_key) DO UPDATE
       SET contact_id = COALESCE(conversations.contact_id, EXCLUDED.contact_id),
           last_message_at = GREATEST(conversations.last_message_at, EXCLUDED.last_message_at)
     RETURNING id, ticket_id`,
    [jsonParam([...conversations.values()].sort((a, b) => a.id.localeCompare(b.id)))],
  );
  return new Map(rows.map((r) => [r.id, r.ticket_id]));
}

/** The conversations' current tickets, locked in id order, as the planner's input and as references. */
async function lockCurrentTickets(tx: Queryable, ticketOfConversation: ReadonlyMap<string, string | null>): Promise<{ current: Map<string, CurrentTicket>; refs: Map<string, TicketRef> }> {
  const current = new Map<string, CurrentTicket>();
  const refs = new Map<string, TicketRef>();
  const ids = [...new Set([...ticketOfConversation.values()].filter((id): id is string => Boolean(id)))].sort();
  if (ids.length === 0) return { current, refs };
  const { rows } = await tx.query<{ id: string; number: string; channel: Channel; status: CurrentTicket['status']; resolved_at: Date | string | null }>(
    `SELECT id, number, channel, status, resolved_at FROM tickets WHERE id IN ${IN_LIST('$1')} ORDER BY id FOR UPDATE`,
    [jsonParam(ids)],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of rows) refs.set(r.id, { id: r.id, number: r.number, channel: r.channel });
  for (const [conversationId, ticketId] of ticketOfConversation) {
    const row = ticketId ? byId.get(ticketId) : undefined;
    if (row) current.set(conversationId, { id: row.id, status: row.status, resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).getTime() });
  }
  return { current, refs };
}

/** Numbers from the sequence, in opening order; returns them in the order of `created`. */
async function insertTickets(tx: Queryable, created: readonly NewTicket[]): Promise<number[]> {
  if (created.length === 0) return [];
  const { rows } = await tx.query<{ seq: string }>(`SELECT nextval('ticket_number_seq')::text AS seq FROM generate_series(1, $1::int)`, [created.length]);
  const numbers = rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  await tx.query(
    `INSERT INTO tickets (id, number, seq, status, category, priority, language, channel, account, conversation_id, contact_id,
       subject, preview, triage, confidence, created_at, updated_at, last_message_at, message_count, linked_ticket_id, opened_by_message_id, spam)
     SELECT x.id, x.number, x.seq, 'open', x.category, x.priority, x.language, x.channel, x.account, x.conversation_id, x.contact_id,
       x.subject, x.preview, x.triage, x.confidence, x.created_at, now(), x.last_at, x.count, x.linked_ticket_id, x.opened_by, x.spam
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, number text, seq bigint, category text, priority text, language text,
       channel text, account text, conversation_id text, contact_id text, subject text, preview text, triage boolean,
       confidence double precision, created_at timestamptz, last_at timestamptz, count integer, linked_ticket_id text, opened_by text, spam jsonb)`,
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
          // A ticket opened by spam is marked so; agents filter by it, and may clear it.
          spam: t.opening.spam ?? null,
        })),
      ),
    ],
  );
  return numbers;
}

async function insertMessages(tx: Queryable, planned: readonly PlannedMessage[], ticketOf: ReadonlyMap<string, string>): Promise<void> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO messages (id, direction, conversation_id, ticket_id, channel, account, conversation_key, external_id, sender, subject, text,
       attachments, meta, thread, call, event, auto_submitted, spam, sent_at, received_at, category, confidence, triage, priority, language, redactions,
       explanation, classifier_version, routed_at, entities)
     SELECT x.id, 'inbound', x.conversation_id, x.ticket_id, x.channel, x.account, x.conversation_key, x.external_id, x.sender, x.subject, x.text,
       x.attachments, x.meta, x.thread, x.call, x.event, x.auto_submitted, x.spam, x.sent_at, x.received_at, x.category, x.confidence, x.triage, x.priority, x.language,
       x.redactions, x.explanation, x.classifier_version, x.routed_at, x.entities
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, conversation_id text, ticket_id text, channel text, account text, conversation_key text,
       external_id text, sender jsonb, subject text, text text, attachments jsonb, meta jsonb, thread jsonb, call jsonb, event jsonb, auto_submitted text, spam jsonb,
       sent_at timestamptz, received_at timestamptz, category text, confidence double precision, triage boolean, priority text, language text,
       redactions jsonb, explanation jsonb, classifier_version text, routed_at timestamptz, entities jsonb)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [jsonParam(planned.map(({ message: m, conversationId }) => messageRow(m, conversationId, ticketOf.get(m.id) ?? null)))],
  );
  if (rows.length !== planned.length) {
    const inserted = new Set(rows.map((r) => r.id));
    throw new ConcurrentWriteError(planned.filter(({ message }) => !inserted.has(message.id)).map(({ message }) => message.id));
  }
}

function messageRow(m: RoutedMessage, conversationId: string, ticketId: string | null): Record<string, unknown> {
  return {
    id: m.id,
    conversation_id: conversationId,
    ticket_id: ticketId,
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
    call: m.call ?? null,
    event: m.event ?? null,
    auto_submitted: m.autoSubmitted ?? null,
    spam: m.spam ?? null,
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
    entities: m.entities ?? null,
  };
}

/** The latest ticket of each conversation is where its next message goes. */
async function pointConversationsAtNewTickets(tx: Queryable, created: readonly NewTicket[]): Promise<void> {
  if (created.length === 0) return;
  const latest = new Map(created.map((t) => [t.conversationId, t.id]));
  await tx.query(
    `UPDATE conversations c SET ticket_id = x.ticket_id
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, ticket_id text) WHERE c.id = x.id`,
    [jsonParam([...latest].map(([id, ticket_id]) => ({ id, ticket_id })))],
  );
}

async function updateTickets(tx: Queryable, changes: readonly TicketChange[]): Promise<void> {
  if (changes.length === 0) return;
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
    [jsonParam(changes.map((c) => ({ id: c.id, added: c.added, last_at: c.lastAt, priority: c.priority, status: c.status, reopened: c.reopened })))],
  );
}
