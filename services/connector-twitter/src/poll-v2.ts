/**
 * Polling of X API v2, the default: `GET /2/users/:id/mentions` (since_id, drained through
 * pagination_token before the newest id is checkpointed) and `GET /2/dm_events` (newest first, no
 * since_id: paged back until the last stored event). Shapes and limits: xdevplatform/docs,
 * x-api/posts/timelines (800 newest mentions), x-api/direct-messages/lookup (30 days of DM events),
 * x-api/fundamentals/pagination.mdx and rate-limits.mdx.
 */
import { PermanentError } from '@switchboard/runtime';
import type { ConnectorContext } from '@switchboard/connector-sdk';
import type { TwitterAccount } from './account.ts';
import { readIncludes } from './normalize-v2.ts';
import { DMS_STREAM, MENTIONS_STREAM, NOTHING_SEEN, type DmsPosition, type MentionsPosition } from './positions.ts';

/** Query fields of every post read, so polled and looked-up posts normalize alike. */
export const POST_FIELDS = {
  expansions: 'author_id,referenced_tweets.id,attachments.media_keys',
  'tweet.fields': 'conversation_id,created_at,entities,lang,note_tweet,referenced_tweets,in_reply_to_user_id,attachments,author_id',
  'user.fields': 'name,username',
  'media.fields': 'media_key,type,url,preview_image_url,variants',
} as const;

const DM_FIELDS = {
  event_types: 'MessageCreate',
  'dm_event.fields': 'id,event_type,text,sender_id,dm_conversation_id,created_at,attachments,entities,participant_ids',
  expansions: 'sender_id,attachments.media_keys,participant_ids',
  'user.fields': 'name,username',
  'media.fields': 'media_key,type,url,preview_image_url,variants',
} as const;

/** X serves the 800 newest mentions; a drain this large is close to losing some. */
export const MENTIONS_HORIZON = 800;
const MENTIONS_WARN_AT = 700;
/** X keeps 30 days of DM events; a poll gap this long is close to losing some. */
export const DM_HORIZON_DAYS = 30;
const DM_WARN_DAYS = 27;
/** How often a quiet DM inbox still records that it was polled (the gap warning reads it). */
const POLLED_AT_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

export class BudgetExhaustedError extends PermanentError {
  override readonly name = 'BudgetExhaustedError';
}

interface Page {
  data?: unknown[];
  includes?: { users?: unknown[]; media?: unknown[]; tweets?: unknown[] };
  meta?: { next_token?: string; newest_id?: string; result_count?: number };
}

function guardBudget(account: TwitterAccount): void {
  if (account.meter.exhausted) throw new BudgetExhaustedError(`daily budget of $${account.meter.budgetUsd} reached`);
}

/** Counts what a page bills: its items and the expanded posts and users. */
function meterPage(account: TwitterAccount, page: Page, resource: 'post_read' | 'dm_event_read'): void {
  const ids = (items: unknown[] | undefined) => (items ?? []).map((item) => String((item as { id?: unknown }).id));
  account.meter.read(account.meterName, resource, ids(page.data));
  account.meter.read(account.meterName, 'post_read', ids(page.includes?.tweets));
  account.meter.read(account.meterName, 'user_read', ids(page.includes?.users));
}

function mergeIncludes(into: Required<NonNullable<Page['includes']>>, page: Page): void {
  into.users.push(...(page.includes?.users ?? []));
  into.media.push(...(page.includes?.media ?? []));
  into.tweets.push(...(page.includes?.tweets ?? []));
}

const idOf = (item: unknown): bigint | undefined => {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' && /^\d+$/.test(id) ? BigInt(id) : undefined;
};

/**
 * New mentions since the checkpoint, all pages of them, emitted oldest first with the newest id as
 * the new checkpoint. A first start (no checkpoint) takes the newest page only.
 */
