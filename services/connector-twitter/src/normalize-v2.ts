/**
 * X API v2 payloads in, envelopes out (pure). Posts as `GET /2/users/:id/mentions` and `GET /2/tweets`
 * return them with their `includes`, DM events as `GET /2/dm_events` does (shapes: xdevplatform/docs,
 * x-api/fundamentals/data-dictionary.mdx and openapi.json). Message ids are those of the v1.1 path
 * (tweet and DM event ids are shared by v1.1 and v2), so switching API versions repeats nothing.
 */
import { z } from 'zod';
import { tidyText, toIso } from '@switchboard/connector-sdk';
import {
  decodeTweetEntities,
  dmConversationKey,
  dmMessageId,
  mediaAttachments,
  senderOf,
  stripLeadingOwnMention,
  tweetConversationKey,
  tweetMessageId,
  withExpandedUrls,
  type MediaEntity,
  type Normalized,
  type OwnAccount,
} from './normalize.ts';

const UrlEntity = z.looseObject({ url: z.string(), expanded_url: z.string().nullish(), media_key: z.string().optional() });
const Entities = z.looseObject({
  urls: z.array(UrlEntity).optional(),
  mentions: z.array(z.looseObject({ username: z.string(), id: z.string().optional() })).optional(),
});

export const PostV2 = z.looseObject({
  id: z.string().regex(/^\d+$/),
  text: z.string(),
  author_id: z.string().min(1),
  conversation_id: z.string().optional(),
  created_at: z.string().optional(),
  lang: z.string().optional(),
  in_reply_to_user_id: z.string().optional(),
  entities: Entities.optional(),
  note_tweet: z.looseObject({ text: z.string(), entities: Entities.optional() }).optional(),
  referenced_tweets: z.array(z.looseObject({ type: z.string(), id: z.string() })).optional(),
  attachments: z.looseObject({ media_keys: z.array(z.string()).optional() }).optional(),
});
export type PostV2 = z.infer<typeof PostV2>;

export const DmEventV2 = z.looseObject({
  id: z.string().regex(/^\d+$/),
  event_type: z.string(),
  text: z.string().optional(),
  sender_id: z.string().optional(),
  dm_conversation_id: z.string().optional(),
  created_at: z.string().optional(),
  entities: Entities.optional(),
  attachments: z.looseObject({ media_keys: z.array(z.string()).optional() }).optional(),
});
export type DmEventV2 = z.infer<typeof DmEventV2>;

const MediaV2 = z.looseObject({
  media_key: z.string(),
  type: z.string(),
  url: z.string().optional(),
  preview_image_url: z.string().optional(),
  variants: z.array(z.looseObject({ bit_rate: z.number().optional(), content_type: z.string(), url: z.string() })).optional(),
});
const UserV2 = z.looseObject({ id: z.string(), name: z.string().optional(), username: z.string().optional() });

/** A response's `includes`, read leniently: an expansion that does not parse is left out, never fails the post. */
export interface Includes {
  users: Map<string, z.infer<typeof UserV2>>;
  media: Map<string, z.infer<typeof MediaV2>>;
  tweets: Map<string, PostV2>;
}

export function readIncludes(raw: unknown): Includes {
  const includes = (raw ?? {}) as { users?: unknown; media?: unknown; tweets?: unknown };
  const list = <T>(items: unknown, schema: z.ZodType<T>, key: (item: T) => string) =>
    new Map((Array.isArray(items) ? items : []).flatMap((item) => {
      const parsed = schema.safeParse(item);
      return parsed.success ? [[key(parsed.data), parsed.data] as const] : [];
    }));
  return { users: list(includes.users, UserV2, (u) => u.id), media: list(includes.media, MediaV2, (m) => m.media_key), tweets: list(includes.tweets, PostV2, (t) => t.id) };
}

/** Why a post is not a customer message for `own`, or undefined when it is one. */
export function ignoredPostReason(post: PostV2, own: OwnAccount): string | undefined {
  if (post.referenced_tweets?.some((r) => r.type === 'retweeted')) return 'retweet';
  if (post.author_id === own.userId) return 'our own post';
  return undefined;
}

