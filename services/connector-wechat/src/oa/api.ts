/**
 * Codes WeChat documents as "try again later": -1 system busy, 45011 API called too often
 * (Global Return Code, developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html).
 * We also use -1 for an answer that was not JSON (a proxy's 502). Everything else (45015: the 48-hour
 * window has closed, 40003: unknown openid, ...) will not change by asking again.
 */
import { SwitchboardError } from '@switchboard/runtime';

const RETRIABLE_CODES = new Set([-1, 45011]);

/** WeChat answered with a non-zero errcode (or not with JSON at all). */
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

/** The access token was invalid (40001, 40014) or expired (42001): fetch a new one and try again. */
const STALE_TOKEN_CODES = new Set([40001, 40014, 42001]);

/** Refresh this long before WeChat says the token expires, so no call carries a token about to die. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

interface CachedToken {
  value: string;
  expiresAt: number;
}

interface WechatReply {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

export interface OfficialAccountApiOptions {
  apiBase: string;
  appId: string;
  appSecret: string;
  now?: () => number;
}

/**
 * The few Official Account API calls Switchboard makes: an access token (cached, shared by
 * concurrent callers) and the customer-service message that answers a customer.
 */
export class OfficialAccountApi {
  private token: CachedToken | undefined;
  private fetching: Promise<CachedToken> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: OfficialAccountApiOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Sends a text to a customer (allowed within 48 hours of their last message). */
  async sendText(openId: string, content: string): Promise<{ msgId?: string }> {
    const reply = await this.withToken((token) =>
      this.call('message/custom/send', `/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ touser: openId, msgtype: 'text', text: { content } }),
      }),
    );
    return reply.msgid !== undefined ? { msgId: String(reply.msgid) } : {};
  }

  private async withToken(call: (token: string) => Promise<WechatReply>): Promise<WechatReply> {
    const first = await this.accessToken();
    try {
      return await call(first.value);
    } catch (error) {
      if (!(error instanceof WechatApiError && STALE_TOKEN_CODES.has(error.errcode))) throw error;
      // Only the caller that saw the stale token drops it; a newer one someone else fetched is kept.
      if (this.token === first) this.token = undefined;
      const fresh = await this.accessToken();
      return call(fresh.value);
    }
  }

  private accessToken(): Promise<CachedToken> {
    if (this.token && this.now() < this.token.expiresAt) return Promise.resolve(this.token);
    this.fetching ??= this.fetchToken().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetchToken(): Promise<CachedToken> {
    const query = new URLSearchParams({ grant_type: 'client_credential', appid: this.options.appId, secret: this.options.appSecret });
    const reply = await this.call('token', `/cgi-bin/token?${query}`, { method: 'GET' });
    if (typeof reply.access_token !== 'string' || !reply.access_token) throw new WechatApiError('token', -1, 'no access_token in the answer');
    const lifetimeMs = (typeof reply.expires_in === 'number' ? reply.expires_in : 7200) * 1000;
    this.token = { value: reply.access_token, expiresAt: this.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2) };
    return this.token;
  }

  private async call(endpoint: string, pathAndQuery: string, init: RequestInit): Promise<WechatReply> {
    const response = await fetch(`${this.options.apiBase}${pathAndQuery}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
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
}
