import type { ConnectorContext } from '@switchboard/connector-sdk';
import { AbortedError, isPermanent, RETRY_BUDGETS, sleep, withRetry } from '@switchboard/runtime';
import type { TwitterAccount } from './account.ts';
import { TwitterApiError } from './twitter-api.ts';

export const MENTIONS_STREAM = 'mentions';
export const DMS_STREAM = 'dms';
const MENTIONS_PAGE = 200;
/** mentions_timeline serves at most the 800 newest mentions. */
const MENTIONS_MAX_PAGES = 4;
const DM_PAGE = 50;
/** The position of an account that had nothing when first polled. */
const NOTHING_SEEN = '0';

export interface MentionsPosition {
  sinceId: string;
}

export interface DmsPosition {
  lastEventId: string;
  lastCreatedTimestamp: string;
}

interface IdOnly {
  id_str?: unknown;
}

interface DmEventKey {
  id?: unknown;
  created_timestamp?: unknown;
}

/**
 * New mentions since the checkpoint's since_id, paged back with max_id, emitted oldest first with
 * the newest id as the new checkpoint. Without a checkpoint (first start) only the newest page is
 * taken (up to 200 mentions of backfill).
 */
export async function pollMentions(account: TwitterAccount, context: ConnectorContext, signal: AbortSignal): Promise<number> {
  const own = await account.resolveIdentity(signal);
  const position = context.checkpoint(own.handle, MENTIONS_STREAM) as Partial<MentionsPosition> | undefined;
  const sinceId = typeof position?.sinceId === 'string' ? position.sinceId : undefined;
  const byId = new Map<string, unknown>();
  // Without an id a tweet cannot be ordered or checkpointed: it goes through normalization to the DLQ.
  const unordered: unknown[] = [];
  let maxId: bigint | undefined;
  for (let page = 0; page < MENTIONS_MAX_PAGES; page++) {
    const { data } = await account.api.get<unknown>(
      'statuses/mentions_timeline',
      {
        count: MENTIONS_PAGE,
        tweet_mode: 'extended',
        include_entities: true,
        ...(sinceId && sinceId !== NOTHING_SEEN ? { since_id: sinceId } : {}),
        ...(maxId !== undefined ? { max_id: maxId.toString() } : {}),
      },
      signal,
    );
    if (!Array.isArray(data)) throw new Error('statuses/mentions_timeline did not return an array');
    const ids: bigint[] = [];
    for (const tweet of data) {
      const id = idOf(tweet as IdOnly);
      if (id === undefined) {
        unordered.push(tweet);
        continue;
      }
      if (sinceId && id <= BigInt(sinceId)) continue;
      byId.set(id.toString(), tweet);
      ids.push(id);
    }
    if (!sinceId || data.length < MENTIONS_PAGE || ids.length === 0) break;
    maxId = ids.reduce((a, b) => (b < a ? b : a)) - 1n;
    if (maxId <= BigInt(sinceId)) break;
  }
  if (unordered.length > 0) await account.ingestTweets(context, unordered);
  if (byId.size === 0) {
    // A first start with nothing to read still marks the start: what arrives later is all new.
    if (!position) await context.saveCheckpoint({ account: own.handle, stream: MENTIONS_STREAM, position: { sinceId: NOTHING_SEEN } satisfies MentionsPosition });
    return 0;
  }
  const ordered = [...byId.entries()].sort(([a], [b]) => compareBig(BigInt(a), BigInt(b)));
  const newest = ordered[ordered.length - 1]![0];
  const result = await account.ingestTweets(
    context,
    ordered.map(([, tweet]) => tweet),
    { account: own.handle, stream: MENTIONS_STREAM, position: { sinceId: newest } satisfies MentionsPosition },
  );
  return result.emitted;
}

/**
 * Direct message events newer than the checkpoint (the newest event seen: created_timestamp and id),
 * following next_cursor until a page reaches the checkpoint; emitted oldest first. Without a
 * checkpoint (first start) only the newest page is taken (up to 50 events of backfill).
 */
