/**
 * A local Twitter v1.1 REST API for tests: checks OAuth 1.0a HMAC-SHA1 signatures the way Twitter
 * does, answers with v1.1 shapes and `x-rate-limit-*` headers, pages mentions by since_id/max_id and
 * DM events by cursor, records sent DMs and tweets, and can be told to fail (429, 503, dropped socket).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oauth1Account } from './oauth1-verify.ts';

export const CONSUMER_KEY = 'fake-consumer-key-xvz1evFS4wEEPTGEFPHBog';
export const CONSUMER_SECRET = 'fake-consumer-secret-kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw';

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export interface FakeUser {
  id_str: string;
  screen_name: string;
  name: string;
}

interface FakeAccount {
  user: FakeUser;
  tokenSecret: string;
  /** Tweets mentioning the user, any order. */
  mentions: any[];
  /** DM events, any order (served newest first). */
  dmEvents: any[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  userId: string | undefined;
  at: number;
}

export interface Fault {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Destroys the socket instead of answering (a network error). */
  drop?: boolean;
}

const BASE_PATH = '/1.1/';

export class FakeTwitter {
  private readonly server: Server;
  private readonly accounts = new Map<string, FakeAccount>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly windows = new Map<string, { remaining: number; reset: number }>();
  readonly requests: RecordedRequest[] = [];
  readonly sentDirectMessages: { from: string; recipientId: string; text: string; id: string }[] = [];
  readonly sentTweets: { from: string; status: string; inReplyTo: string | undefined; autoPopulate: string | undefined; id: string }[] = [];
  /** Largest page of DM events served, whatever `count` asks (Twitter may return fewer). */
  dmPageSize = 50;
  private nextId = 1862000000000000000n;
  base = '';
  /** The API root (without `1.1/`), as TWITTER_API_BASE takes it. */
  root = '';

  /** Everyone users/lookup knows besides our accounts: the customers of the fixtures. */
  private readonly directory = new Map<string, FakeUser>();

  constructor() {
    for (const tweet of fixture<{ user: FakeUser }[]>('mentions-timeline.json')) this.directory.set(tweet.user.id_str, tweet.user);
    for (const user of Object.values(fixture<{ users: Record<string, { id: string; name: string; screen_name: string }> }>('webhook-direct-message.json').users)) {
      this.directory.set(user.id, { id_str: user.id, name: user.name, screen_name: user.screen_name });
    }
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  /** Adds an account whose access token is `token`; returns it for seeding. */
  addAccount(user: FakeUser, token: string, tokenSecret: string): FakeAccount {
    const account: FakeAccount = { user, tokenSecret, mentions: [], dmEvents: [] };
    this.accounts.set(token, account);
    return account;
  }

  account(userId: string): FakeAccount {
    const found = [...this.accounts.values()].find((a) => a.user.id_str === userId);
    if (!found) throw new Error(`no fake account ${userId}`);
    return found;
  }

  /** The next `times` requests to `endpoint` (e.g. 'statuses/mentions_timeline') get `fault`. */
  failNext(endpoint: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(endpoint) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(endpoint, queue);
  }

  /** What `x-rate-limit-*` says for `endpoint` from now on (reset in epoch seconds). */
  setRateLimit(endpoint: string, remaining: number, reset: number): void {
    this.windows.set(endpoint, { remaining, reset });
  }

  requestsTo(endpoint: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === `${BASE_PATH}${endpoint}.json`);
  }