export function normalizePost(post: PostV2, includes: Includes, own: OwnAccount, receivedAt = new Date()): Normalized {
  const ignored = ignoredPostReason(post, own);
  if (ignored) return { ignored };
  const rootId = post.conversation_id ?? post.id;
  const repliedTo = post.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
  const quotedId = post.referenced_tweets?.find((r) => r.type === 'quoted')?.id;
  const quoted = quotedId ? includes.tweets.get(quotedId) : undefined;
  return {
    message: {
      schemaVersion: 1,
      id: tweetMessageId(own.handle, post.id),
      channel: 'twitter',
      account: own.handle,
      externalId: post.id,
      conversationKey: tweetConversationKey(own.handle, rootId),
      sender: senderOf(post.author_id, userOf(includes, post.author_id)),
      text: stripLeadingOwnMention(postText(post), own.handle),
      attachments: mediaAttachments(mediaOf(post.attachments?.media_keys, includes)),
      sentAt: toIso(post.created_at, receivedAt),
      receivedAt: receivedAt.toISOString(),
      meta: {
        kind: 'mention',
        tweetId: post.id,
        rootTweetId: rootId,
        ...(repliedTo ? { inReplyToStatusId: repliedTo } : {}),
        ...(post.lang ? { lang: post.lang } : {}),
        ...(post.note_tweet ? { longPost: true } : {}),
        ...(quoted ? { quoted: { tweetId: quoted.id, text: postText(quoted), user: { id: quoted.author_id, screenName: includes.users.get(quoted.author_id)?.username } } } : {}),
      },
    },
  };
}

/** The whole text: a long post's `note_tweet` (its `text` is cut at 280), links expanded, media links dropped, entities decoded. */
export function postText(post: PostV2): string {
  const source = post.note_tweet ?? post;
  const urls = source.entities?.urls ?? [];
  const media = urls.filter((u) => u.media_key !== undefined).map((u) => ({ type: 'photo', url: u.url }));
  const links = urls.filter((u) => u.media_key === undefined);
  return tidyText(decodeTweetEntities(withExpandedUrls(source.text, links, media)));
}

export function normalizeDmEvent(event: DmEventV2, includes: Includes, own: OwnAccount, receivedAt = new Date()): Normalized | { invalid: string } {
  if (event.event_type !== 'MessageCreate') return { ignored: `event type ${event.event_type}` };
  if (!event.sender_id || event.text === undefined || !event.dm_conversation_id) return { invalid: 'a MessageCreate event needs sender_id, text and dm_conversation_id' };
  if (event.sender_id === own.userId) return { ignored: 'our own direct message' };
  const media = mediaOf(event.attachments?.media_keys, includes);
  const oneToOne = oneToOneParticipants(event.dm_conversation_id);
  return {
    message: {
      schemaVersion: 1,
      id: dmMessageId(own.handle, event.id),
      channel: 'twitter',
      account: own.handle,
      externalId: `dm:${event.id}`,
      conversationKey: oneToOne ? dmConversationKey(own.handle, event.sender_id) : dmGroupConversationKey(own.handle, event.dm_conversation_id),
      sender: senderOf(event.sender_id, userOf(includes, event.sender_id)),
      text: tidyText(withExpandedUrls(event.text, event.entities?.urls ?? [], [])),
      attachments: mediaAttachments(media),
      sentAt: toIso(event.created_at, receivedAt),
      receivedAt: receivedAt.toISOString(),
      meta: { kind: 'dm', dmEventId: event.id, dmConversationId: event.dm_conversation_id, recipientId: own.userId },
    },
  };
}

/** A one-to-one conversation's id is the two user ids, `{low}-{high}`; a group's is not. */
export function oneToOneParticipants(conversationId: string): [string, string] | undefined {
  const match = /^(\d+)-(\d+)$/.exec(conversationId);
  return match ? [match[1]!, match[2]!] : undefined;
}

export function oneToOneConversationId(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? `${a}-${b}` : `${b}-${a}`;
}

export function dmGroupConversationKey(account: string, conversationId: string): string {
  return `dmgroup:${account}:${conversationId}`;
}

function userOf(includes: Includes, id: string): { name?: string; screen_name?: string } | undefined {
  const user = includes.users.get(id);
  return user ? { ...(user.name ? { name: user.name } : {}), ...(user.username ? { screen_name: user.username } : {}) } : undefined;
}

/** v2 media objects in the v1.1 shape the attachment mapper reads. */
function mediaOf(keys: readonly string[] | undefined, includes: Includes): MediaEntity[] {
  return (keys ?? []).flatMap((key) => {
    const media = includes.media.get(key);
    if (!media) return [];
    const variants = media.variants?.map((v) => ({ content_type: v.content_type, url: v.url, ...(v.bit_rate !== undefined ? { bitrate: v.bit_rate } : {}) }));
    return [{ id_str: key, type: media.type, ...(media.url ?? media.preview_image_url ? { media_url_https: media.url ?? media.preview_image_url } : {}), ...(variants ? { video_info: { variants } } : {}) }];
  });
}
