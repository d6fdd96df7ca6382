/**
 * The one webhook of the Meta app, for Pages, Instagram accounts and WhatsApp Business Accounts alike.
 * - GET: the subscription check. Meta sends `hub.mode=subscribe`, the Verify Token from the dashboard
 *   and `hub.challenge`, and expects the challenge back (developers.facebook.com/docs/graph-api/webhooks/
 *   getting-started#verification-requests); anything else is refused with 403.
 * - POST: every update, signed with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under
 *   the App Secret>` (…/getting-started#event-notifications). Checked over the exact bytes received, in
 *   constant time, before anything is read: missing or wrong is 401 and nothing is produced (Chatwoot's
 *   WhatsApp and Instagram webhooks took unsigned posts until GHSA-7rw7-pc8v-mrr3, chatwoot/chatwoot#14280). Meta retries
 *   a delivery not answered with 200, so 200 comes only once Kafka has what the delivery carried.
 * Replays: the signature covers no timestamp, so a captured body could be posted again; it can only
 * repeat updates whose ids (mid, wamid) we have, which give the same message ids.
 */
import { createHmac } from 'node:crypto';
import type { HttpRequest, HttpResponse, HttpRoute } from '@switchboard/connector-sdk';
import { HttpError } from '@switchboard/http';
import { safeEqual } from '@switchboard/runtime';

export const WEBHOOK_PATH = '/webhooks/meta';
export const SIGNATURE_HEADER = 'x-hub-signature-256';
/** Meta batches up to 1,000 updates into one delivery. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** `sha256=` + hex HMAC-SHA256 of `body` under the app secret: what Meta puts in X-Hub-Signature-256. */
export function metaSignature(appSecret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export interface WebhookHandler {
  appSecret: string;
  verifyToken: string;
  /** False before start and after stop: deliveries are refused with 503 and Meta re-sends them. */
  running(): boolean;
  /** Takes a verified delivery; resolves once Kafka has everything it carried. */
  receive(body: unknown, raw: Buffer): Promise<void>;
  /** A verified body that is not JSON: kept, and not re-sent by Meta (it will never parse). */
  unreadable(raw: Buffer, reason: string): Promise<void>;
  /** Told of every refusal, so a wrong secret or token in the dashboard shows in the logs, not only as Meta's retries. */
  refused(status: number, reason: string, request: HttpRequest): void;
}

function text(status: number, body: string): HttpResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

function verifySubscription(handler: WebhookHandler, request: HttpRequest): HttpResponse {
  const mode = request.query.get('hub.mode');
  const token = request.query.get('hub.verify_token') ?? undefined;
  const challenge = request.query.get('hub.challenge');
  if (mode !== 'subscribe' || !challenge || !safeEqual(token, handler.verifyToken)) throw new HttpError(403, 'not a subscription request with the right verify token');
  return text(200, challenge);
}

async function receive(handler: WebhookHandler, request: HttpRequest): Promise<HttpResponse> {
  const header = request.headers[SIGNATURE_HEADER];
  if (!safeEqual(typeof header === 'string' ? header : undefined, metaSignature(handler.appSecret, request.rawBody))) {
    throw new HttpError(401, `missing or invalid ${SIGNATURE_HEADER}`);
  }
  if (!handler.running()) throw new HttpError(503, 'the Meta connector is not running; retry later');
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch (error) {
    await handler.unreadable(request.rawBody, `signed webhook body is not JSON: ${(error as Error).message}`);
    return text(200, 'EVENT_RECEIVED');
  }
  try {
    await handler.receive(body, request.rawBody);
  } catch (error) {
    throw new HttpError(503, `the delivery could not be stored now (${(error as Error).message}); Meta will retry`);
  }
  return text(200, 'EVENT_RECEIVED');
}

export function webhookRoutes(handler: WebhookHandler): HttpRoute[] {
  const reporting = (handle: (request: HttpRequest) => Promise<HttpResponse> | HttpResponse) => async (request: HttpRequest) => {
    try {
      return await handle(request);
    } catch (error) {
      if (error instanceof HttpError) handler.refused(error.status, error.message, request);
      throw error;
    }
  };
  return [
    { method: 'GET', path: WEBHOOK_PATH, maxBodyBytes: 0, handle: reporting((request) => verifySubscription(handler, request)) },
    { method: 'POST', path: WEBHOOK_PATH, maxBodyBytes: MAX_BODY_BYTES, handle: reporting((request) => receive(handler, request)) },
  ];
}
