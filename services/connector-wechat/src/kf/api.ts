import { AccessTokenCache, callWechatApi, jsonPost, WechatApiError, type WechatReply } from '../shared/api.ts';

/**
 * WeCom customer service (微信客服) API calls, in the shapes of developer.work.weixin.qq.com:
 * gettoken (document/path/91039), kf/sync_msg (94670), kf/send_msg (94677), kf/service_state/get and
 * /trans (94669), media/get (90254), kf/account/list (94661), kf/customer/batchget (95159); error codes
 * from the global table (90455).
 */

/** The access token was invalid (40001, 40014) or expired (42001): fetch a new one and call again. */
const STALE_TOKEN_CODES = new Set([40001, 40014, 42001]);

/** The session states of service_state/get (94669). */
export const SESSION_STATES = {
  0: 'new, not handled yet',
  1: 'handled by the API (smart assistant)',
  2: 'queued for a WeCom servicer',
  3: 'handled by a WeCom servicer',
  4: 'ended or not started',
} as const;
export type SessionState = keyof typeof SESSION_STATES;

export interface SyncRequest {
  cursor?: string;
  token?: string;
  limit: number;
  openKfId: string;
}

export interface SyncPage {
  nextCursor: string;
  hasMore: boolean;
  messages: KfMessage[];
}

/** One entry of sync_msg's msg_list, as WeCom sends it. */
export interface KfMessage {
  msgid: string;
  open_kfid?: string;
  external_userid?: string;
  send_time?: number;
  /** 3: the customer; 4: a system event; 5: a servicer in the WeCom client. */
  origin?: number;
  servicer_userid?: string;
  msgtype: string;
  [part: string]: unknown;
}

export interface Media {
  bytes: Buffer;
  contentType: string;
  filename?: string;
}

export interface WeComKfApiOptions {
  apiBase: string;
  corpId: string;
  secret: string;
  now?: () => number;
}

export class WeComKfApi {
  private readonly tokens: AccessTokenCache;

  constructor(private readonly options: WeComKfApiOptions) {
    const query = new URLSearchParams({ corpid: options.corpId, corpsecret: options.secret });
    this.tokens = new AccessTokenCache(() => callWechatApi(`${options.apiBase}/cgi-bin/gettoken?${query}`, 'gettoken', { method: 'GET' }), STALE_TOKEN_CODES, options.now);
  }

  /** One page of messages and events after `cursor` (the first page of the 3 days kept when unset). */
  async syncMsg(request: SyncRequest): Promise<SyncPage> {
    const body = { limit: request.limit, open_kfid: request.openKfId, ...(request.cursor ? { cursor: request.cursor } : {}), ...(request.token ? { token: request.token } : {}) };
    const reply = await this.post('kf/sync_msg', body);
    return {
      nextCursor: typeof reply.next_cursor === 'string' ? reply.next_cursor : '',
      // "Do not stop on an empty msg_list: has_more may be 1 with no messages" (94670).
      hasMore: reply.has_more === 1,
      messages: Array.isArray(reply.msg_list) ? (reply.msg_list as KfMessage[]) : [],
    };
  }

  /** A text to the customer; `msgId` (≤ 32 of [0-9a-zA-Z_-]) is ours, so the send can be matched to a msg_send_fail event. */
  async sendText(openKfId: string, externalUserId: string, content: string, msgId: string): Promise<string> {
    const reply = await this.post('kf/send_msg', { touser: externalUserId, open_kfid: openKfId, msgid: msgId, msgtype: 'text', text: { content } });
    return typeof reply.msgid === 'string' ? reply.msgid : msgId;
  }

  async serviceState(openKfId: string, externalUserId: string): Promise<{ state: SessionState; servicer?: string }> {
    const reply = await this.post('kf/service_state/get', { open_kfid: openKfId, external_userid: externalUserId });
    const state = Number(reply.service_state) as SessionState;
    return { state, ...(typeof reply.servicer_userid === 'string' && reply.servicer_userid ? { servicer: reply.servicer_userid } : {}) };
  }

  async transServiceState(openKfId: string, externalUserId: string, state: SessionState): Promise<void> {
    await this.post('kf/service_state/trans', { open_kfid: openKfId, external_userid: externalUserId, service_state: state });
  }

  /** The kf accounts this app may manage (for the timed sync). */
  async accounts(): Promise<string[]> {
    const reply = await this.post('kf/account/list', { offset: 0, limit: 100 });
    const list = Array.isArray(reply.account_list) ? (reply.account_list as { open_kfid?: unknown }[]) : [];
    return list.map((a) => a.open_kfid).filter((id): id is string => typeof id === 'string');
  }

  /** Nicknames of customers, by external_userid; unknown ids are left out. */
  async nicknames(externalUserIds: string[]): Promise<Map<string, string>> {
    const reply = await this.post('kf/customer/batchget', { external_userid_list: externalUserIds, need_enter_session_context: 0 });
    const list = Array.isArray(reply.customer_list) ? (reply.customer_list as { external_userid?: unknown; nickname?: unknown }[]) : [];
    return new Map(list.filter((c) => typeof c.external_userid === 'string' && typeof c.nickname === 'string' && c.nickname).map((c) => [c.external_userid as string, c.nickname as string]));
  }

  /** A temporary media file: bytes, or a JSON errcode (an expired or unknown media_id: 40007). */
  getMedia(mediaId: string): Promise<Media> {
    return this.tokens.withToken(async (token) => {
      const url = `${this.options.apiBase}/cgi-bin/media/get?${new URLSearchParams({ access_token: token, media_id: mediaId })}`;
      const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
      const bytes = Buffer.from(await response.arrayBuffer());
      if (contentType.includes('json') || contentType.startsWith('text/plain')) {
        const reply = JSON.parse(bytes.toString('utf8')) as WechatReply;
        throw new WechatApiError('media/get', reply.errcode ?? -1, reply.errmsg ?? `HTTP ${response.status}`);
      }
      if (!response.ok) throw new WechatApiError('media/get', -1, `HTTP ${response.status}`);
      const filename = filenameOf(response.headers.get('content-disposition'));
      return { bytes, contentType: contentType.split(';')[0]!.trim(), ...(filename ? { filename } : {}) };
    });
  }

  private post(endpoint: string, body: unknown): Promise<WechatReply> {
    return this.tokens.withToken((token) => callWechatApi(`${this.options.apiBase}/cgi-bin/${endpoint}?access_token=${encodeURIComponent(token)}`, endpoint, jsonPost(body)));
  }
}

/** `attachment; filename="a.jpg"` (or RFC 5987 `filename*=UTF-8''…`). */
function filenameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (extended) return decodeURIComponent(extended[1]!.trim());
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
  return plain ? plain[1]!.trim() : undefined;
}
