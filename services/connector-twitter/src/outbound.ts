/**
 * Rules for what may be sent. A public reply is visible to everyone, so it never carries anything
 * the router masked (a masked card number still says that the customer has a card ending 1234),
 * and it must fit in one tweet.
 */
import { PermanentSendError } from '@switchboard/connector-sdk';

export const MAX_TWEET_LENGTH = 280;
export const MAX_DM_LENGTH = 10_000;

/** Something Twitter would refuse or we must not publish: retrying cannot help. */
export class OutboundRefusedError extends PermanentSendError {
  override readonly name = 'OutboundRefusedError';
}

/** The router's mask markers: `[card ****1234]`, `[code]`, `[redacted …]`. */
const MASK_MARKER = /\*{4}|\[redacted|\[code/i;

export function containsMaskedContent(text: string): boolean {
  return MASK_MARKER.test(text);
}

/**
 * Length of a tweet as Twitter counts it (twitter-text v3): a URL counts 23, characters in the
 * Latin, general punctuation and similar ranges count 1, everything else (CJK, emoji) counts 2.
 */
export function weightedTweetLength(text: string): number {
  const withoutUrls = text.replace(/https?:\/\/\S+/gi, '');
  const urls = (text.match(/https?:\/\/\S+/gi) ?? []).length;
  let length = urls * 23;
  for (const char of withoutUrls) {
    const code = char.codePointAt(0)!;
    const light = code <= 4351 || (code >= 8192 && code <= 8205) || (code >= 8208 && code <= 8223) || (code >= 8242 && code <= 8247);
    length += light ? 1 : 2;
  }
  return length;
}

/** Throws OutboundRefusedError when `text` must not go out as a public reply. */
export function assertPublicReplyAllowed(text: string): void {
  if (containsMaskedContent(text)) {
    throw new OutboundRefusedError('refused: a public reply must not contain masked content (card numbers, codes); answer by DM instead');
  }
  const length = weightedTweetLength(text);
  if (length > MAX_TWEET_LENGTH) throw new OutboundRefusedError(`refused: a public reply is ${length} characters as Twitter counts them, more than ${MAX_TWEET_LENGTH}`);
}

export function assertDirectMessageAllowed(text: string): void {
  if ([...text].length > MAX_DM_LENGTH) throw new OutboundRefusedError(`refused: a direct message is longer than ${MAX_DM_LENGTH} characters`);
}

/** Where a message goes: a public reply to a post, or a DM to a person or a group conversation. */
export type Delivery =
  | { kind: 'public'; text: string; inReplyTo: string }
  | { kind: 'dm'; text: string; participantId: string }
  | { kind: 'dm-group'; text: string; conversationId: string };

/** The delivery an outbound message asks for, or OutboundRefusedError when it cannot go out. */
export function deliveryOf(message: { public?: boolean | undefined; text: string; conversationKey: string; recipient: { id: string }; inReplyTo?: { externalId?: string | undefined } | undefined }): Delivery {
  if (message.public) {
    assertPublicReplyAllowed(message.text);
    const tweetId = message.inReplyTo?.externalId;
    if (!tweetId || !/^\d+$/.test(tweetId)) throw new OutboundRefusedError('a public reply needs inReplyTo.externalId: the id of the tweet answered');
    return { kind: 'public', text: message.text, inReplyTo: tweetId };
  }
  assertDirectMessageAllowed(message.text);
  const group = /^dmgroup:[^:]+:(.+)$/.exec(message.conversationKey);
  if (group) return { kind: 'dm-group', text: message.text, conversationId: group[1]! };
  if (!/^\d+$/.test(message.recipient.id)) throw new OutboundRefusedError(`a direct message needs the customer's numeric user id as recipient.id, got "${message.recipient.id}"`);
  return { kind: 'dm', text: message.text, participantId: message.recipient.id };
}
