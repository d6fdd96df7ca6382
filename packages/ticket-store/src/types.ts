import { z } from 'zod';
import {
  Category,
  Priority,
  type Attachment,
  type Call,
  type Channel,
  type ChannelEvent,
  type DeliveryReport,
  type Entities,
  type Language,
  type OutboundMessage,
  type Redaction,
  type RoutedMessage,
  type Sender,
  type SenderFlag,
  type SpamVerdict,
  type Thread,
} from '@switchboard/schema';
import { PermanentError } from '@switchboard/runtime';

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
  /** `suspect` and `unusableAddress`: what the connector found about this sender (the contact keeps it). */
  customer: { id: string; name?: string; address?: string; phone?: string; suspect?: SenderFlag; unusableAddress?: SenderFlag };
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
  /** When an agent first replied. */
  firstResponseAt?: string;
  /** Set when the message that opened it was judged spam (or an agent marked it): no acknowledgement, filterable. */
  spam?: SpamVerdict;
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
  /** What the router read in the text (absent on messages routed before entities existed). */
  entities?: Entities;
  autoSubmitted?: string;
  spam?: SpamVerdict;
  thread?: Thread;
  /** The voice call this message records. */
  call?: Call;
  /** Set when the record is something the customer did or the channel reported, not a message. */
  event?: ChannelEvent;
  meta: Record<string, unknown>;
  kind?: OutboundMessage['kind'];
  /** Outbound replies: who wrote it. */
  author?: NonNullable<OutboundMessage['author']>;
  /** `delivered` and `read` come from the channels that report receipts. */
  deliveryState?: 'queued' | DeliveryReport['status'];
  deliveryReason?: string;
  editedAt?: string;
  deletedAt?: string;
}

/** A follow-up an agent records on a ticket (call the customer back), done or not. */
export interface TicketTask {
  id: string;
  ticketId: string;
  text: string;
  createdAt: string;
  doneAt?: string;
}

/** Another conversation of the same customer, recognised by their phone number on any channel. */
export interface RelatedConversation {
  channel: Channel;
  account: string;
  conversationKey: string;
  lastMessageAt?: string;
  /** The conversation's latest ticket, when it has one. */
  ticket?: { id: string; number: string; status: TicketStatus };
}

/** A ticket with what its page shows: its messages, its tasks and the customer's other conversations. */
export interface TicketDetail {
  ticket: TicketSummary;
  messages: StoredMessage[];
  tasks: TicketTask[];
  related: RelatedConversation[];
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
  /** true: only tickets marked spam; false: only those not marked. Unset: both. */
  spam: z.boolean().optional(),
  /** Words looked for in the number, subject, customer and the messages' text. */
  q: z.string().optional(),
  limit: z.number().int().min(1).max(500).optional(),
  offset: z.number().int().min(0).optional(),
  /** `newest`: latest activity first. `urgent`: priority (urgent first), then newest. */
  sort: z.enum(['newest', 'urgent']).optional(),
  /** A user id: tickets assigned to them. */
  assignee: z.string().optional(),
  /** Only tickets assigned to nobody. */
  unassigned: z.boolean().optional(),
});
export type TicketFilter = z.infer<typeof TicketFilter>;

export const TicketPatch = z
  .object({
    status: TicketStatus.optional(),
    priority: Priority.optional(),
    category: Category.optional(),
    assignee: z.string().min(1).nullable().optional(),
    /** An agent's verdict: true marks the ticket spam, false clears the mark. */
    spam: z.boolean().optional(),
    by: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Who makes the change (the gateway sets it from the signed-in person), recorded with a category or priority correction.'),
  })
  .strict();
export type TicketPatch = z.infer<typeof TicketPatch>;

export const CORRECTION_FIELDS = ['category', 'priority'] as const;
export const CorrectionField = z.enum(CORRECTION_FIELDS);
export type CorrectionField = z.infer<typeof CorrectionField>;

/** A person changed a ticket's category or priority: a labelled example of the message that opened it. */
export interface Correction {
  id: string;
  ticketId: string;
  ticketNumber: string;
  /** The message the ticket's category and priority were decided from: its (masked) text is the example. */
  messageId: string;
  field: CorrectionField;
  /** The ticket's value before the change, and the value the person chose. */
  from: string;
  to: string;
  subject?: string;
  text: string;
  language: Language;
  channel: Channel;
  /** The model that decided the message (the routed message's classifierVersion). */
  classifierVersion?: string;
  correctedBy?: string;
  correctedAt: string;
  /** An admin excluded it from training, with who, when and why. */
  excluded: boolean;
  excludedBy?: string;
  excludedAt?: string;
  exclusionReason?: string;
  /** The customer deleted the message since. */
  messageDeletedAt?: string;
}

export const CorrectionFilter = z
  .object({
    field: CorrectionField.optional(),
    excluded: z.boolean().optional(),
    /** Corrections made at or after this instant. */
    since: z.iso.datetime({ offset: true }).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).optional(),
  })
  .strict();