export async function pollDirectMessages(account: TwitterAccount, context: ConnectorContext, signal: AbortSignal): Promise<number> {
  const own = await account.resolveIdentity(signal);
  const position = context.checkpoint(own.handle, DMS_STREAM) as Partial<DmsPosition> | undefined;
  const last = position?.lastEventId && position.lastCreatedTimestamp ? { id: BigInt(position.lastEventId), at: BigInt(position.lastCreatedTimestamp) } : undefined;
  const fresh: { key: { id: bigint; at: bigint }; event: unknown }[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const { data } = await account.api.get<{ events?: unknown; next_cursor?: unknown }>(
      'direct_messages/events/list',
      { count: DM_PAGE, ...(cursor ? { cursor } : {}) },
      signal,
    );
    if (!data || !Array.isArray(data.events)) throw new Error('direct_messages/events/list did not return events');
    let reachedCheckpoint = false;
    for (const event of data.events) {
      const key = dmKeyOf(event as DmEventKey);
      if (!key) {
        // Not comparable, so not checkpointable: it goes through normalization to the DLQ.
        fresh.push({ key: { id: 0n, at: 0n }, event });
        continue;
      }
      if (last && compareDm(key, last) <= 0) {
        reachedCheckpoint = true;
        continue;
      }
      if (seen.has(key.id.toString())) continue;
      seen.add(key.id.toString());
      fresh.push({ key, event });
    }
    const next = typeof data.next_cursor === 'string' && data.next_cursor !== '' ? data.next_cursor : undefined;
    if (!last || reachedCheckpoint || !next || next === cursor) break;
    cursor = next;
  }
  if (fresh.length === 0) {
    if (!position) {
      await context.saveCheckpoint({ account: own.handle, stream: DMS_STREAM, position: { lastEventId: NOTHING_SEEN, lastCreatedTimestamp: NOTHING_SEEN } satisfies DmsPosition });
    }
    return 0;
  }
  fresh.sort((a, b) => compareDm(a.key, b.key));
  const newest = fresh[fresh.length - 1]!.key;
  const checkpoint =
    newest.id > 0n
      ? { account: own.handle, stream: DMS_STREAM, position: { lastEventId: newest.id.toString(), lastCreatedTimestamp: newest.at.toString() } satisfies DmsPosition }
      : undefined;
  const senders = new Set<string>();
  for (const { event } of fresh) {
    const sender = (event as { message_create?: { sender_id?: unknown } }).message_create?.sender_id;
    if (typeof sender === 'string' && sender !== own.userId) senders.add(sender);
  }
  const users = await account.lookupUsers([...senders], signal);
  const result = await account.ingestDirectMessages(
    context,
    fresh.map((f) => f.event),
    users,
    checkpoint,
  );
  return result.emitted;
}

export type PollerState =
  | { phase: 'starting' }
  | { phase: 'polling' | 'webhook only'; lastPollAt?: string }
  | { phase: 'backing off'; reason: string; attempt: number; retryAt: string }
  | { phase: 'stopped' };

/**
 * Polls one account until `signal` aborts: mentions, then DMs, then a pause. A failed round (5xx,
 * 429, network, Kafka) is retried with the runtime's backoff, forever, and reported through
 * `onState`; a rate-limited endpoint waits for its window inside TwitterApi.
 */
export async function runPoller(
  account: TwitterAccount,
  context: ConnectorContext,
  options: { intervalMs: number; backoff: { initialMs: number; maxMs: number }; signal: AbortSignal; onState: (state: PollerState) => void },
): Promise<void> {
  const { signal } = options;
  const backingOff = (error: unknown, attempt: number, delayMs: number) => {
    const reason = error instanceof TwitterApiError ? `${error.reason} on ${error.endpoint}` : error instanceof Error ? error.message : String(error);
    context.logger.warn('twitter poll failed, backing off', { account: account.label, attempt, delayMs, reason });
    options.onState({ phase: 'backing off', reason, attempt, retryAt: new Date(Date.now() + delayMs).toISOString() });
  };
  const budget = { ...RETRY_BUDGETS['twitter.poll'], ...options.backoff };
  // A permanent failure (401 for a revoked token, 403) is not retried; the next round, after the
  // longest pause, is a new poll, so a credential fixed meanwhile needs no restart.
  const retrying = async <T>(round: () => Promise<T>): Promise<T> => {
    for (let rounds = 1; ; rounds++) {
      try {
        return await withRetry(round, budget, { signal, onRetry: backingOff });
      } catch (error) {
        if (!isPermanent(error) || signal.aborted) throw error;
        backingOff(error, rounds, budget.maxMs);
        await sleep(budget.maxMs, signal);
      }
    }
  };
  try {
    if (options.intervalMs === 0) {
      // Webhook only: nothing to poll, but webhooks need to know which account is which.
      await retrying(() => account.resolveIdentity(signal));
      options.onState({ phase: 'webhook only' });
      return;
    }
    while (!signal.aborted) {
      const emitted = await retrying(async () => (await pollMentions(account, context, signal)) + (await pollDirectMessages(account, context, signal)));
      if (emitted > 0) context.logger.info('polled', { account: account.label, emitted });
      options.onState({ phase: 'polling', lastPollAt: new Date().toISOString() });
      await sleep(options.intervalMs, signal);
    }
  } catch (error) {
    if (!(error instanceof AbortedError) && !signal.aborted) context.logger.error('twitter poller stopped unexpectedly', { account: account.label, error });
    options.onState({ phase: 'stopped' });
  }
}

function idOf(tweet: IdOnly | null | undefined): bigint | undefined {
  return typeof tweet?.id_str === 'string' && /^\d+$/.test(tweet.id_str) ? BigInt(tweet.id_str) : undefined;
}

function dmKeyOf(event: DmEventKey | null | undefined): { id: bigint; at: bigint } | undefined {
  const id = event?.id;
  const at = event?.created_timestamp;
  if (typeof id !== 'string' || typeof at !== 'string' || !/^\d+$/.test(id) || !/^\d+$/.test(at)) return undefined;
  return { id: BigInt(id), at: BigInt(at) };
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDm(a: { id: bigint; at: bigint }, b: { id: bigint; at: bigint }): number {
  return compareBig(a.at, b.at) || compareBig(a.id, b.id);
}
