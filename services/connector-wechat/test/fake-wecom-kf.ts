/**
 * A local WeCom customer-service API in the shapes of developer.work.weixin.qq.com: gettoken (document/
 * path/91039; 40013 wrong CorpID, 40001 wrong secret), kf/sync_msg (94670: opaque `next_cursor`, pages of
 * at most `limit` ≤ 1000, `has_more`, possibly with an empty `msg_list`; callback tokens valid 10 minutes,
 * 95007 otherwise; calls without token rate-limited, 45009; 3 days kept; our own sends never returned),
 * kf/send_msg (94677: only in session states 0 and 1, else 95018; 48 h after the customer's last message,
 * 95002; 5 messages, 95001), kf/service_state/get and /trans (94669; 95016 for a change the table does
 * not allow), media/get (90254: the bytes, or JSON 40007), kf/account/list (94661), kf/customer/batchget
 * (95159). Every call checks the access token: 42001 once expired, 40014 when unknown (90455).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CORP_ID, KF_SECRET } from './wecom-peer.ts';

export type KfEntry = Record<string, unknown> & { msgid: string; msgtype: string };

interface Session {
  state: number;
  servicer?: string;
  lastCustomerAt?: number;
  sentSince: number;
}

const DAY = 86_400_000;
/** Which service_state changes 94669 allows from each state. */
const TRANSITIONS: Record<number, number[]> = { 0: [1, 2, 3], 1: [2, 3], 2: [3], 3: [3, 4], 4: [] };

export class FakeWeComKf {
  base = '';
  now = () => Date.now();
  /** Entries per sync_msg page at most (the API may return fewer than `limit`). */
  pageSize = 1000;
  /** Serve one empty page with has_more before the entries after each cursor (the API does). */
  emptyPageFirst = false;
  /** Tokenless sync_msg calls allowed before 45009. */
  tokenlessAllowed = Number.POSITIVE_INFINITY;
  readonly tokenRequests: URLSearchParams[] = [];
  readonly syncRequests: Record<string, unknown>[] = [];
  readonly sends: Record<string, unknown>[] = [];
  readonly transitions: { from: number; to: number }[] = [];
  readonly nicknames = new Map<string, string>();
  private readonly log = new Map<string, KfEntry[]>();
  private readonly sessions = new Map<string, Session>();
  private readonly callbackTokens = new Map<string, { openKfId: string; expiresAt: number }>();
  private readonly media = new Map<string, { bytes: Buffer; contentType: string; filename: string }>();
  private readonly accessTokens = new Set<string>();
  private readonly expiredTokens = new Set<string>();
  private tokenless = 0;
  private sequence = 0;
  private server: Server | undefined;

  /** A customer writes (origin 3): the session opens (state 0 unless taken), the window and the quota start again. Returns the callback token. */
  customerWrites(openKfId: string, externalUserId: string, entry: Partial<KfEntry> & { msgtype: string }): string {
    const session = this.session(openKfId, externalUserId);
    if (session.state === 4) session.state = 0;
    session.lastCustomerAt = this.now();
    session.sentSince = 0;
    return this.append(openKfId, { open_kfid: openKfId, external_userid: externalUserId, origin: 3, ...entry });
  }

  /** A system event (origin 4): open_kfid and external_userid inside `event`. */
  systemEvent(openKfId: string, event: Record<string, unknown>): string {
    return this.append(openKfId, { origin: 4, msgtype: 'event', event: { open_kfid: openKfId, ...event } });
  }

  /** What a servicer sent from the WeCom client (origin 5): sync_msg returns those. */
  servicerWrites(openKfId: string, externalUserId: string, servicer: string, content: string): string {
    return this.append(openKfId, { open_kfid: openKfId, external_userid: externalUserId, origin: 5, servicer_userid: servicer, msgtype: 'text', text: { content } });
  }

  addMedia(mediaId: string, bytes: Buffer, contentType: string, filename: string): void {
    this.media.set(mediaId, { bytes, contentType, filename });
  }

  setSession(openKfId: string, externalUserId: string, state: number, servicer?: string): void {
    Object.assign(this.session(openKfId, externalUserId), { state, ...(servicer ? { servicer } : {}) });
  }

  sessionOf(openKfId: string, externalUserId: string): Session {
    return this.session(openKfId, externalUserId);
  }

