/**
 * Twitter v1.1 payloads in, envelopes out. Pure: a tweet or DM event normalizes the same way
 * whether it came from polling or from the Account Activity webhook, so both paths give one message.
 */
import { z } from 'zod';
import { messageId, type Attachment, type InboundMessageInput } from '@switchboard/schema';
import { tidyText, toIso } from '@switchboard/connector-sdk';

const UrlEntity = z.looseObject({ url: z.string(), expanded_url: z.string().nullish() });
const MentionEntity = z.looseObject({ id_str: z.string().optional(), screen_name: z.string() });
const MediaEntity = z.looseObject({
  id_str: z.string().optional(),
  type: z.string(),
  url: z.string().optional(),
  media_url_https: z.string().optional(),
  media_url: z.string().optional(),
  video_info: z
    .looseObject({ variants: z.array(z.looseObject({ bitrate: z.number().optional(), content_type: z.string(), url: z.string() })) })
    .optional(),
});
export type MediaEntity = z.infer<typeof MediaEntity>;

const Entities = z.looseObject({
  urls: z.array(UrlEntity).optional(),
  user_mentions: z.array(MentionEntity).optional(),
  media: z.array(MediaEntity).optional(),
});
const ExtendedEntities = z.looseObject({ media: z.array(MediaEntity).optional() });

const User = z.looseObject({ id_str: z.string().min(1), name: z.string().optional(), screen_name: z.string().optional() });

const TweetCore = z.looseObject({
  id_str: z.string().regex(/^\d+$/),
  created_at: z.string().optional(),
  text: z.string().optional(),
  full_text: z.string().optional(),
  extended_tweet: z
    .looseObject({ full_text: z.string(), entities: Entities.optional(), extended_entities: ExtendedEntities.optional() })
    .optional(),
  entities: Entities.optional(),
  extended_entities: ExtendedEntities.optional(),
  user: User,
  in_reply_to_status_id_str: z.string().nullish(),
  in_reply_to_user_id_str: z.string().nullish(),
  conversation_id: z.union([z.string(), z.number()]).nullish(),
  lang: z.string().nullish(),
  truncated: z.boolean().optional(),
  retweeted_status: z.unknown().optional(),
});

export const Tweet = TweetCore.extend({ quoted_status: TweetCore.optional() });
export type Tweet = z.infer<typeof Tweet>;

export const DirectMessageEvent = z.looseObject({
  type: z.string(),
  id: z.string().regex(/^\d+$/),
  created_timestamp: z.string().regex(/^\d+$/),
  message_create: z
    .looseObject({
      target: z.looseObject({ recipient_id: z.string() }),
      sender_id: z.string().min(1),
      message_data: z.looseObject({
        text: z.string(),
        entities: Entities.optional(),
        attachment: z.looseObject({ type: z.string(), media: MediaEntity.optional() }).optional(),
      }),
    })
    .optional(),
});
export type DirectMessageEvent = z.infer<typeof DirectMessageEvent>;

/** `users` of a webhook's direct_message_events: v1.1 user objects keyed by id (`id` is a string there). */
export type DmUsers = Record<string, { name?: string; screen_name?: string } | undefined>;

/** Which of our accounts received a payload. */
export interface OwnAccount {
  /** Lower case, without @. */
  handle: string;
  userId: string;
}

export type Normalized = { message: InboundMessageInput } | { ignored: string };

/**
 * The conversation root of a tweet: Twitter's `conversation_id` when the payload has one; otherwise
 * the caller's knowledge of the reply chain (see ThreadIndex); without any, the tweet replied to,
 * else the tweet itself.
 */
export type RootOf = (tweet: Tweet) => string;
export const rootWithoutHistory: RootOf = (tweet) => (tweet.conversation_id ? String(tweet.conversation_id) : (tweet.in_reply_to_status_id_str ?? tweet.id_str));

export function tweetConversationKey(account: string, rootId: string): string {
  return `tweet:${account}:${rootId}`;
}

export function dmConversationKey(account: string, customerId: string): string {
  return `dm:${account}:${customerId}`;
}

export function tweetMessageId(account: string, tweetId: string): string {
  return messageId('twitter', account, tweetId);
}

export function dmMessageId(account: string, eventId: string): string {
  return messageId('twitter', account, `dm:${eventId}`);
}

