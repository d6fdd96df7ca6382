import { AccessTokenCache, callWechatApi, jsonPost } from '../shared/api.ts';

export { WechatApiError } from '../shared/api.ts';

/** The access token was invalid (40001, 40014) or expired (42001): fetch a new one and try again. */
const STALE_TOKEN_CODES = new Set([40001, 40014, 42001]);

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
  private readonly tokens: AccessTokenCache;

  constructor(private readonly options: OfficialAccountApiOptions) {
    const query = new URLSearchParams({ grant_type: 'client_credential', appid: options.appId, secret: options.appSecret });
    this.tokens = new AccessTokenCache(() => callWechatApi(`${options.apiBase}/cgi-bin/token?${query}`, 'token', { method: 'GET' }), STALE_TOKEN_CODES, options.now);
  }

  /** Sends a text to a customer (allowed within 48 hours of their last message). */
  async sendText(openId: string, content: string): Promise<{ msgId?: string }> {
    const reply = await this.tokens.withToken((token) =>
      callWechatApi(
        `${this.options.apiBase}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`,
        'message/custom/send',
        jsonPost({ touser: openId, msgtype: 'text', text: { content } }),
      ),
    );
    return reply.msgid !== undefined ? { msgId: String(reply.msgid) } : {};
  }
}
