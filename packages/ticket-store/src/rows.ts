import type { Attachment, Category, Channel, Language, Priority, Sender, SenderFlag, SpamVerdict } from '@switchboard/schema';
import type { Row } from '@switchboard/db';
import type { RelatedConversation, StoredMessage, TicketStatus, TicketSummary, TicketTask } from './types.ts';

/** Both drivers return timestamptz as Date; this also accepts text so neither driver's setting matters. */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

function optional<T>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (value as T);
}

/** jsonb comes back parsed from both drivers; text is parsed in case a driver hands back a string. */
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function previewOf(text: string): string {
  const firstLine = text.split(/\r?\n/).map((line) => line.trim()).find((line) => line.length > 0) ?? '';
  return firstLine.length <= 140 ? firstLine : `${firstLine.slice(0, 139)}…`;
}

/** The columns `toTicketSummary` reads. */
export const TICKET_COLUMNS = `t.id, t.number, t.status, t.category, t.priority, t.language, t.channel, t.account,
  c.conversation_key, ct.sender_id AS customer_id, ct.name AS customer_name, ct.address AS customer_address, ct.phone AS customer_phone,
  t.subject, t.preview, t.message_count, t.triage, t.confidence, t.assignee, t.created_at, t.updated_at,
  t.last_message_at, t.linked_ticket_id, t.first_response_at, t.spam, ct.flags AS customer_flags`;

export const TICKET_FROM = `tickets t
  JOIN conversations c ON c.id = t.conversation_id
  LEFT JOIN contacts ct ON ct.id = t.contact_id`;

export function toTicketSummary(row: Row): TicketSummary {
  const customer: TicketSummary['customer'] = { id: String(row.customer_id ?? '') };
  const name = optional<string>(row.customer_name);
  const address = optional<string>(row.customer_address);
  const phone = optional<string>(row.customer_phone);
  if (name !== undefined) customer.name = name;
  if (address !== undefined) customer.address = address;
  if (phone !== undefined) customer.phone = phone;
  const flags = optional<{ suspect?: SenderFlag; unusableAddress?: SenderFlag }>(row.customer_flags);
  if (flags) Object.assign(customer, json<typeof flags>(flags));
  const summary: TicketSummary = {
    id: String(row.id),
    number: String(row.number),
    status: row.status as TicketStatus,
    category: row.category as Category,
    priority: row.priority as Priority,
    language: row.language as Language,
    channel: row.channel as Channel,
    account: String(row.account),
    conversationKey: String(row.conversation_key),
    customer,
    preview: String(row.preview),
    messageCount: Number(row.message_count),
    triage: Boolean(row.triage),
    confidence: Number(row.confidence ?? 0),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    lastMessageAt: iso(row.last_message_at),
  };
  const subject = optional<string>(row.subject);
  const assignee = optional<string>(row.assignee);
  const linked = optional<string>(row.linked_ticket_id);
  if (subject !== undefined) summary.subject = subject;
  if (assignee !== undefined) summary.assignee = assignee;
  if (linked !== undefined) summary.linkedTicketId = linked;
  if (row.first_response_at !== null && row.first_response_at !== undefined) summary.firstResponseAt = iso(row.first_response_at);
  const spam = optional<SpamVerdict>(row.spam);
  if (spam !== undefined) summary.spam = json<SpamVerdict>(spam);
  return summary;
}

export function toStoredMessage(row: Row): StoredMessage {
  const message: StoredMessage = {
    id: String(row.id),
    direction: row.direction as StoredMessage['direction'],
    channel: row.channel as Channel,
    externalId: optional<string>(row.external_id) ?? optional<string>(row.delivered_external_id) ?? null,
    sender: json<Sender>(row.sender),
    text: String(row.text),
    attachments: json<Attachment[]>(row.attachments),
    sentAt: iso(row.sent_at),
    receivedAt: iso(row.received_at),
    meta: json<Record<string, unknown>>(row.meta),
  };
  const copy = <K extends keyof StoredMessage>(key: K, value: unknown, convert: (v: unknown) => StoredMessage[K] = (v) => v as StoredMessage[K]) => {
    if (value !== null && value !== undefined) message[key] = convert(value);
  };
  copy('recipient', row.recipient, json);
  copy('subject', row.subject);
  copy('category', row.category);
  copy('confidence', row.confidence, Number);
  copy('priority', row.priority);
  copy('language', row.language);
  copy('redactions', row.redactions, json);
  copy('explanation', row.explanation, json);
  copy('entities', row.entities, json);
  copy('autoSubmitted', row.auto_submitted);
  copy('spam', row.spam, json);
  copy('thread', row.thread, json);
  copy('call', row.call, json);
  copy('event', row.event, json);
  copy('kind', row.kind);
  copy('author', row.author, json);
  copy('deliveryState', row.delivery_state);
  copy('deliveryReason', row.delivery_reason);
  copy('editedAt', row.edited_at, iso);
  copy('deletedAt', row.deleted_at, iso);
  return message;
}

export function toTask(row: Row): TicketTask {
  const task: TicketTask = { id: String(row.id), ticketId: String(row.ticket_id), text: String(row.text), createdAt: iso(row.created_at) };
  if (row.done_at !== null && row.done_at !== undefined) task.doneAt = iso(row.done_at);
  return task;
}

export function toRelated(row: Row): RelatedConversation {
  const related: RelatedConversation = { channel: row.channel as Channel, account: String(row.account), conversationKey: String(row.conversation_key) };
  if (row.last_message_at !== null && row.last_message_at !== undefined) related.lastMessageAt = iso(row.last_message_at);
  if (row.ticket_id) related.ticket = { id: String(row.ticket_id), number: String(row.number), status: row.status as TicketStatus };
  return related;
}