export async function pollMentionsV2(account: TwitterAccount, context: ConnectorContext, signal: AbortSignal): Promise<number> {
  const own = await account.resolveIdentity(signal);
  const position = context.checkpoint(own.handle, MENTIONS_STREAM) as Partial<MentionsPosition> | undefined;
  const sinceId = typeof position?.sinceId === 'string' && /^\d+$/.test(position.sinceId) && position.sinceId !== NOTHING_SEEN ? position.sinceId : undefined;
  const posts: unknown[] = [];
  const includes = { users: [] as unknown[], media: [] as unknown[], tweets: [] as unknown[] };
  let token: string | undefined;
  do {
    guardBudget(account);
    const { data: page } = await account.api.request<Page>({
      version: '2',
      method: 'GET',
      path: 'users/:id/mentions',
      params: { id: own.userId },
      query: { max_results: 100, ...POST_FIELDS, ...(sinceId ? { since_id: sinceId } : {}), ...(token ? { pagination_token: token } : {}) },
      signal,
    });
    meterPage(account, page, 'post_read');
    posts.push(...(page.data ?? []));
    mergeIncludes(includes, page);
    token = position ? page.meta?.next_token : undefined;
  } while (token);
  if (sinceId && posts.length >= MENTIONS_WARN_AT) {
    account.warn(context, `${posts.length} mentions since the last poll: X serves only the newest ${MENTIONS_HORIZON}, older ones may be missing; poll more often`);
  }
  const ordered = posts.filter((p) => idOf(p) !== undefined).sort((a, b) => (idOf(a)! < idOf(b)! ? -1 : 1));
  const unordered = posts.filter((p) => idOf(p) === undefined);
  if (ordered.length === 0) {
    // A first start with nothing to read still marks the start: what arrives later is all new.
    const baseline = position ? undefined : { account: own.handle, stream: MENTIONS_STREAM, position: { sinceId: NOTHING_SEEN } satisfies MentionsPosition };
    if (unordered.length > 0 || baseline) await account.ingestPosts(context, unordered, readIncludes(includes), baseline);
    return 0;
  }
  const newest = idOf(ordered.at(-1))!.toString();
  const checkpoint = { account: own.handle, stream: MENTIONS_STREAM, position: { sinceId: newest } satisfies MentionsPosition };
  const result = await account.ingestPosts(context, [...unordered, ...ordered], readIncludes(includes), checkpoint);
  return result.emitted;
}

/**
 * DM events newer than the last stored one: X returns them newest first, so pages are read until one
 * reaches the stored event (or the 30 days X keeps end), then emitted oldest first.
 */
export async function pollDirectMessagesV2(account: TwitterAccount, context: ConnectorContext, signal: AbortSignal): Promise<number> {
  const own = await account.resolveIdentity(signal);
  const position = context.checkpoint(own.handle, DMS_STREAM) as (Partial<DmsPosition> & { polledAt?: string }) | undefined;
  const last = typeof position?.lastEventId === 'string' && /^\d+$/.test(position.lastEventId) ? BigInt(position.lastEventId) : undefined;
  warnOfGap(account, context, position?.polledAt);
  const fresh: unknown[] = [];
  const includes = { users: [] as unknown[], media: [] as unknown[], tweets: [] as unknown[] };
  let token: string | undefined;
  let reached = false;
  do {
    guardBudget(account);
    const { data: page } = await account.api.request<Page>({
      version: '2',
      method: 'GET',
      path: 'dm_events',
      query: { max_results: 100, ...DM_FIELDS, ...(token ? { pagination_token: token } : {}) },
      signal,
    });
    meterPage(account, page, 'dm_event_read');
    for (const event of page.data ?? []) {
      const id = idOf(event);
      if (last !== undefined && id !== undefined && id <= last) reached = true;
      else fresh.push(event);
    }
    mergeIncludes(includes, page);
    token = position && !reached ? page.meta?.next_token : undefined;
  } while (token);
  if (position && last !== undefined && last > 0n && !reached) {
    account.warn(context, `DM history ended before the last stored event ${last}: events older than X's ${DM_HORIZON_DAYS} days may be lost`);
  }
  const ordered = fresh.filter((e) => idOf(e) !== undefined).sort((a, b) => (idOf(a)! < idOf(b)! ? -1 : 1));
  const unordered = fresh.filter((e) => idOf(e) === undefined);
  const newest = ordered.at(-1);
  const polledAt = new Date().toISOString();
  const stale = !position?.polledAt || Date.now() - Date.parse(position.polledAt) > POLLED_AT_EVERY_MS;
  if (!newest && !stale && unordered.length === 0) return 0;
  const lastPosition: Record<string, unknown> & DmsPosition & { polledAt: string } = newest
    ? { lastEventId: idOf(newest)!.toString(), lastCreatedTimestamp: String(Date.parse(String((newest as { created_at?: unknown }).created_at)) || Date.now()), polledAt }
    : { lastEventId: position?.lastEventId ?? NOTHING_SEEN, lastCreatedTimestamp: position?.lastCreatedTimestamp ?? NOTHING_SEEN, polledAt };
  const result = await account.ingestDmEvents(context, [...unordered, ...ordered], readIncludes(includes), { account: own.handle, stream: DMS_STREAM, position: lastPosition });
  return result.emitted;
}

function warnOfGap(account: TwitterAccount, context: ConnectorContext, polledAt: string | undefined): void {
  const at = polledAt ? Date.parse(polledAt) : NaN;
  if (!Number.isFinite(at)) return;
  const days = (Date.now() - at) / DAY_MS;
  if (days >= DM_WARN_DAYS) {
    account.warn(context, `DMs were last polled ${Math.floor(days)} days ago: X keeps ${DM_HORIZON_DAYS} days of DM events, older ones are gone`, { polledAt });
  }
}
