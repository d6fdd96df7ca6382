/**
 * A local Graph API for tests, answering what Meta documents and refusing what Meta refuses:
 * - `POST /{version}/{page-id|me}/messages` (Messenger and Instagram Send API,
 *   developers.facebook.com/docs/messenger-platform/reference/send-api): `{recipient_id, message_id}`;
 *   `RESPONSE` only within 24 h of the person's last message and `MESSAGE_TAG` + `HUMAN_AGENT` within
 *   7 days, else `(#10) This message is sent outside of allowed window` (10/2018278); an unknown person
 *   `(#100) No matching user found` (100/2018001); text over 2,000 characters (Instagram: 1,000 bytes) 100.
 * - `POST /{version}/{phone-number-id}/messages` (WhatsApp Cloud API, …/whatsapp/messages):
 *   `{messaging_product, contacts:[{input, wa_id}], messages:[{id}]}`; free-form text after the 24-hour
 *   window is accepted and then fails asynchronously with a `statuses[]` webhook of error 131047 (Meta's
 *   documented mix of synchronous and webhook errors); templates must be approved in that language
 *   (132001) with the right number of body parameters (132000).
 * - Bearer tokens: unknown or revoked ones get `OAuthException` 190 (with the subcode given, e.g. 460
 *   "password changed", 463 "expired") and `WWW-Authenticate`, as the Graph API answers.
 * - Faults queued with `failNext` (rate limits 4, 613, 80007, 130429 with `X-App-Usage` /
 *   `X-Business-Use-Case-Usage` headers, 5xx) answer the next calls instead.
 * - Media: `GET /{version}/{media-id}` with the number's token answers `{messaging_product, url, mime_type,
 *   sha256, file_size, id}` (…/whatsapp/business-phone-numbers/media#retrieve-media-url), `file_size` a
 *   string as Meta sends it; the `url` serves the bytes to the same bearer token only (…#download-media);
 *   an unknown id is `Unsupported get request` (100/33). Messenger's CDN links serve without a token.
 * Codes and messages follow developers.facebook.com/docs/graph-api/guides/error-handling,
 * …/messenger-platform/error-codes and …/whatsapp/support/error-codes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { whatsappStatus, signedPost } from './payloads.ts';

export const VERSION = 'v25.0';
const DAY_MS = 24 * 3_600_000;

export interface Fault {
  status: number;
  error: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface SentRequest {
  path: string;
  token: string;
  body: Record<string, any>;
  /** The id the fake answered with (mid or wamid). */
  id: string;
}

interface Page {
  pageId: string;
  igId: string;
  token: string;
}

interface Number {
  phoneNumberId: string;
  token: string;
  templates: { name: string; language: string; parameters: number }[];
}

export const RATE_LIMIT: Record<'app' | 'page' | 'whatsapp' | 'throughput', Fault> = {
  app: { status: 400, error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4, is_transient: true }, headers: { 'x-app-usage': '{"call_count":100,"total_cputime":12,"total_time":40}' } },
  page: { status: 400, error: { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613 } },
  whatsapp: { status: 400, error: { message: '(#80007) Rate limit issues', type: 'OAuthException', code: 80007, error_data: { messaging_product: 'whatsapp', details: 'The WhatsApp Business Account has reached its rate limit.' } }, headers: { 'x-business-use-case-usage': '{"102290129340398":[{"type":"whatsapp","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":2}]}' } },
  throughput: { status: 400, error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' } } },
};

export class FakeGraph {
  private readonly server: Server;
  private readonly pages: Page[] = [];
  private readonly numbers: Number[] = [];
  private readonly revoked = new Map<string, number>();
  private readonly faults: Fault[] = [];
  /** When each customer last wrote, by `<account>/<customer>`: the windows are measured from it. */
  private readonly lastWrote = new Map<string, number>();
  private readonly pendingWebhooks = new Set<Promise<unknown>>();
  readonly sent: SentRequest[] = [];
  private readonly media = new Map<string, { bytes: Buffer; mimeType: string; token?: string }>();
  /** Paths of the media requests served, in order (`lookup <id>`, `download <id>`, `cdn <name>`). */
  readonly mediaRequests: string[] = [];
  base = '';
  /** Where Meta posts webhooks (the connector under test), with the app secret that signs them. */
  webhook: { url: string; appSecret: string } | undefined;

