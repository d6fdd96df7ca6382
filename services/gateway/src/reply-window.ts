import { decideReply, type ChannelRegistry, type ReplyDecision, type ReplyHistory } from '@switchboard/connector-sdk';
import type { StoredMessage, TicketSummary } from '@switchboard/ticket-store';

/**
 * What a channel's reply policy reads, from a ticket's messages: when the customer last wrote (automatic
 * mail and events left out: a location report the channel sends on its own is not the customer writing)
 * and what we sent since (failed sends do not count: they never reached the customer).
 */
export function replyHistoryOf(messages: readonly StoredMessage[]): ReplyHistory {
  let last: number | undefined;
  for (const m of messages) {
    if (m.direction !== 'inbound' || m.autoSubmitted || m.event) continue;
    const at = Date.parse(m.sentAt);
    if (last === undefined || at > last) last = at;
  }
  if (last === undefined) return { sentSinceCustomer: [] };
  const since = last;
  const sent = messages
    .filter((m) => m.direction === 'outbound' && m.deliveryState !== 'failed' && Date.parse(m.sentAt) > since)
    .map((m) => ({ at: new Date(m.sentAt), kind: m.kind ?? 'reply' }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return { lastCustomerMessageAt: new Date(since), sentSinceCustomer: sent };
}

/** The customer message a reply answers, as the store's `lastInbound` picks it: the latest, automatic mail last. */
function answeredOf(messages: readonly StoredMessage[]): StoredMessage | undefined {
  const inbound = messages.filter((m) => m.direction === 'inbound' && !m.deletedAt);
  const human = inbound.filter((m) => !m.autoSubmitted);
  return (human.length > 0 ? human : inbound).reduce<StoredMessage | undefined>((latest, m) => (!latest || Date.parse(m.sentAt) >= Date.parse(latest.sentAt) ? m : latest), undefined);
}

/** May an agent's reply to `ticket` go out now, given its messages. An address no reply can reach refuses it on any channel. */
export function agentReplyDecision(channels: ChannelRegistry, ticket: TicketSummary, messages: readonly StoredMessage[], now: Date): ReplyDecision {
  const unusable = answeredOf(messages)?.sender.unusableAddress;
  if (unusable) return { allowed: false, code: 'no-reply-address', reason: unusable.reason };
  const request = { kind: 'reply' as const, now, account: ticket.account, conversationKey: ticket.conversationKey, history: replyHistoryOf(messages) };
  return decideReply(channels.get(ticket.channel), request);
}