/** Why a tweet is not a customer message for `own`, or undefined when it is one. */
export function ignoredTweetReason(tweet: Tweet, own: OwnAccount): string | undefined {
  if (tweet.retweeted_status !== undefined) return 'retweet';
  if (isOwn(tweet.user, own)) return 'our own tweet';
  const { entities } = textSource(tweet);
  const mentionsUs = (entities?.user_mentions ?? []).some((m) => m.id_str === own.userId || m.screen_name.toLowerCase() === own.handle);
  const repliesToUs = tweet.in_reply_to_user_id_str === own.userId;
  const quotesUs = tweet.quoted_status !== undefined && isOwn(tweet.quoted_status.user, own);
  return mentionsUs || repliesToUs || quotesUs ? undefined : 'not addressed to the account';
}

export function normalizeTweet(tweet: Tweet, own: OwnAccount, options: { rootOf?: RootOf; receivedAt?: Date } = {}): Normalized {
  const ignored = ignoredTweetReason(tweet, own);
  if (ignored) return { ignored };
  const receivedAt = options.receivedAt ?? new Date();
  const quoted = tweet.quoted_status;
  const rootId = (options.rootOf ?? rootWithoutHistory)(tweet);
  return {
    message: {
      schemaVersion: 1,
      id: tweetMessageId(own.handle, tweet.id_str),
      channel: 'twitter',
      account: own.handle,
      externalId: tweet.id_str,
      conversationKey: tweetConversationKey(own.handle, rootId),
      sender: senderOf(tweet.user.id_str, tweet.user),
      text: stripLeadingOwnMention(tweetText(tweet), own.handle),
      attachments: mediaAttachments(textSource(tweet).media),
      sentAt: toIso(tweet.created_at, receivedAt),
      receivedAt: receivedAt.toISOString(),
      meta: {
        kind: 'mention',
        tweetId: tweet.id_str,
        rootTweetId: rootId,
        ...(tweet.in_reply_to_status_id_str ? { inReplyToStatusId: tweet.in_reply_to_status_id_str } : {}),
        ...(tweet.lang ? { lang: tweet.lang } : {}),
        ...(isTruncated(tweet) ? { truncated: true, fullTextUrl: fullTextUrl(tweet.id_str) } : {}),
        ...(quoted
          ? { quoted: { tweetId: quoted.id_str, text: tweetText(quoted), user: { id: quoted.user.id_str, screenName: quoted.user.screen_name } } }
          : {}),
      },
    },
  };
}

export function normalizeDirectMessage(event: DirectMessageEvent, own: OwnAccount, options: { users?: DmUsers; receivedAt?: Date } = {}): Normalized {
  const create = event.message_create;
  if (event.type !== 'message_create' || !create) return { ignored: `event type ${event.type}` };
  if (create.sender_id === own.userId) return { ignored: 'our own direct message' };
  const receivedAt = options.receivedAt ?? new Date();
  const data = create.message_data;
  const media = data.attachment?.media ? [data.attachment.media] : [];
  const user = options.users?.[create.sender_id];
  return {
    message: {
      schemaVersion: 1,
      id: dmMessageId(own.handle, event.id),
      channel: 'twitter',
      account: own.handle,
      externalId: `dm:${event.id}`,
      conversationKey: dmConversationKey(own.handle, create.sender_id),
      sender: senderOf(create.sender_id, user),
      text: tidyText(withExpandedUrls(data.text, data.entities?.urls ?? [], media)),
      attachments: mediaAttachments(media),
      sentAt: toIso(Number(event.created_timestamp), receivedAt),
      receivedAt: receivedAt.toISOString(),
      meta: { kind: 'dm', dmEventId: event.id, recipientId: create.target.recipient_id },
    },
  };
}

function isOwn(user: { id_str: string; screen_name?: string | undefined }, own: OwnAccount): boolean {
  return user.id_str === own.userId || (user.screen_name !== undefined && user.screen_name.toLowerCase() === own.handle);
}

export function senderOf(id: string, user: { name?: string | undefined; screen_name?: string | undefined } | undefined): InboundMessageInput['sender'] {
  return {
    id,
    ...(user?.name ? { name: user.name } : {}),
    ...(user?.screen_name ? { address: `@${user.screen_name}` } : {}),
  };
}