  /** Every access token issued so far expires (42001 from now on). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens) this.expiredTokens.add(token);
    this.accessTokens.clear();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private append(openKfId: string, entry: Record<string, unknown> & { msgtype: string }): string {
    const list = this.log.get(openKfId) ?? [];
    this.log.set(openKfId, list);
    list.push({ msgid: `msg${++this.sequence}${randomBytes(6).toString('hex')}`, send_time: Math.floor(this.now() / 1000), ...entry });
    const token = `ENC${randomBytes(18).toString('base64url')}`;
    this.callbackTokens.set(token, { openKfId, expiresAt: this.now() + 10 * 60_000 });
    return token;
  }

  private session(openKfId: string, externalUserId: string): Session {
    const key = `${openKfId}|${externalUserId}`;
    const session = this.sessions.get(key) ?? { state: 4, sentSince: 0 };
    this.sessions.set(key, session);
    return session;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    const reply = (answer: Record<string, unknown>) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', ...answer }));
    };
    const fail = (errcode: number, errmsg: string) => reply({ errcode, errmsg });
    if (url.pathname === '/cgi-bin/gettoken') return this.issueToken(url.searchParams, reply, fail);
    const accessToken = url.searchParams.get('access_token') ?? '';
    if (this.expiredTokens.has(accessToken)) return fail(42001, 'access_token expired');
    if (!this.accessTokens.has(accessToken)) return fail(40014, 'invalid access_token');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /cgi-bin/kf/sync_msg') return this.syncMsg(body, reply, fail);
    if (route === 'POST /cgi-bin/kf/send_msg') return this.sendMsg(body, reply, fail);
    if (route === 'POST /cgi-bin/kf/service_state/get') {
      const session = this.session(String(body.open_kfid), String(body.external_userid));
      return reply({ service_state: session.state, servicer_userid: session.servicer ?? '' });
    }
    if (route === 'POST /cgi-bin/kf/service_state/trans') return this.trans(body, reply, fail);
    if (route === 'GET /cgi-bin/media/get') return this.getMedia(url.searchParams.get('media_id') ?? '', res, fail);
    if (route === 'POST /cgi-bin/kf/account/list') return reply({ account_list: [...this.log.keys()].map((id) => ({ open_kfid: id, name: 'Wallet support', avatar: '', manage_privilege: true })) });
    if (route === 'POST /cgi-bin/kf/customer/batchget') {
      const ids = (body.external_userid_list as string[]) ?? [];
      return reply({ customer_list: ids.filter((id) => this.nicknames.has(id)).map((id) => ({ external_userid: id, nickname: this.nicknames.get(id), avatar: '', gender: 0, unionid: '' })), invalid_external_userid: [] });
    }
    res.writeHead(404).end();
  }

  private issueToken(query: URLSearchParams, reply: (a: Record<string, unknown>) => void, fail: (c: number, m: string) => void): void {
    this.tokenRequests.push(query);
    if (query.get('corpid') !== CORP_ID) return fail(40013, 'invalid corpid');
    if (query.get('corpsecret') !== KF_SECRET) return fail(40001, 'invalid credential');
    const token = `ACCESS_TOKEN_${randomBytes(8).toString('hex')}`;
    this.accessTokens.add(token);
    reply({ access_token: token, expires_in: 7200 });
  }

  private syncMsg(body: Record<string, unknown>, reply: (a: Record<string, unknown>) => void, fail: (c: number, m: string) => void): void {
    this.syncRequests.push(body);
    const openKfId = String(body.open_kfid ?? '');
    const limit = Number(body.limit ?? 1000);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return fail(40035, 'invalid limit');
    if (body.token !== undefined) {
      const token = this.callbackTokens.get(String(body.token));
      if (!token || token.expiresAt < this.now() || token.openKfId !== openKfId) return fail(95007, 'invalid msg token');
    } else if (++this.tokenless > this.tokenlessAllowed) return fail(45009, 'api freq out of limit');
    const position = decodeCursor(body.cursor, openKfId);
    if (!position) return fail(40035, 'invalid cursor');
    const list = (this.log.get(openKfId) ?? []).filter((e) => Number(e.send_time) * 1000 > this.now() - 3 * DAY);
    if (this.emptyPageFirst && !position.emptied && position.index < list.length) return reply({ next_cursor: encodeCursor(openKfId, position.index, true), has_more: 1, msg_list: [] });
    const page = list.slice(position.index, position.index + Math.min(limit, this.pageSize));
    const next = position.index + page.length;
    reply({ next_cursor: encodeCursor(openKfId, next, false), has_more: next < list.length ? 1 : 0, msg_list: page });
  }

  private sendMsg(body: Record<string, unknown>, reply: (a: Record<string, unknown>) => void, fail: (c: number, m: string) => void): void {
    const session = this.session(String(body.open_kfid), String(body.touser));
    if (session.state !== 0 && session.state !== 1) return fail(95018, 'send msg session status invalid');
    if (session.lastCustomerAt === undefined || this.now() - session.lastCustomerAt > 2 * DAY) return fail(95002, 'send msg time limit');
    if (session.sentSince >= 5) return fail(95001, 'send msg count limit');
    if (Buffer.byteLength(String((body.text as { content?: string })?.content ?? ''), 'utf8') > 2048) return fail(45002, 'content size out of limit');
    session.sentSince++;
    this.sends.push(body);
    reply({ msgid: body.msgid ?? `auto${randomBytes(8).toString('hex')}` });
  }

  private trans(body: Record<string, unknown>, reply: (a: Record<string, unknown>) => void, fail: (c: number, m: string) => void): void {
    const session = this.session(String(body.open_kfid), String(body.external_userid));
    const to = Number(body.service_state);
    if (!(TRANSITIONS[session.state] ?? []).includes(to)) return fail(95016, 'invalid service state transition');
    if (to === 3 && !body.servicer_userid) return fail(40003, 'invalid servicer_userid');
    this.transitions.push({ from: session.state, to });
    session.state = to;
    if (to === 3) session.servicer = String(body.servicer_userid);
    reply({});
  }

  private getMedia(mediaId: string, res: ServerResponse, fail: (c: number, m: string) => void): void {
    const file = this.media.get(mediaId);
    if (!file) return fail(40007, 'invalid media_id');
    // A name outside ASCII cannot go raw in a header: RFC 5987's filename* carries it, beside an ASCII fallback.
    const disposition = `attachment; filename="${file.filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`;
    res.writeHead(200, { 'content-type': file.contentType, 'content-disposition': disposition, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }
}

function encodeCursor(openKfId: string, index: number, emptied: boolean): string {
  return Buffer.from(`${openKfId}:${index}:${emptied ? 'e' : ''}`).toString('base64url');
}

function decodeCursor(cursor: unknown, openKfId: string): { index: number; emptied: boolean } | undefined {
  if (cursor === undefined || cursor === '') return { index: 0, emptied: false };
  const [id, index, emptied] = Buffer.from(String(cursor), 'base64url').toString('utf8').split(':');
  if (id !== openKfId || !/^\d+$/.test(index ?? '')) return undefined;
  return { index: Number(index), emptied: emptied === 'e' };
}
