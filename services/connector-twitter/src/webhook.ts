/**
 * The Account Activity webhook (X API v2 webhooks; xdevplatform/docs x-api/webhooks/quickstart.mdx and
 * x-api/account-activity/introduction.mdx): the CRC challenge (on registration, hourly, and when asked
 * for with `PUT /2/webhooks/:id`), and signed deliveries of v1.1-shaped `tweet_create_events` and
 * `direct_message_events`. In v2 mode a tweet that replies to another, or that X cut short, is looked
 * up again with `GET /2/tweets` for its `conversation_id` and `note_tweet` (the full text).
 *
 * Replays: Account Activity requests carry no timestamp, so a captured body cannot be dated, and
 * Twitter itself re-sends deliveries that were not answered with 200 for some minutes. A POST is
 * therefore not refused for its age: a replayed body can only repeat events whose ids we have, and
 * the same tweet or DM event always gets the same message id, which the ticket store upserts on.
 */
import { createHmac } from 'node:crypto';
import type { ConnectorContext, HttpRequest, HttpResponse, HttpRoute } from '@switchboard/connector-sdk';
import { HttpError, json } from '@switchboard/http';
import { safeEqual } from '@switchboard/runtime';
import type { RecentIds, TwitterAccount } from './account.ts';
import { Tweet, ignoredTweetReason, isTruncated, type DmUsers } from './normalize.ts';

export const WEBHOOK_PATH = '/webhooks/twitter';
export const SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

/** `sha256=` + base64 HMAC-SHA256 of `payload` under the app's consumer secret. */
export function twitterSignature(consumerSecret: string, payload: string | Buffer): string {
  return `sha256=${createHmac('sha256', consumerSecret).update(payload).digest('base64')}`;
}

/** The answer to Twitter's CRC GET. */
export function crcResponse(consumerSecret: string, crcToken: string): { response_token: string } {
  return { response_token: twitterSignature(consumerSecret, crcToken) };
}

interface AccountActivity {
  for_user_id?: unknown;
  tweet_create_events?: unknown;
  direct_message_events?: unknown;
  users?: unknown;
}

export interface WebhookDeps {
  consumerSecret: string;
  accounts: readonly TwitterAccount[];
  /** Deliveries seen lately, by account and event id: X retries, and replays what it already sent. */
  delivered: RecentIds;
  /** The running connector's context; undefined before start and after stop. */
  context(): ConnectorContext | undefined;
}

export function webhookRoutes(deps: WebhookDeps): HttpRoute[] {
  return [
    { method: 'GET', path: WEBHOOK_PATH, handle: async (request) => answerCrc(deps, request) },
    { method: 'POST', path: WEBHOOK_PATH, maxBodyBytes: 2 * 1024 * 1024, handle: (request) => receive(deps, request) },
  ];
}

function answerCrc(deps: WebhookDeps, request: HttpRequest): HttpResponse {
  const token = request.query.get('crc_token');
  if (!token) throw new HttpError(400, 'crc_token query parameter missing');
  return json(200, crcResponse(deps.consumerSecret, token));
}

async function receive(deps: WebhookDeps, request: HttpRequest): Promise<HttpResponse> {
  const header = request.headers[SIGNATURE_HEADER];
  if (!safeEqual(typeof header === 'string' ? header : undefined, twitterSignature(deps.consumerSecret, request.rawBody))) {
    throw new HttpError(401, `missing or invalid ${SIGNATURE_HEADER}`);
  }
  const context = deps.context();
  if (!context) throw new HttpError(503, 'twitter connector not running');

  let activity: AccountActivity;
  try {
    activity = JSON.parse(request.rawBody.toString('utf8')) as AccountActivity;
    if (typeof activity !== 'object' || activity === null) throw new Error('not a JSON object');
  } catch (error) {
    // Signed by Twitter yet unreadable: keep it, and do not make Twitter retry what will never parse.
    await context.deadLetter({ reason: `webhook body is not a JSON object: ${(error as Error).message}`, raw: request.rawBody, sourceId: 'webhook/unparsed', error });
    return json(200, { accepted: false });
  }

  const forUser = String(activity.for_user_id ?? '');
  const unseen = (items: unknown) => (Array.isArray(items) ? items : []).filter((item) => !deps.delivered.has(deliveryKey(forUser, item)));
  const tweets = unseen(activity.tweet_create_events);
  const dms = unseen(activity.direct_message_events);
  if (tweets.length === 0 && dms.length === 0) return json(200, { accepted: true, emitted: 0 });

  const account = deps.accounts.find((a) => a.own?.userId === forUser);
  if (!account) {
    // An account still resolving its identity may be the one: let X retry shortly.
    if (deps.accounts.some((a) => !a.own)) throw new HttpError(503, 'accounts not resolved yet');
    await context.deadLetter({ reason: `for_user_id "${forUser}" is not a configured account`, raw: request.rawBody, sourceId: `webhook/${forUser || 'unknown'}` });
    return json(200, { accepted: false });
  }

  try {
    const fromTweets = account.version === 'v2' ? await ingestWithLookup(account, context, tweets) : (await account.ingestTweets(context, tweets)).emitted;
    const users = typeof activity.users === 'object' && activity.users !== null ? (activity.users as DmUsers) : undefined;
    const fromDms = await account.ingestDirectMessages(context, dms, users);
    for (const item of [...tweets, ...dms]) deps.delivered.add(deliveryKey(forUser, item));
    return json(200, { accepted: true, emitted: fromTweets + fromDms.emitted });
  } catch (error) {
    // Kafka did not take the events: X re-sends a delivery that was not answered with 200.
    context.logger.error('webhook events not emitted', { account: account.label, error });
    throw new HttpError(503, 'events could not be stored now; retry later');
  }
}

/** An event's identity for deduplication: the account it was delivered for and its own id. */
function deliveryKey(forUser: string, item: unknown): string {
  const event = item as { id_str?: unknown; id?: unknown } | null;
  return `${forUser}/${String(event?.id_str ?? event?.id ?? JSON.stringify(item))}`;
}

/**
 * v2 mode: replies and truncated tweets are looked up with `GET /2/tweets` (conversation_id, note_tweet),
 * so a pushed tweet gets the conversation and text a polled one gets. What the lookup does not return
 * (deleted, protected, budget spent, X unreachable) is taken as pushed, its truncation marked.
 */
async function ingestWithLookup(account: TwitterAccount, context: ConnectorContext, tweets: unknown[]): Promise<number> {
  const own = account.own!;
  const wanted = tweets.flatMap((item) => {
    const parsed = Tweet.safeParse(item);
    if (!parsed.success || ignoredTweetReason(parsed.data, own)) return [];
    return parsed.data.in_reply_to_status_id_str || isTruncated(parsed.data) ? [parsed.data.id_str] : [];
  });
  const found =
    wanted.length === 0
      ? undefined
      : await account.lookupPosts(wanted, context).catch((error: unknown) => {
          context.logger.warn('tweets not looked up; taken as pushed', { account: account.label, error: error instanceof Error ? error.message : String(error) });
          return undefined;
        });
  const foundIds = new Set((found?.posts ?? []).map((post) => String((post as { id?: unknown }).id)));
  const rest = tweets.filter((item) => !foundIds.has(String((item as { id_str?: unknown } | null)?.id_str)));
  const fromLookup = found && found.posts.length > 0 ? (await account.ingestPosts(context, found.posts, found.includes)).emitted : 0;
  return fromLookup + (await account.ingestTweets(context, rest)).emitted;
}
