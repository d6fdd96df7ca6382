/**
 * When a reply may go out on X, decided from the conversation's history alone (the live rate-limit
 * state is the connector's, which waits for a window instead of failing). X limits sending DMs to
 * 15 per 15 minutes and 1,440 per 24 hours per account (xdevplatform/docs,
 * x-api/fundamentals/rate-limits.mdx): one conversation can never go past that, so a reply that would
 * is refused before it is queued. X's automation rules forbid automated replies and unsolicited DMs to
 * someone who only mentioned the account, so automatic messages go only into DM conversations.
 */
import type { ReplyDecision, ReplyPolicy, ReplyRequest } from '@switchboard/connector-sdk';

export const DM_SENDS_PER_WINDOW = 15;
export const DM_WINDOW_MS = 15 * 60_000;
export const DM_SENDS_PER_DAY = 1_440;
const DAY_MS = 86_400_000;

const isDmConversation = (key: string) => key.startsWith('dm:') || key.startsWith('dmgroup:');

export function decideXReply({ kind, now, conversationKey, history }: ReplyRequest): ReplyDecision {
  if (!history.lastCustomerMessageAt) return { allowed: false, code: 'no-customer-message', reason: 'the customer has not written on this conversation' };
  const dm = isDmConversation(conversationKey);
  if (kind === 'ack' && !dm) {
    return { allowed: false, code: 'not-for-automatic', reason: "X's automation rules: no automatic reply or DM to someone who only mentioned the account" };
  }
  const since = (ms: number) => history.sentSinceCustomer.filter((sent) => now.getTime() - sent.at.getTime() < ms).length;
  if (since(DM_WINDOW_MS) >= DM_SENDS_PER_WINDOW) {
    return { allowed: false, code: 'quota-exhausted', reason: `${DM_SENDS_PER_WINDOW} messages in the last 15 minutes: X allows no more per account; wait a few minutes` };
  }
  if (since(DAY_MS) >= DM_SENDS_PER_DAY) return { allowed: false, code: 'quota-exhausted', reason: `${DM_SENDS_PER_DAY} messages in 24 hours: X allows no more per account` };
  return { allowed: true };
}

export const xReplyPolicy: ReplyPolicy = {
  summary: `after the customer wrote; automatic messages in DMs only; X's limit of ${DM_SENDS_PER_WINDOW} DMs per 15 min per account`,
  decide: decideXReply,
};
