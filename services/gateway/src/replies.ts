import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { inReplyToOf, stableId, type OutboundMessage, type TopicNames } from '@switchboard/schema';
import { HttpError, json, type HttpRequest, type HttpResponse } from '@switchboard/http';
import type { BatchingProducer } from '@switchboard/kafka';
import type { ChannelRegistry } from '@switchboard/connector-sdk';
import type { StoredMessage, TicketDetail, TicketStore, TicketSummary } from '@switchboard/ticket-store';
import type { Logger } from '@switchboard/runtime';
import type { TeamStore } from '@switchboard/team';
import type { Authenticator, Principal } from './people/authenticator.ts';
import type { TicketAccess } from './people/access.ts';
import { agentReplyDecision } from './reply-window.ts';

export const ReplyBody = z
  .object({
    text: z.string().trim().min(1).max(100_000),
    public: z.boolean().optional().describe('Answer in public (a post) instead of privately, where the channel has both.'),
  })
  .strict();
export type ReplyBody = z.infer<typeof ReplyBody>;

/** What became of a reply: queued (now, or by an earlier request with the same key), or refused by the channel. */
export type ReplyOutcome =
  | { state: 'queued'; id: string; ticketId: string; duplicate?: 'recorded' | 'in-flight' }
  | { state: 'refused'; error: string; code: string };

/**
 * The reply to a ticket's latest customer message, on that message's channel, account and thread. The
 * subject is the conversation's own: how a reply subject reads on a channel is its connector's business.
 */
export function buildReply(
  ticket: TicketSummary,
  answered: StoredMessage,
  body: ReplyBody,
  id: string,
  now = new Date(),
  replyMode?: string,
  author?: OutboundMessage['author'],
): OutboundMessage {
  const subject = answered.subject ?? ticket.subject;
  return {
    schemaVersion: 1,
    id,
    kind: 'reply',
    ticketId: ticket.id,
    ticketNumber: ticket.number,
    channel: answered.channel,
    account: ticket.account,
    conversationKey: ticket.conversationKey,
    recipient: answered.sender,
    public: body.public ?? false,
    inReplyTo: inReplyToOf(answered),
    ...(subject !== undefined ? { subject } : {}),
    text: body.text,
    ...(author ? { author } : {}),
    createdAt: now.toISOString(),
    ...(replyMode ? { replyMode } : {}),
    meta: {},
  };
}

/** A ticket this person may read, or 404 (a ticket outside one's queues is not everyone's to know of). */
export async function readableTicket(store: TicketStore, access: TicketAccess, principal: Principal, id: string): Promise<TicketDetail> {
  const found = await store.getTicket(id);
  if (!found) throw new HttpError(404, `no ticket ${id}`);
  await access.requireRead(principal, found.ticket);
  return found;
}

export interface ReplyQueueOptions {
  store: TicketStore;
  producer: BatchingProducer;
  topics: TopicNames;
  channels: ChannelRegistry;
  auth: Authenticator;
  access: TicketAccess;
  team: TeamStore;
  logger: Logger;
  now: () => Date;
}

/**
 * The one way a person's words reach a customer: an agent's reply, and the notice a wallet action sends.
 * The channel's reply policy is asked first; the reply is produced to Kafka before it is recorded, so a
 * client that retries after any failure with the same key still gets it sent (the connectors send each
 * outbound id once, whatever the topic holds); two concurrent requests with one key produce once.
 */
export class ReplyQueue {
  private readonly inFlight = new Map<string, Promise<ReplyOutcome>>();

  constructor(private readonly options: ReplyQueueOptions) {}

  /** The outbound id a reply with this key gets: how a caller recognises its own reply on the ticket. */
  static idOf(ticketId: string, key: string): string {
    return stableId('reply', ticketId, key);
  }

  send(request: HttpRequest, principal: Principal, ticketId: string, body: ReplyBody, key: string | undefined): Promise<ReplyOutcome> {
    if (!key) return this.queue(request, principal, ticketId, body, undefined);
    const slot = `${ticketId}\u001f${key}`;
    const pending = this.inFlight.get(slot);
    if (pending) return pending.then((outcome) => (outcome.state === 'queued' ? { ...outcome, duplicate: 'in-flight' as const } : outcome));
    const work = this.queue(request, principal, ticketId, body, key).finally(() => this.inFlight.delete(slot));
    this.inFlight.set(slot, work);
    return work;
  }

  private async queue(request: HttpRequest, principal: Principal, ticketId: string, body: ReplyBody, key: string | undefined): Promise<ReplyOutcome> {
    const { store, producer, topics, channels, auth, access, team, logger } = this.options;
    const { ticket, messages } = await readableTicket(store, access, principal, ticketId);
    const outboundId = ReplyQueue.idOf(ticket.id, key ?? randomUUID());
    if (messages.some((m) => m.id === outboundId)) return { state: 'queued', id: outboundId, ticketId: ticket.id, duplicate: 'recorded' };
    const answered = await store.lastInbound(ticket.id);
    if (!answered) throw new HttpError(409, `ticket ${ticket.number} has no customer message to reply to`);
    // Refused before anything is queued: a reply the channel cannot carry would only fail later, unseen.
    const at = this.options.now();
    const decision = agentReplyDecision(channels, ticket, messages, at);
    if (!decision.allowed) return { state: 'refused', error: `the ${channels.describe(answered.channel).label.en} reply cannot be sent now: ${decision.reason}`, code: decision.code };
    const outbound = buildReply(ticket, answered, body, outboundId, at, decision.mode, { id: principal.user.id, name: principal.user.name });
    try {
      await producer.sendJson(topics.outbound, [{ key: outbound.conversationKey, value: outbound, headers: { channel: outbound.channel, kind: outbound.kind } }]);
      await store.recordOutbound(outbound);
    } catch (error) {
      logger.error('reply not accepted', { ticketId: ticket.id, outboundId, error });
      throw new HttpError(503, 'the reply could not be queued; retry with the same Idempotency-Key');
    }
    await team.audit.record(auth.actor(request, principal), 'ticket.reply', ticket.number, { outboundId, public: outbound.public, length: body.text.length });
    return { state: 'queued', id: outboundId, ticketId: ticket.id };
  }
}

/** The reply route's answer: 202 with the id (and `duplicate` for a key seen before), or 409 with the channel's code. */
export function replyResponse(outcome: ReplyOutcome): HttpResponse {
  if (outcome.state === 'refused') return json(409, { error: outcome.error, code: outcome.code });
  // A reply already recorded may have been sent since: its answer says nothing of its state.
  if (outcome.duplicate === 'recorded') return json(202, { id: outcome.id, ticketId: outcome.ticketId, duplicate: true });
  return json(202, { id: outcome.id, ticketId: outcome.ticketId, state: 'queued', ...(outcome.duplicate ? { duplicate: true } : {}) });
}
