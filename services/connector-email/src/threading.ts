/**
 * Email threading. The conversation of a message is the root of its References/In-Reply-To chain:
 * clients keep that root when the subject changes, and our replies carry the customer's chain (see
 * outbound.ts), so a customer's answer to our reply lands on the conversation of their first mail.
 * When a client stripped those headers, a `[#SB-000123]` token in the subject (which our replies
 * carry) still names the ticket.
 */
import type { Thread } from '@switchboard/schema';

/** `bounced-message`: a delivery report, on the conversation of the reply of ours that bounced. */
export type ThreadingReason = 'references-root' | 'in-reply-to' | 'subject-token' | 'new' | 'bounced-message';

export interface Threading {
  conversationKey: string;
  reason: ThreadingReason;
  /** The message the key was taken from (the chain's root, the replied-to message or this one). */
  root?: string;
  /** A ticket named by the subject token or by one of our own Message-IDs in the chain. */
  ticketRef?: string;
}

const MESSAGE_ID = /<([^<>\s]+)>/g;
const TICKET_TOKEN = /\[#([A-Z]{1,10}-\d{1,12})\]/;
/** Our outbound Message-IDs: `<sb.SB-000123.<hash>@domain>`. */
const OWN_MESSAGE_ID = /^sb\.([A-Z]{1,10}-\d{1,12})\./;

/** Bare ids (no angle brackets) from a Message-ID, In-Reply-To or References header value. */
export function parseMessageIds(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(' ') : value;
  const ids = [...joined.matchAll(MESSAGE_ID)].map((m) => m[1]!);
  // Some clients write ids without brackets.
  if (ids.length === 0 && joined.trim() && !/\s/.test(joined.trim())) return [joined.trim()];
  return ids;
}

export function emailConversationKey(rootMessageId: string): string {
  return `email:${rootMessageId}`;
}

export function ticketConversationKey(ticketRef: string): string {
  return `ticket:${ticketRef}`;
}

export function ticketTokenIn(subject: string | undefined): string | undefined {
  return subject?.match(TICKET_TOKEN)?.[1];
}

export function ticketOfOwnMessageId(id: string): string | undefined {
  return id.match(OWN_MESSAGE_ID)?.[1];
}

/**
 * The envelope's typed thread: the chain a reply continues (References, or the replied-to message when a
 * client sent only In-Reply-To) and the ticket the mail names.
 */
export function threadFields(threading: Threading, references: string[], inReplyTo: string[]): Thread {
  const ancestors = references.length > 0 ? references : inReplyTo.slice(0, 1);
  return { ...(ancestors.length ? { ancestors } : {}), ...(threading.ticketRef ? { namedTicket: threading.ticketRef } : {}) };
}

/** `Re:`, `AW:`, `SV:`, `回复：` and the like at the start of a subject: the one rule for reply prefixes. */
export const REPLY_PREFIX = /^\s*(re|aw|sv|回复|回覆|答复)\s*[:：]\s*/i;

export function threadOf(input: { messageId: string; inReplyTo: string[]; references: string[]; subject?: string }): Threading {
  const ticketRef = [...input.references, ...input.inReplyTo].map(ticketOfOwnMessageId).find(Boolean) ?? ticketTokenIn(input.subject);
  const withTicket = ticketRef ? { ticketRef } : {};
  const root = input.references[0];
  if (root) return { conversationKey: emailConversationKey(root), reason: 'references-root', root, ...withTicket };
  const parent = input.inReplyTo[0];
  if (parent) return { conversationKey: emailConversationKey(parent), reason: 'in-reply-to', root: parent, ...withTicket };
  if (ticketRef) return { conversationKey: ticketConversationKey(ticketRef), reason: 'subject-token', ticketRef };
  return { conversationKey: emailConversationKey(input.messageId), reason: 'new', root: input.messageId };
}
