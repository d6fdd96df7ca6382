import type { HttpRequest, HttpResponse, HttpRoute } from '@switchboard/connector-sdk';
import { HttpError } from '@switchboard/http';
import { callbackRoutes, checkFresh, encryptedOf, openSignedCiphertext, queryOf } from '../shared/callback.ts';
import { aesKeyOf } from '../shared/crypto.ts';
import { parseWechatXml } from '../shared/xml.ts';

export const WECOM_WEBHOOK_PATH = '/webhooks/wecom';
/** A kf callback is a few hundred bytes of ciphertext. */
export const WECOM_MAX_BODY_BYTES = 64 * 1024;

export interface WeComCallbackConfig {
  corpId: string;
  token: string;
  encodingAesKey: string;
  maxSkewSeconds: number;
}

export interface WeComCallbackSink {
  /** A kf account has news: read it with sync_msg and this token (valid 10 minutes). Must not block. */
  notified(openKfId: string, token: string): void;
  /** A verified callback of another kind (an app event this connector does not handle). */
  ignored(fields: Record<string, string>): void;
  ready(): boolean;
  refused(status: number, reason: string, request: HttpRequest): void;
}

const EMPTY = { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' } satisfies HttpResponse;

/**
 * WeCom's callback (developer.work.weixin.qq.com/document/path/90930 and 90968): a GET to verify the URL
 * (msg_signature over the encrypted echostr, which is decrypted and answered in plaintext) and a POST per
 * notification, every one verified (msg_signature over its ciphertext), decrypted and checked for our
 * CorpID. For customer service the notification is only `kf_msg_or_event` with a Token; the messages
 * are read with sync_msg, which keeps them 3 days, so the answer (200, empty: "received") needs nothing
 * else to be safe.
 */
export class WeComCallback {
  private readonly key: Buffer;

  constructor(
    private readonly config: WeComCallbackConfig,
    private readonly sink: WeComCallbackSink,
    private readonly now: () => number = Date.now,
  ) {
    this.key = aesKeyOf(config.encodingAesKey);
  }

  routes(): HttpRoute[] {
    return callbackRoutes(WECOM_WEBHOOK_PATH, WECOM_MAX_BODY_BYTES, { verify: (r) => this.verifyUrl(r), receive: (r) => this.receive(r), refused: (...args) => this.sink.refused(...args) });
  }

  /** The echostr's plaintext, without quotes, BOM or newline (90930). */
  async verifyUrl(request: HttpRequest): Promise<HttpResponse> {
    const { msg_signature: signature, timestamp, nonce, echostr } = queryOf(request.query, ['msg_signature', 'timestamp', 'nonce', 'echostr']);
    const plaintext = this.open({ signature, timestamp, nonce, encrypted: echostr });
    return { ...EMPTY, body: plaintext };
  }

  async receive(request: HttpRequest): Promise<HttpResponse> {
    if (!this.sink.ready()) throw new HttpError(503, 'not started');
    const { msg_signature: signature, timestamp, nonce } = queryOf(request.query, ['msg_signature', 'timestamp', 'nonce']);
    const xml = this.open({ signature, timestamp, nonce, encrypted: encryptedOf(request.rawBody.toString('utf8')) });
    checkFresh(timestamp, this.now(), this.config.maxSkewSeconds);
    let fields: Record<string, string>;
    try {
      fields = parseWechatXml(xml);
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    if (fields.ToUserName && fields.ToUserName !== this.config.corpId) throw new HttpError(401, 'callback for another CorpID');
    if (fields.MsgType === 'event' && fields.Event === 'kf_msg_or_event' && fields.OpenKfId && fields.Token) this.sink.notified(fields.OpenKfId, fields.Token);
    else this.sink.ignored(fields);
    return EMPTY;
  }

  private open(input: { signature: string; timestamp: string; nonce: string; encrypted: string }): string {
    return openSignedCiphertext(input, { token: this.config.token, key: this.key, receiveId: this.config.corpId, receiveIdName: 'CorpID' });
  }
}