  newId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}${BASE_PATH}`;
    this.root = `http://127.0.0.1:${port}/`;
    return this.base;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const account = this.authenticate(req, url, body);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, userId: account?.user.id_str, at: Date.now() });
    const endpoint = url.pathname.startsWith(BASE_PATH) ? url.pathname.slice(BASE_PATH.length).replace(/\.json$/, '') : url.pathname;
    const fault = this.faults.get(endpoint)?.shift();
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const window = this.windows.get(endpoint);
      res.writeHead(status, {
        'content-type': 'application/json;charset=utf-8',
        // A generous window unless a test sets one: the connector spreads its calls over what remains.
        'x-rate-limit-limit': '100000',
        'x-rate-limit-remaining': String(window?.remaining ?? 99999),
        'x-rate-limit-reset': String(window?.reset ?? Math.floor(Date.now() / 1000) + 900),
        ...headers,
      });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    if (fault) return reply(fault.status ?? 500, fault.body, fault.headers);
    if (!account) return reply(401, { errors: [{ code: 32, message: 'Could not authenticate you.' }] });

    const window = this.windows.get(endpoint);
    if (window && window.remaining > 0) window.remaining--;

    switch (`${req.method} ${endpoint}`) {
      case 'GET account/verify_credentials':
        return reply(200, { ...fixture<Record<string, unknown>>('verify-credentials.json'), ...account.user, id: Number(account.user.id_str) });
      case 'GET statuses/mentions_timeline':
        if (url.searchParams.get('tweet_mode') !== 'extended') return reply(400, { errors: [{ code: 44, message: 'tweet_mode=extended expected by this fake' }] });
        return reply(200, this.mentionsPage(account, url.searchParams));
      case 'GET direct_messages/events/list':
        return reply(200, this.dmPage(account, url.searchParams));
      case 'GET users/lookup':
        return this.lookup(url.searchParams, reply);
      case 'POST direct_messages/events/new':
        return this.sendDm(account, body, reply);
      case 'POST statuses/update':
        // twitter-api-v2 sends the parameters form-encoded in the body, as Twitter documents them.
        return this.tweet(account, new URLSearchParams(body), reply);
      default:
        return reply(404, { errors: [{ code: 34, message: 'Sorry, that page does not exist.' }] });
    }
  }

  private mentionsPage(account: FakeAccount, query: URLSearchParams): unknown[] {
    const since = query.get('since_id');
    const max = query.get('max_id');
    const count = Math.min(Number(query.get('count') ?? 20), 200);
    return account.mentions
      .filter((t) => (!since || BigInt(t.id_str) > BigInt(since)) && (!max || BigInt(t.id_str) <= BigInt(max)))
      .sort((a, b) => (BigInt(b.id_str) > BigInt(a.id_str) ? 1 : -1))
      .slice(0, count);
  }

  private dmPage(account: FakeAccount, query: URLSearchParams): unknown {
    const sorted = [...account.dmEvents].sort((a, b) => Number(BigInt(b.created_timestamp) - BigInt(a.created_timestamp)) || (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const offset = query.get('cursor') ? Number(Buffer.from(query.get('cursor')!, 'base64url').toString()) : 0;
    const size = Math.min(Number(query.get('count') ?? 20), 50, this.dmPageSize);
    const events = sorted.slice(offset, offset + size);
    const more = offset + size < sorted.length;
    return { events, ...(more ? { next_cursor: Buffer.from(String(offset + size)).toString('base64url') } : {}) };
  }

  private lookup(query: URLSearchParams, reply: (status: number, payload: unknown) => void): void {
    const known = new Map([...this.directory, ...[...this.accounts.values()].map((a) => [a.user.id_str, a.user] as const)]);
    const users = (query.get('user_id') ?? '')
      .split(',')
      .map((id) => known.get(id))
      .filter((u): u is FakeUser => u !== undefined)
      .map((u) => ({ id: Number(u.id_str), id_str: u.id_str, name: u.name, screen_name: u.screen_name, protected: false, verified: false }));
    if (users.length === 0) return reply(404, { errors: [{ code: 17, message: 'No user matches for specified terms.' }] });
    reply(200, users);
  }

  private sendDm(account: FakeAccount, body: string, reply: (status: number, payload: unknown) => void): void {
    const event = (JSON.parse(body) as { event?: any }).event;
    const recipientId = event?.message_create?.target?.recipient_id;
    const text = event?.message_create?.message_data?.text;
    if (event?.type !== 'message_create' || typeof recipientId !== 'string' || typeof text !== 'string') {
      return reply(400, { errors: [{ code: 214, message: 'event.type: invalid or missing message_create' }] });
    }
    const id = this.newId();
    const created = { type: 'message_create', id, created_timestamp: String(Date.now()), message_create: { target: { recipient_id: recipientId }, sender_id: account.user.id_str, message_data: { text, entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] } } } };
    account.dmEvents.push(created);
    this.sentDirectMessages.push({ from: account.user.id_str, recipientId, text, id });
    reply(200, { event: created });
  }

  private tweet(account: FakeAccount, query: URLSearchParams, reply: (status: number, payload: unknown) => void): void {
    const status = query.get('status');
    if (!status) return reply(400, { errors: [{ code: 170, message: 'Missing required parameter: status.' }] });
    const id = this.newId();
    const inReplyTo = query.get('in_reply_to_status_id') ?? undefined;
    this.sentTweets.push({ from: account.user.id_str, status, inReplyTo, autoPopulate: query.get('auto_populate_reply_metadata') ?? undefined, id });
    reply(200, {
      created_at: new Date().toUTCString(),
      id: Number(id),
      id_str: id,
      text: status,
      truncated: false,
      entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
      in_reply_to_status_id_str: inReplyTo ?? null,
      user: { ...account.user, id: Number(account.user.id_str) },
    });
  }

  private authenticate(req: IncomingMessage, url: URL, body: string): FakeAccount | undefined {
    return oauth1Account(req, url, body, CONSUMER_KEY, CONSUMER_SECRET, (token) => {
      const account = this.accounts.get(token);
      return account ? { account, tokenSecret: account.tokenSecret } : undefined;
    });
  }
}
