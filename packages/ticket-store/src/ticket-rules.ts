import { PRIORITIES, type Priority, type RoutedMessage } from '@switchboard/schema';

/**
 * Which ticket each new message goes on, as plain data in and out: no database. The SQL writer
 * (`write.ts`) reads the conversations' current tickets, asks `planTickets`, and writes the plan.
 *
 * - A customer message joins its conversation's open or pending ticket (a pending ticket, which waits
 *   for the customer, becomes open again); the ticket's priority rises to the highest of its messages.
 * - On a resolved ticket: within the reopen window of the resolution it reopens it; later it opens a
 *   new ticket linked to the old one.
 * - Automatic mail (`autoSubmitted`) joins the conversation's latest ticket whatever its status, never
 *   opens or reopens one and raises no priority; with no ticket at all it is stored without one.
 */

export type TicketStatus = 'open' | 'pending' | 'resolved';

/** The ticket a conversation points at before the batch. */
export interface CurrentTicket {
  id: string;
  status: TicketStatus;
  /** ms since epoch, when resolved. */
  resolvedAt: number | null;
}

export interface PlannedMessage {
  message: RoutedMessage;
  conversationId: string;
  contactId: string;
}

export interface NewTicket {
  id: string;
  opening: RoutedMessage;
  conversationId: string;
  contactId: string;
  /** The resolved ticket this one follows. */
  linkedTicketId: string | null;
  count: number;
  lastAt: string;
  priority: Priority;
}

export interface TicketChange {
  id: string;
  added: number;
  lastAt: string;
  /** Highest priority of the human messages added; null when only automatic mail came. */
  priority: Priority | null;
  status: TicketStatus;
  reopened: boolean;
}

export interface TicketPlan {
  /** Message id → the ticket it goes on; absent: stored without a ticket. */
  ticketOf: Map<string, string>;
  /** In the order they were opened (their numbers are taken in this order). */
  created: NewTicket[];
  /** Existing tickets that get messages, a new status or both. */
  changes: TicketChange[];
  /** Ids of the resolved tickets the batch reopens. */
  reopened: string[];
}

const rank = (priority: Priority) => PRIORITIES.indexOf(priority);
export const higherPriority = (a: Priority, b: Priority): Priority => (rank(a) <= rank(b) ? a : b);
const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/** `messages` in conversation order; `ticketIdOf` names a new ticket after its opening message. */
export function planTickets(
  messages: readonly PlannedMessage[],
  current: ReadonlyMap<string, CurrentTicket>,
  reopenWindowMs: number,
  ticketIdOf: (openingMessageId: string) => string,
): TicketPlan {
  const latest = new Map<string, CurrentTicket & { isNew: boolean }>();
  for (const [conversationId, ticket] of current) latest.set(conversationId, { ...ticket, isNew: false });
  const created = new Map<string, NewTicket>();
  const changes = new Map<string, TicketChange>();
  const reopened = new Set<string>();
  const ticketOf = new Map<string, string>();

  const join = (ticket: CurrentTicket & { isNew: boolean }, m: RoutedMessage, automatic: boolean) => {
    ticketOf.set(m.id, ticket.id);
    const opened = created.get(ticket.id);
    if (opened) {
      opened.count += 1;
      opened.lastAt = later(opened.lastAt, m.sentAt);
      if (!automatic) opened.priority = higherPriority(opened.priority, m.priority);
      return;
    }
    const change = changes.get(ticket.id) ?? { id: ticket.id, added: 0, lastAt: m.sentAt, priority: null, status: ticket.status, reopened: false };
    change.added += 1;
    change.lastAt = later(change.lastAt, m.sentAt);
    if (!automatic) change.priority = change.priority ? higherPriority(change.priority, m.priority) : m.priority;
    change.status = ticket.status;
    change.reopened = reopened.has(ticket.id);
    changes.set(ticket.id, change);
  };

  for (const { message: m, conversationId, contactId } of messages) {
    // An event (a follow, a location report) belongs to the conversation, not to a ticket, unless it asks for a person.
    if (m.event && !m.event.opensTicket) continue;
    const automatic = m.autoSubmitted !== undefined;
    const ticket = latest.get(conversationId);
    if (ticket && (ticket.status !== 'resolved' || automatic)) {
      if (!automatic && ticket.status === 'pending') ticket.status = 'open';
      join(ticket, m, automatic);
    } else if (ticket && Date.parse(m.sentAt) - (ticket.resolvedAt ?? 0) <= reopenWindowMs) {
      ticket.status = 'open';
      ticket.resolvedAt = null;
      reopened.add(ticket.id);
      join(ticket, m, automatic);
    } else if (!automatic) {
      const opened: NewTicket = { id: ticketIdOf(m.id), opening: m, conversationId, contactId, linkedTicketId: ticket?.id ?? null, count: 1, lastAt: m.sentAt, priority: m.priority };
      created.set(opened.id, opened);
      latest.set(conversationId, { id: opened.id, status: 'open', resolvedAt: null, isNew: true });
      ticketOf.set(m.id, opened.id);
    }
  }
  return { ticketOf, created: [...created.values()], changes: [...changes.values()], reopened: [...reopened] };
}