/** Where a tweet's full text and its entities are: `extended_tweet` (compatibility mode) or the tweet. */
function textSource(tweet: z.infer<typeof TweetCore>) {
  const extended = tweet.extended_tweet;
  if (extended) {
    return { text: extended.full_text, entities: extended.entities, media: extended.extended_entities?.media ?? extended.entities?.media ?? [] };
  }
  return { text: tweet.full_text ?? tweet.text ?? '', entities: tweet.entities, media: tweet.extended_entities?.media ?? tweet.entities?.media ?? [] };
}

/** The tweet's full text with t.co links expanded, media links removed and HTML entities decoded; a truncated one says so. */
export function tweetText(tweet: z.infer<typeof TweetCore>): string {
  const { text, entities, media } = textSource(tweet);
  if (!isTruncated(tweet)) return tidyText(decodeTweetEntities(withExpandedUrls(text, entities?.urls ?? [], media)));
  // Compatibility mode without extended_tweet: the text stops at 140/280 with "…" and a link to the post.
  const urls = (entities?.urls ?? []).filter((url) => !WEB_STATUS.test(url.expanded_url ?? ''));
  const links = (entities?.urls ?? []).filter((url) => WEB_STATUS.test(url.expanded_url ?? ''));
  const visible = links.reduce((out, link) => out.split(link.url).join(''), text).replace(/\s*…?\s*$/, '');
  return `${tidyText(decodeTweetEntities(withExpandedUrls(visible, urls, media)))}… ${truncationNote(tweet.id_str)}`;
}

const WEB_STATUS = /\/i\/web\/status\/\d+/;

/** What an agent reads after a post X cut short. */
export function truncationNote(tweetId: string): string {
  return `[post truncated by X; full text: ${fullTextUrl(tweetId)}]`;
}

export function fullTextUrl(tweetId: string): string {
  return `https://x.com/i/web/status/${tweetId}`;
}

/** A compatibility-mode tweet whose full text is not in the payload (`truncated` without `extended_tweet`). */
export function isTruncated(tweet: z.infer<typeof TweetCore>): boolean {
  return tweet.truncated === true && !tweet.extended_tweet && tweet.full_text === undefined;
}

export function withExpandedUrls(text: string, urls: readonly z.infer<typeof UrlEntity>[], media: readonly MediaEntity[]): string {
  let out = text;
  for (const url of urls) if (url.expanded_url) out = out.split(url.url).join(url.expanded_url);
  // The media link only points at the attachment, which travels as metadata.
  for (const item of media) if (item.url) out = out.split(item.url).join('');
  return out;
}

/** v1.1 escapes exactly these three in tweet text. */
export function decodeTweetEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Drops mentions of our own handle from the run of @mentions a tweet starts with (the reply
 * prefix); other people's mentions in that run stay, as do mentions of us later in the sentence.
 */
export function stripLeadingOwnMention(text: string, handle: string): string {
  const lead = /^(?:\s*@\w+)+/.exec(text);
  if (!lead) return text;
  const kept = lead[0]
    .trim()
    .split(/\s+/)
    .filter((mention) => mention.slice(1).toLowerCase() !== handle);
  const rest = text.slice(lead[0].length).trimStart();
  return [...kept, rest].filter(Boolean).join(' ');
}

const EXTENSION_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', mp4: 'video/mp4' };

export function mediaAttachments(media: readonly MediaEntity[]): Attachment[] {
  return media.map((item) => {
    const best = [...(item.video_info?.variants ?? [])].filter((v) => v.content_type.startsWith('video/')).sort((a, b) => (b.bitrate ?? 0) - (a.bitrate ?? 0))[0];
    const url = best?.url ?? item.media_url_https ?? item.media_url ?? item.url ?? '';
    const name = new URL(url, 'https://twitter.com/').pathname.split('/').pop() || `${item.type}-${item.id_str ?? 'media'}`;
    const extension = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
    return {
      name,
      contentType: best?.content_type ?? EXTENSION_TYPES[extension] ?? (item.type === 'photo' ? 'image/jpeg' : 'application/octet-stream'),
      // Twitter does not say how big a file is; the bytes are not fetched.
      size: 0,
      ...(url ? { url } : {}),
    };
  });
}