  constructor(readonly now: () => number = Date.now) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${VERSION}`;
    return this.base;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pendingWebhooks]);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addPage(page: Page): void {
    this.pages.push(page);
  }

  addNumber(number: Number): void {
    this.numbers.push(number);
  }

  /** The customer wrote to `account` at `at` (what Meta knows when it checks a window). */
  customerWrote(account: string, customer: string, at: number): void {
    this.lastWrote.set(`${account}/${customer}`, at);
  }

  /** Meta invalidates `token`: every later call with it gets 190 with this subcode. */
  revoke(token: string, subcode = 460): void {
    this.revoked.set(token, subcode);
  }

  /** `token` works again (re-authorised on Meta's side). */
  restore(token: string): void {
    this.revoked.delete(token);
  }

  /** A file a WhatsApp customer sent, under `id`; the number's `token` may fetch it. */
  addWhatsAppMedia(id: string, bytes: Buffer, mimeType: string, token: string): void {
    this.media.set(`wa/${id}`, { bytes, mimeType, token });
  }

  /** A file on Messenger's CDN: its URL, as an attachment's `payload.url` gives it. */
  addCdnFile(name: string, bytes: Buffer, mimeType: string): string {
    this.media.set(`cdn/${name}`, { bytes, mimeType });
    return `${new URL(this.base).origin}/cdn/${name}?_nc_cat=1&oh=00_AfD`;
  }

  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      reply(status, { error: { type: 'OAuthException', fbtrace_id: randomBytes(8).toString('base64url'), ...body } }, headers);

    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (req.method === 'GET') return this.serveMedia(path, token, res, error);
    const match = new RegExp(`^/${VERSION}/([^/]+)/messages$`).exec(path);
    if (req.method !== 'POST' || !match) return error(400, { message: `Unsupported ${req.method} request.`, type: 'GraphMethodException', code: 100, error_subcode: 33 });
    const fault = this.faults.shift();
    if (fault) return error(fault.status, fault.error, fault.headers);
    const subcode = this.revoked.get(token);
    const page = this.pages.find((p) => p.token === token && (p.pageId === match[1] || match[1] === 'me'));
    const number = this.numbers.find((n) => n.token === token && n.phoneNumberId === match[1]);
    if (subcode !== undefined || (!page && !number)) {
      const message = subcode === 463 ? 'Error validating access token: Session has expired.' : subcode === 460 ? 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.' : 'Invalid OAuth access token - Cannot parse access token';
      return error(400, { message, code: 190, ...(subcode !== undefined ? { error_subcode: subcode } : {}) }, { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token."' });
    }
    let body: Record<string, any>;
    try {
      body = JSON.parse(raw) as Record<string, any>;
    } catch {
      return error(400, { message: '(#100) Param recipient must be a valid JSON object', code: 100 });
    }
    const outcome = page ? this.messaging(page, match[1] === 'me' ? page.igId : page.pageId, body) : this.whatsapp(number!, body);
    if ('error' in outcome) return error(400, outcome.error);
    this.sent.push({ path, token, body, id: outcome.id });
    reply(200, outcome.answer);
  }

  private serveMedia(path: string, token: string, res: ServerResponse, error: (status: number, body: Record<string, unknown>) => void): void {
    const [, kind, id] = /^\/(cdn|whatsapp-media|[^/]+)\/([^/]+)$/.exec(path) ?? [];
    const file = kind === 'cdn' ? this.media.get(`cdn/${id}`) : this.media.get(`wa/${id}`);
    this.mediaRequests.push(`${kind === 'cdn' ? 'cdn' : kind === 'whatsapp-media' ? 'download' : 'lookup'} ${id}`);
    if (!file) return error(400, { message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, type: 'GraphMethodException', code: 100, error_subcode: 33 });
    if (file.token !== undefined && token !== file.token) return error(401, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
    if (kind === VERSION) {
      const sha256 = createHash('sha256').update(file.bytes).digest('hex');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messaging_product: 'whatsapp', url: `${new URL(this.base).origin}/whatsapp-media/${id}?ext=1765000000&hash=ATuS`, mime_type: file.mimeType, sha256, file_size: String(file.bytes.length), id }));
      return;
    }
    res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }

  private messaging(page: Page, account: string, body: Record<string, any>): { id: string; answer: unknown } | { error: Record<string, unknown> } {
    const customer = String(body.recipient?.id ?? '');
    const wrote = this.lastWrote.get(`${account}/${customer}`);
    if (wrote === undefined) return { error: { message: '(#100) No matching user found', code: 100, error_subcode: 2018001 } };
    const text = String(body.message?.text ?? '');
    const tooLong = account === page.igId ? Buffer.byteLength(text) > 1000 : [...text].length > 2000;
    if (!text || tooLong) return { error: { message: `(#100) Length of param message[text] must be less than or equal to ${account === page.igId ? '1000 bytes' : 2000}`, code: 100 } };
    const age = this.now() - wrote;
    const allowed =
      body.messaging_type === 'RESPONSE' ? age < DAY_MS : body.messaging_type === 'MESSAGE_TAG' && body.tag === 'HUMAN_AGENT' ? age < 7 * DAY_MS : undefined;
    if (allowed === undefined) return { error: { message: '(#100) Tag is required for MESSAGE_TAG messaging type.', code: 100 } };
    if (!allowed) {
      return { error: { message: '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview', code: 10, error_subcode: 2018278 } };
    }
    const id = `m_${randomBytes(24).toString('base64url')}`;
    return { id, answer: { recipient_id: customer, message_id: id } };
  }

