/**
 * The Account Activity API webhook: the CRC challenge and signed event deliveries.
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
import type { TwitterAccount } from './account.ts';
import type { DmUsers } from './normalize.ts';

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

  const tweets = Array.isArray(activity.tweet_create_events) ? activity.tweet_create_events : [];
  const dms = Array.isArray(activity.direct_message_events) ? activity.direct_message_events : [];
  if (tweets.length === 0 && dms.length === 0) return json(200, { accepted: true, emitted: 0 });

  const forUser = String(activity.for_user_id ?? '');
  const account = deps.accounts.find((a) => a.own?.userId === forUser);
  if (!account) {
    // An account still resolving its identity may be the one: let Twitter retry shortly.
    if (deps.accounts.some((a) => !a.own)) throw new HttpError(503, 'accounts not resolved yet');
    await context.deadLetter({ reason: `for_user_id "${forUser}" is not a configured account`, raw: request.rawBody, sourceId: `webhook/${forUser || 'unknown'}` });
    return json(200, { accepted: false });
  }

  try {
    const fromTweets = await account.ingestTweets(context, tweets);
    const users = typeof activity.users === 'object' && activity.users !== null ? (activity.users as DmUsers) : undefined;
    const fromDms = await account.ingestDirectMessages(context, dms, users);
    return json(200, { accepted: true, emitted: fromTweets.emitted + fromDms.emitted });
  } catch (error) {
    // Kafka did not take the events: Twitter re-sends a delivery that was not answered with 200.
    context.logger.error('webhook events not emitted', { account: account.label, error });
    throw new HttpError(503, 'events could not be stored now; retry later');
  }
}
