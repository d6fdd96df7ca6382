import { z } from 'zod';
import {
  Category,
  Priority,
  type Attachment,
  type Channel,
  type ChannelEvent,
  type DeliveryReport,
  type Language,
  type OutboundMessage,
  type Redaction,
  type RoutedMessage,
  type Sender,
  type Thread,
} from '@switchboard/schema';

export const TICKET_STATUSES = ['open', 'pending', 'resolved'] as const;
export const TicketStatus = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatus>;

/** One ticket as the read API returns it (`GET /api/v1/tickets`). */
export interface TicketSummary {
  id: string;
  /** Human-readable, e.g. SB-000123. */
  number: string;
  status: TicketStatus;
  category: Category;
  priority: Priority;
  language: Language;
  channel: Channel;
  account: string;
  conversationKey: string;
  customer: { id: string; name?: string; address?: string };
  subject?: string;
  /** First line of the ticket's first message, at most 140 characters. */
  preview: string;
  /** Customer messages on the ticket (automatic mail included, outbound not). */
  messageCount: number;
  triage: boolean;
  confidence: number;
  assignee?: string;
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string;
  /** The resolved ticket this one follows, when a customer wrote again after the reopen window. */
  linkedTicketId?: string;
}

export interface StoredMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  channel: Channel;
  /** The channel's id; for an outbound message the id the channel gave it once sent, null before. */
  externalId: string | null;
  /** Inbound: the customer. Outbound: our account (`{ id: account }`). */
  sender: Sender;
  /** Outbound only: who it is for. */
  recipient?: Sender;
  subject?: string;
  text: string;
  attachments: Attachment[];
  sentAt: string;
  receivedAt: string;
  category?: Category;
  confidence?: number;
  priority?: Priority;
  language?: Language;
  redactions?: Redaction[];
  explanation?: RoutedMessage['explanation'];
  autoSubmitted?: string;
  thread?: Thread;
  /** Set when the record is something the customer did or the channel reported, not a message. */
  event?: ChannelEvent;
  meta: Record<string, unknown>;
  kind?: OutboundMessage['kind'];
  deliveryState?: 'queued' | 'sent' | 'failed';
  deliveryReason?: string;
  editedAt?: string;
  deletedAt?: string;
}

export interface WriteResult {
  /** Ids of messages stored by this call. */
  inserted: string[];
  /** Ids already stored before (redeliveries): nothing changed for them. */
  duplicates: string[];
  /** Ids of the edit/delete records applied to an earlier message. */
  edited: string[];
  /** Ids of edit/delete records whose target message is not in the store: nothing changed. */
  orphanEdits: string[];
  /** Tickets this call opened, in number order. */
  newTickets: OpenedTicket[];
  /** Resolved tickets this call reopened. */
  reopened: TicketRef[];
}

/** A ticket a write opened or reopened: enough to count it and to look it up (`getTicket`). */
export interface TicketRef {
  id: string;
  number: string;
  channel: Channel;
}

export interface OpenedTicket extends TicketRef {
  /** Id of the message that opened it: of the messages just stored, the only kind an acknowledgement can be owed to. */
  openedBy: string;
}

export const TicketFilter = z.object({
  status: TicketStatus.optional(),
  category: Category.optional(),
  priority: Priority.optional(),
  channel: z.string().optional(),
  language: z.string().optional(),
  /** Words looked for in the number, subject, customer and the messages' text. */
  q: z.string().optional(),
  limit: z.number().int().min(1).max(500).optional(),
  offset: z.number().int().min(0).optional(),
  /** `newest`: latest activity first. `urgent`: priority (urgent first), then newest. */
  sort: z.enum(['newest', 'urgent']).optional(),
});
export type TicketFilter = z.infer<typeof TicketFilter>;

export const TicketPatch = z
  .object({
    status: TicketStatus.optional(),
    priority: Priority.optional(),
    category: Category.optional(),
    assignee: z.string().min(1).nullable().optional(),
  })
  .strict();
export type TicketPatch = z.infer<typeof TicketPatch>;

/** A new ticket still owed its automatic acknowledgement, with the message that opened it. */
export interface PendingAck {
  ticket: TicketSummary;
  opening: StoredMessage;
}

export interface TicketStats {
  tickets: number;
  messages: number;
  /** Tickets whose category a person corrected. */
  corrections: number;
  /** Tickets per (current) category. */
  byCategory: Record<string, number>;
}

export interface TicketStore {
  /**
   * One transaction. Idempotent by message id: a message already stored changes nothing. Messages
   * with `edit` set update the target message (text/deleted) instead of inserting.
   */
  writeRouted(batch: RoutedMessage[]): Promise<WriteResult>;
  listTickets(filter?: TicketFilter): Promise<TicketSummary[]>;
  /** By id or by number (SB-000123); messages ordered by sent_at, then received_at. */
  getTicket(idOrNumber: string): Promise<{ ticket: TicketSummary; messages: StoredMessage[] } | undefined>;
  /** A category change is recorded as a human correction. Undefined when there is no such ticket. */
  updateTicket(idOrNumber: string, patch: TicketPatch): Promise<TicketSummary | undefined>;
  /** Stored on the ticket's conversation, delivery state queued; idempotent by id. An ack marks the ticket acknowledged. */
  recordOutbound(message: OutboundMessage): Promise<void>;
  /** Several outbound messages in one transaction (a batch's acknowledgements). */
  recordOutbounds(messages: readonly OutboundMessage[]): Promise<void>;
  applyDelivery(report: DeliveryReport): Promise<void>;
  /** The latest customer message of a ticket (non-automatic first): recipient and threading of a reply. */
  lastInbound(idOrNumber: string): Promise<StoredMessage | undefined>;
  /**
   * Tickets opened by any of `messageIds` on one of `channels` that have no acknowledgement recorded
   * yet, whose opening message was sent after `sentAfter` (so a backfill of old mail is not acknowledged).
   */
  pendingAcks(messageIds: readonly string[], channels: readonly Channel[], sentAfter?: Date): Promise<PendingAck[]>;
  stats(): Promise<TicketStats>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The outbound message names a ticket the store does not have. */
export class UnknownTicketError extends Error {
  override readonly name = 'UnknownTicketError';
  constructor(readonly ticketId: string) {
    super(`no ticket ${ticketId}`);
  }
}