export type CorrectionFilter = z.infer<typeof CorrectionFilter>;

export const CorrectionReview = z
  .object({
    excluded: z.boolean().describe('True: keep it out of training; false: take it back in.'),
    reason: z.string().trim().min(1).max(500).optional(),
    by: z.string().trim().min(1).max(200).optional().describe('Who reviews (the gateway sets it from the signed-in person).'),
  })
  .strict();
export type CorrectionReview = z.infer<typeof CorrectionReview>;

/** What an agent may see: the tickets of their teams' categories, and those assigned to them. */
export interface TicketVisibility {
  categories: readonly string[];
  userId: string;
}

/** One change of the live feed (`events`), written by the database itself whoever changed what. */
export interface TicketEvent {
  /** Increasing: the SSE event id a console resumes from. */
  id: string;
  at: string;
  type: 'message' | 'message.changed' | 'ticket.opened' | 'ticket.changed';
  ticketId?: string;
  /** Always `category` and `assignee` of the ticket (to decide who may see it), and what changed. */
  data: Record<string, unknown>;
}

/** An open or pending ticket, as the assignment planner and the SLA clocks read it. */
export interface QueuedTicketRow {
  id: string;
  number: string;
  category: string;
  priority: Priority;
  status: TicketStatus;
  createdAt: Date;
  assignee?: string;
  firstResponseAt?: Date;
  resolvedAt?: Date;
  /** When it waited on the customer or stood resolved; `to` unset while it still does. */
  pauses: { from: Date; to?: Date }[];
}

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
  /** With `visibility`, only what an agent may see. */
  listTickets(filter?: TicketFilter, visibility?: TicketVisibility): Promise<TicketSummary[]>;
  /**
   * By id or by number (SB-000123); messages ordered by sent_at, then received_at; tasks oldest first;
   * the other conversations whose customer has the same phone number, latest first.
   */
  getTicket(idOrNumber: string): Promise<TicketDetail | undefined>;
  /**
   * A category or priority change is recorded as a human correction (`listCorrections`), with
   * `patch.by` and the time. Undefined when there is no such ticket.
   */
  updateTicket(idOrNumber: string, patch: TicketPatch): Promise<TicketSummary | undefined>;
  /** Corrections oldest first (ties in the order they were made). */
  listCorrections(filter?: CorrectionFilter): Promise<Correction[]>;
  /** Excludes a correction from training, or takes it back in. Undefined when there is no such correction. */
  reviewCorrection(id: string, review: CorrectionReview): Promise<Correction | undefined>;
  /** Stored on the ticket's conversation, delivery state queued; idempotent by id. An ack marks the ticket acknowledged. */
  recordOutbound(message: OutboundMessage): Promise<void>;
  /** Several outbound messages in one transaction (a batch's acknowledgements). */
  recordOutbounds(messages: readonly OutboundMessage[]): Promise<void>;
  applyDelivery(report: DeliveryReport): Promise<void>;
  /** Records a task on a ticket, idempotent by id (`created` false when it existed). Undefined when there is no such ticket. */
  addTask(idOrNumber: string, task: { id: string; text: string; createdAt?: string }): Promise<{ task: TicketTask; created: boolean } | undefined>;
  /** Marks a task of the ticket done (or not done again). Undefined when the ticket has no such task. */
  setTaskDone(idOrNumber: string, taskId: string, done: boolean): Promise<TicketTask | undefined>;
  /** The latest customer message of a ticket (non-automatic first): recipient and threading of a reply. */
  lastInbound(idOrNumber: string): Promise<StoredMessage | undefined>;
  /**
   * Tickets opened by any of `messageIds` on one of `channels` that have no acknowledgement recorded
   * yet, whose opening message was sent after `sentAfter` (so a backfill of old mail is not acknowledged).
   */
  pendingAcks(messageIds: readonly string[], channels: readonly Channel[], sentAfter?: Date): Promise<PendingAck[]>;
  stats(): Promise<TicketStats>;
  /** The live feed after `afterId` ('0' for all), oldest first. */
  eventsAfter(afterId: string, limit: number): Promise<TicketEvent[]>;
  /** The newest event's id ('0' when none): where a new console starts. */
  lastEventId(): Promise<string>;
  /** Open and pending tickets, or those of `ids` whatever their status, with their SLA times. */
  queue(ids?: readonly string[]): Promise<QueuedTicketRow[]>;
  /** Sets or clears assignees in one transaction. */
  assign(changes: readonly { ticketId: string; assignee: string | null }[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The outbound message names a ticket the store does not have. */
export class UnknownTicketError extends PermanentError {
  override readonly name = 'UnknownTicketError';
  constructor(readonly ticketId: string) {
    super(`no ticket ${ticketId}`);
  }
}
