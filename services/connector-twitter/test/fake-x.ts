/**
 * A local X API v2 for tests, following xdevplatform/docs: x-api/fundamentals/pagination.mdx
 * (`pagination_token` from `meta.next_token`), rate-limits.mdx (`x-rate-limit-*` on every answer, 429
 * with no Retry-After, `GET /2/dm_events` 15 per 15 minutes per user), response-codes-and-errors.mdx
 * (problem JSON), x-api/posts/timelines (800 newest mentions, since_id), x-api/direct-messages/lookup
 * (newest first, one-to-one ids `{low}-{high}`), fundamentals/authentication/oauth-2-0 (two-hour access
 * tokens, refresh tokens that rotate and are single-use, Basic auth for a confidential client) and
 * x-api/webhooks (`GET /2/webhooks`, `PUT /2/webhooks/:id`, `POST /2/webhooks/replay`).
 * The authorization code grant follows fundamentals/authentication/oauth-2-0/authorization-code: a
 * code lives 30 seconds and is single-use, and the exchange must present the same redirect_uri and the
 * code_verifier whose S256 digest was the code_challenge; a refresh token only with offline.access.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oauth1Account } from './oauth1-verify.ts';

export const X_CONSUMER_KEY = 'x-consumer-key-Gx0hQ2Zq5f';
export const X_CONSUMER_SECRET = 'x-consumer-secret-Wm1Lb9Tt4kPz7Qa';
export const X_CLIENT_ID = 'x-client-id-M1M5R3BMVy13';
export const X_CLIENT_SECRET = 'x-client-secret-Ktk2UWJ0T1Bv';
export const X_APP_BEARER = 'x-app-bearer-AAAAAAAAAAAAAAAAAAAAA';

export interface XUser { id: string; name: string; username: string }
interface Account { user: XUser; mentions: Record<string, any>[]; dmEvents: Record<string, any>[] }
export interface XRecorded { method: string; path: string; query: URLSearchParams; body: string; userId: string | undefined; at: number }
export interface XFault { status?: number; headers?: Record<string, string>; body?: unknown; drop?: boolean }

const WINDOW_S = 900;
const LIMITS: Record<string, number> = { 'GET dm_events': 15, 'GET users/:id/mentions': 300, 'POST dm_conversations/with/:id/messages': 15, 'POST tweets': 100 };
const problem = (status: number, title: string, detail = title) => ({ title, detail, type: 'about:blank', status });

export class FakeX {
  private readonly server: Server;
  readonly users = new Map<string, XUser>();
  private readonly accounts = new Map<string, Account>();
  private readonly oauth1Tokens = new Map<string, { userId: string; secret: string }>();
  /** Refresh tokens not yet spent, and the access tokens they gave. */
  readonly refreshTokens = new Map<string, string>();
  /** Authorization codes not yet exchanged: what the consent screen was asked for. */
  private readonly codes = new Map<string, { userId: string; challenge: string; method: string; redirectUri: string; scopes: string[]; expiresAt: number }>();
  private readonly accessTokens = new Map<string, { userId: string; expiresAt: number }>();
  /** Lifetime of an issued access token (X: two hours). */
  accessTtlS = 7200;
  private readonly windows = new Map<string, { remaining: number; reset: number }>();
  private readonly faults = new Map<string, XFault[]>();
  readonly requests: XRecorded[] = [];
  readonly sentPosts: { from: string; text: string; inReplyTo?: string; id: string }[] = [];
  readonly sentDms: { from: string; conversationId: string; text: string; id: string }[] = [];
  readonly webhooks = [{ id: '1146654567674912769', url: 'https://hooks.example/webhooks/twitter', valid: true, created_at: '2026-11-01T00:00:00.000Z' }];
  readonly replayJobs: { webhook_id: string; from_date: string; to_date: string }[] = [];
  /** Largest page served, whatever `max_results` asks (to see pagination with few items). */
  pageSize = 100;
  private nextId = 1900000000000000000n;
  root = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  addAccount(user: XUser, auth: { oauth1?: { token: string; secret: string }; refreshToken?: string }): Account {
    const account: Account = { user, mentions: [], dmEvents: [] };
    this.users.set(user.id, user);
    this.accounts.set(user.id, account);
    if (auth.oauth1) this.oauth1Tokens.set(auth.oauth1.token, { userId: user.id, secret: auth.oauth1.secret });
    if (auth.refreshToken) this.refreshTokens.set(auth.refreshToken, user.id);
    return account;
  }

  /**
   * The user approving the consent screen at `authorizeUrl` (the link an app sends them to): the code
   * X would put on the redirect, or the error it would show.
   */
  consent(authorizeUrl: string, userId: string): { code: string; state: string } {
    const q = new URL(authorizeUrl).searchParams;
    if (q.get('response_type') !== 'code' || q.get('client_id') !== X_CLIENT_ID) throw new Error('X: unknown client or response_type');
    const challenge = q.get('code_challenge');
    if (!challenge || !q.get('redirect_uri') || !q.get('state')) throw new Error('X: code_challenge, redirect_uri and state are required');
    const code = `code-${this.newId()}`;
    const scopes = (q.get('scope') ?? '').split(' ');
    this.codes.set(code, { userId, challenge, method: (q.get('code_challenge_method') ?? 'plain').toLowerCase(), redirectUri: q.get('redirect_uri')!, scopes, expiresAt: Date.now() + 30_000 });
    return { code, state: q.get('state')! };
  }

  account(userId: string): Account {
    return this.accounts.get(userId)!;
  }

  newId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  failNext(endpoint: string, fault: XFault, times = 1): void {
    const queue = this.faults.get(endpoint) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(endpoint, queue);
  }

  /** Sets the window of `endpoint` (`GET dm_events`) for every user: remaining calls until `reset` (epoch s). */
  setWindow(endpoint: string, remaining: number, reset: number): void {
    for (const userId of this.accounts.keys()) this.windows.set(`${userId} ${endpoint}`, { remaining, reset });
  }

  /** Makes every issued access token expire now (X's two hours, passed). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = 0;
  }

  requestsTo(endpoint: string): XRecorded[] {
    return this.requests.filter((r) => `${r.method} ${templateOf(r.path)}` === endpoint);
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.root = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.root;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const path = url.pathname.replace(/^\/2\//, '');
    const endpoint = `${req.method} ${templateOf(path)}`;
    const caller = this.caller(req, url, body);
    this.requests.push({ method: req.method ?? 'GET', path, query: url.searchParams, body, userId: caller.userId, at: Date.now() });
    const fault = this.faults.get(endpoint)?.shift();
    if (fault?.drop) return void req.socket.destroy();
    const window = this.windowOf(caller.userId ?? 'app', endpoint);
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': status >= 400 && status !== 429 ? 'application/problem+json' : 'application/json; charset=utf-8',
        'x-rate-limit-limit': String(LIMITS[endpoint] ?? 900),
        'x-rate-limit-remaining': String(window.remaining),
        'x-rate-limit-reset': String(window.reset),
        ...headers,
      });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    if (fault) return reply(fault.status ?? 500, fault.body, fault.headers);
    if (endpoint === 'POST oauth2/token') return this.token(req, body, reply);
    if (caller.kind === 'none') return reply(401, problem(401, 'Unauthorized'));
    if (window.remaining <= 0) return reply(429, problem(429, 'Too Many Requests'));
    window.remaining--;
    if (caller.kind === 'app') return this.webhookAdmin(endpoint, path, body, reply);
    const account = this.accounts.get(caller.userId!)!;
    const json = () => (body ? (JSON.parse(body) as Record<string, any>) : {});
    switch (endpoint) {
      case 'GET users/me':
        return reply(200, { data: account.user });
      case 'GET users/:id/mentions':
        return reply(200, this.mentions(this.accounts.get(path.split('/')[1]!) ?? account, url.searchParams));
      case 'GET dm_events':
        return reply(200, this.dmEvents(account, url.searchParams));
      case 'GET tweets':
        return reply(200, this.lookup((url.searchParams.get('ids') ?? '').split(',')));
      case 'POST tweets':
        return this.post(account, json(), reply);
      case 'POST dm_conversations/with/:id/messages':
        return this.dm(account, conversationOf(account.user.id, path.split('/')[2]!), json(), reply);
      case 'POST dm_conversations/:id/messages':
        return this.dm(account, path.split('/')[1]!, json(), reply);
      default:
        return reply(404, problem(404, 'Not Found Error', `no route ${endpoint}`));
    }
  }

  private windowOf(who: string, endpoint: string): { remaining: number; reset: number } {
    const key = `${who} ${endpoint}`;
    let window = this.windows.get(key);
    if (!window || window.reset * 1000 <= Date.now()) {
      window = { remaining: LIMITS[endpoint] ?? 900, reset: Math.floor(Date.now() / 1000) + WINDOW_S };
      this.windows.set(key, window);
    }
    return window;
  }

  /** Who signs: an OAuth 2.0 user access token, OAuth 1.0a keys, or the app's bearer token. */
  private caller(req: IncomingMessage, url: URL, body: string): { kind: 'user' | 'app' | 'none'; userId?: string } {
    const header = req.headers.authorization ?? '';
    if (header === `Bearer ${X_APP_BEARER}`) return { kind: 'app' };
    const bearer = /^Bearer (.+)$/.exec(header)?.[1];
    if (bearer) {
      const token = this.accessTokens.get(bearer);
      return token && token.expiresAt > Date.now() ? { kind: 'user', userId: token.userId } : { kind: 'none' };
    }
    const userId = oauth1Account(req, url, body, X_CONSUMER_KEY, X_CONSUMER_SECRET, (token) => {
      const found = this.oauth1Tokens.get(token);
      return found ? { account: found.userId, tokenSecret: found.secret } : undefined;
    });
    return userId ? { kind: 'user', userId } : { kind: 'none' };
  }

  /** `POST /2/oauth2/token`, form-encoded; a confidential client authenticates with Basic. */
  private token(req: IncomingMessage, body: string, reply: (status: number, payload: unknown) => void): void {
    const form = new URLSearchParams(body);
    const basic = `Basic ${Buffer.from(`${X_CLIENT_ID}:${X_CLIENT_SECRET}`).toString('base64')}`;
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return reply(400, { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' });
    if (req.headers.authorization !== basic || form.get('client_id') !== X_CLIENT_ID) return reply(401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
    const grant = form.get('grant_type') === 'authorization_code' ? this.codeGrant(form) : this.refreshGrant(form);
    if (!grant) return reply(400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
    const access = `access-${this.newId()}`;
    this.accessTokens.set(access, { userId: grant.userId, expiresAt: Date.now() + this.accessTtlS * 1000 });
    const answer = { token_type: 'bearer', expires_in: this.accessTtlS, access_token: access, scope: grant.scopes.join(' ') };
    if (!grant.scopes.includes('offline.access')) return reply(200, answer);
    const refresh = `refresh-${this.newId()}`;
    this.refreshTokens.set(refresh, grant.userId);
    reply(200, { ...answer, refresh_token: refresh });
  }

  /** Rotation: the refresh token is spent, a new one comes with the access token. */
  private refreshGrant(form: URLSearchParams): { userId: string; scopes: string[] } | undefined {
    const token = form.get('grant_type') === 'refresh_token' ? (form.get('refresh_token') ?? '') : '';
    const userId = this.refreshTokens.get(token);
    if (!userId) return undefined;
    this.refreshTokens.delete(token);
    return { userId, scopes: ['tweet.read', 'users.read', 'dm.read', 'dm.write', 'tweet.write', 'offline.access'] };
  }

  private codeGrant(form: URLSearchParams): { userId: string; scopes: string[] } | undefined {
    const code = this.codes.get(form.get('code') ?? '');
    // Spent on the first attempt, right or wrong, as a leaked code must not be tried twice.
    this.codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    const digest = code?.method === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (!code || code.expiresAt < Date.now() || code.redirectUri !== form.get('redirect_uri') || digest !== code.challenge) return undefined;
    return code;
  }

  private includesOf(posts: Record<string, any>[]): Record<string, unknown> {
    const authors = new Set(posts.map((p) => p.author_id as string));
    const referenced = posts.flatMap((p) => (p.referenced_tweets ?? []).map((r: { id: string }) => this.findPost(r.id))).filter(Boolean) as Record<string, any>[];
    for (const r of referenced) authors.add(r.author_id);
    const users = [...authors].map((id) => this.users.get(id)).filter(Boolean);
    return { users, ...(referenced.length ? { tweets: referenced } : {}) };
  }

  private findPost(id: string): Record<string, any> | undefined {
    for (const account of this.accounts.values()) for (const p of account.mentions) if (p.id === id) return p;
    return undefined;
  }

  private page(items: Record<string, any>[], query: URLSearchParams, max: number, withIds: boolean): Record<string, unknown> {
    const offset = query.get('pagination_token') ? Number.parseInt(query.get('pagination_token')!.slice(8), 32) : 0;
    const size = Math.min(Number(query.get('max_results') ?? max), max, this.pageSize);
    const data = items.slice(offset, offset + size);
    const next = offset + size < items.length ? `7140dibd${(offset + size).toString(32)}` : undefined;
    const ids = withIds && data.length ? { newest_id: data[0]!.id, oldest_id: data.at(-1)!.id } : {};
    return { ...(data.length ? { data, includes: this.includesOf(data.filter((d) => d.author_id)) } : {}), meta: { result_count: data.length, ...ids, ...(next ? { next_token: next } : {}) } };
  }

  private mentions(account: Account, query: URLSearchParams): Record<string, unknown> {
    const since = query.get('since_id');
    const newestFirst = [...account.mentions].sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1)).slice(0, 800);
    return this.page(newestFirst.filter((t) => !since || BigInt(t.id) > BigInt(since)), query, 100, true);
  }

  private dmEvents(account: Account, query: URLSearchParams): Record<string, unknown> {
    if (query.get('event_types') !== 'MessageCreate') throw new Error('the connector asks for MessageCreate events');
    const newestFirst = [...account.dmEvents].sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const page = this.page(newestFirst, query, 100, false);
    const senders = new Set((page.data as Record<string, any>[] | undefined)?.map((e) => e.sender_id));
    return { ...page, ...(page.data ? { includes: { users: [...senders].map((id) => this.users.get(id)).filter(Boolean) } } : {}) };
  }

  private lookup(ids: string[]): Record<string, unknown> {
    const data = ids.map((id) => this.findPost(id)).filter(Boolean) as Record<string, any>[];
    return data.length ? { data, includes: this.includesOf(data) } : { errors: ids.map((id) => ({ value: id, detail: `Could not find tweet with ids: [${id}].`, title: 'Not Found Error', type: 'https://api.twitter.com/2/problems/resource-not-found' })) };
  }

  private post(account: Account, body: Record<string, any>, reply: (status: number, payload: unknown) => void): void {
    if (typeof body.text !== 'string' || body.text.length === 0) return reply(400, problem(400, 'Invalid Request', 'text is required'));
    const id = this.newId();
    this.sentPosts.push({ from: account.user.id, text: body.text, inReplyTo: body.reply?.in_reply_to_tweet_id, id });
    reply(201, { data: { id, text: body.text, edit_history_tweet_ids: [id] } });
  }

  private dm(account: Account, conversationId: string, body: Record<string, any>, reply: (status: number, payload: unknown) => void): void {
    if (typeof body.text !== 'string' || body.text.length === 0) return reply(400, problem(400, 'Invalid Request', 'text is required'));
    const id = this.newId();
    this.sentDms.push({ from: account.user.id, conversationId, text: body.text, id });
    account.dmEvents.push({ id, event_type: 'MessageCreate', text: body.text, sender_id: account.user.id, dm_conversation_id: conversationId, created_at: new Date().toISOString() });
    reply(201, { data: { dm_conversation_id: conversationId, dm_event_id: id } });
  }

  private webhookAdmin(endpoint: string, path: string, body: string, reply: (status: number, payload: unknown) => void): void {
    if (endpoint === 'GET webhooks') return reply(200, { data: this.webhooks, meta: { result_count: this.webhooks.length } });
    if (endpoint === 'PUT webhooks/:id') {
      const webhook = this.webhooks.find((w) => w.id === path.split('/')[1]);
      if (!webhook) return reply(404, problem(404, 'Not Found Error'));
      webhook.valid = true;
      return reply(200, { data: { valid: true } });
    }
    if (endpoint === 'POST webhooks/replay') {
      const job = JSON.parse(body) as { webhook_id: string; from_date: string; to_date: string };
      if (!/^\d{12}$/.test(job.from_date) || !/^\d{12}$/.test(job.to_date)) return reply(400, problem(400, 'Invalid Request', 'dates are yyyymmddhhmm'));
      this.replayJobs.push(job);
      return reply(200, { data: { job_id: this.newId(), created_at: new Date().toISOString() } });
    }
    reply(403, problem(403, 'Forbidden', 'an app-only token cannot call this endpoint'));
  }
}

/** `users/123/mentions` → `users/:id/mentions`: the endpoint as X limits it. */
function templateOf(path: string): string {
  return path
    .replace(/^users\/\d+\/mentions$/, 'users/:id/mentions')
    .replace(/^dm_conversations\/with\/\d+\/messages$/, 'dm_conversations/with/:id/messages')
    .replace(/^dm_conversations\/[\d-]+\/messages$/, 'dm_conversations/:id/messages')
    .replace(/^webhooks\/\d+$/, 'webhooks/:id');
}

export function conversationOf(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? `${a}-${b}` : `${b}-${a}`;
}
