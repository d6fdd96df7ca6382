import { SwitchboardError } from '@switchboard/runtime';

/**
 * Codes WeChat documents as "try again later": -1 system busy, 45011 API called too often (Global
 * Return Code, developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html), and
 * WeCom's 45009 (api freq out of limit, developer.work.weixin.qq.com/document/path/90313). We also use
 * -1 for an answer that was not JSON (a proxy's 502). Everything else (45015: the 48-hour window has
 * closed, 40003: unknown openid, ...) will not change by asking again.
 */
const RETRIABLE_CODES = new Set([-1, 45009, 45011]);

/** WeChat (or WeCom) answered with a non-zero errcode, or not with JSON at all. */
export class WechatApiError extends SwitchboardError {
  override readonly name = 'WechatApiError';
  constructor(
    readonly endpoint: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat API ${endpoint} failed: errcode ${errcode} (${errmsg})`, { retriable: RETRIABLE_CODES.has(errcode) });
  }
}

export interface WechatReply {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** A call to an API of WeChat's family: JSON in, JSON out, failure as a non-zero `errcode` in a 200. */
export async function callWechatApi(url: string, endpoint: string, init: RequestInit): Promise<WechatReply> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = await response.text();
  let reply: WechatReply;
  try {
    reply = JSON.parse(body) as WechatReply;
  } catch {
    throw new WechatApiError(endpoint, -1, `HTTP ${response.status}, not JSON: ${body.slice(0, 200)}`);
  }
  if (!response.ok) throw new WechatApiError(endpoint, reply.errcode ?? -1, `HTTP ${response.status}: ${reply.errmsg ?? ''}`);
  if (reply.errcode !== undefined && reply.errcode !== 0) throw new WechatApiError(endpoint, reply.errcode, reply.errmsg ?? '');
  return reply;
}

export function jsonPost(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

/** Refresh this long before the API says the token expires, so no call carries a token about to die. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * The access token of one secret: fetched once and shared by concurrent callers, fetched again before it
 * expires and when a call is answered with one of `staleCodes` (invalid or expired token), then the call
 * is made once more.
 */
export class AccessTokenCache {
  private token: CachedToken | undefined;
  private fetching: Promise<CachedToken> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<WechatReply>,
    private readonly staleCodes: ReadonlySet<number>,
    private readonly now: () => number = Date.now,
  ) {}

  async withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const first = await this.current();
    try {
      return await call(first.value);
    } catch (error) {
      if (!(error instanceof WechatApiError && this.staleCodes.has(error.errcode))) throw error;
      // Only the caller that saw the stale token drops it; a newer one someone else fetched is kept.
      if (this.token === first) this.token = undefined;
      const fresh = await this.current();
      return call(fresh.value);
    }
  }

  private current(): Promise<CachedToken> {
    if (this.token && this.now() < this.token.expiresAt) return Promise.resolve(this.token);
    this.fetching ??= this.refresh().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async refresh(): Promise<CachedToken> {
    const reply = await this.fetchToken();
    if (typeof reply.access_token !== 'string' || !reply.access_token) throw new WechatApiError('token', -1, 'no access_token in the answer');
    const lifetimeMs = (typeof reply.expires_in === 'number' ? reply.expires_in : 7200) * 1000;
    this.token = { value: reply.access_token, expiresAt: this.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2) };
    return this.token;
  }
}