  private whatsapp(number: Number, body: Record<string, any>): { id: string; answer: unknown } | { error: Record<string, unknown> } {
    const whatsappError = (code: number, message: string, details: string) => ({ error: { message: `(#${code}) ${message}`, code, error_data: { messaging_product: 'whatsapp', details } } });
    if (body.messaging_product !== 'whatsapp') return whatsappError(100, 'Invalid parameter', 'The parameter messaging_product is required.');
    const to = String(body.to ?? '');
    const wrote = this.lastWrote.get(`${number.phoneNumberId}/${to}`);
    if (!/^\d{7,15}$/.test(to)) return whatsappError(131009, 'Parameter value is not valid', 'Recipient phone number is not valid.');
    let late = false;
    if (body.type === 'text') {
      if (!body.text?.body) return whatsappError(100, 'Invalid parameter', 'The parameter text[body] is required.');
      late = wrote === undefined || this.now() - wrote >= DAY_MS;
    } else if (body.type === 'template') {
      const template = number.templates.find((t) => t.name === body.template?.name && t.language === body.template?.language?.code);
      if (!template) return whatsappError(132001, 'Template name does not exist in the translation', `template name (${body.template?.name}) does not exist in ${body.template?.language?.code}`);
      const given = (body.template.components ?? []).filter((c: any) => c.type === 'body').flatMap((c: any) => c.parameters ?? []);
      if (given.length !== template.parameters) return whatsappError(132000, 'Number of parameters does not match the expected number of params', `body: number of localizable_params (${given.length}) does not match the expected number of params (${template.parameters})`);
      if (given.some((p: any) => /[\n\t]|\s{5,}/.test(String(p.text)))) return whatsappError(132018, 'There was an issue with the parameters in your template.', 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces');
    } else return whatsappError(131051, 'Unsupported message type', `Message type ${String(body.type)} is not supported.`);
    const id = `wamid.${randomBytes(30).toString('base64')}`;
    // Outside the window the Cloud API accepts the message, then reports it failed by webhook.
    if (late) this.afterwards(whatsappStatus(number.phoneNumberId, to, id, 'failed', Math.floor(this.now() / 1000), { code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' } }));
    return { id, answer: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id }] } };
  }

  /** Posts a signed webhook to the connector a moment later, as Meta does after answering the call. */
  afterwards(payload: unknown): void {
    if (!this.webhook) return;
    const { url, appSecret } = this.webhook;
    const work = new Promise((resolve) => setTimeout(resolve, 50)).then(() => signedPost(url, appSecret, payload));
    this.pendingWebhooks.add(work);
    void work.finally(() => this.pendingWebhooks.delete(work));
  }
}
