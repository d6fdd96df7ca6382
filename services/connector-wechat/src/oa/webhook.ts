import type { HttpRequest, HttpResponse, HttpRoute } from '@switchboard/connector-sdk';
import { HttpError } from '@switchboard/http';
import { safeEqual } from '@switchboard/runtime';
import type { InboundMessageInput } from '@switchboard/schema';
import type { OfficialAccountConfig } from '../config.ts';
import { aesKeyOf, wechatSignature } from '../shared/crypto.ts';
import { callbackRoutes, checkFresh, encryptedOf, openSignedCiphertext, queryOf } from '../shared/callback.ts';
import { normalizeOfficialAccountMessage, UnusableCallbackError } from './normalize.ts';
import { MalformedXmlError, parseWechatXml, UnsafeXmlError } from '../shared/xml.ts';

export const OA_WEBHOOK_PATH = '/webhooks/wechat';
/** WeChat's callbacks are a few hundred bytes; anything near this is not one. */
export const OA_MAX_BODY_BYTES = 64 * 1024;

/** A verified callback as it arrived (query string and body): what the journal keeps, and a replay verifies again. */
export interface SignedCallback {
  query: string;
  body: string;
}

export interface OfficialAccountSink {
  /**
   * Takes a verified, parsed message; resolves once Kafka or the journal has it (WeChat waits at most
   * 5 seconds, and never sends again after "success"). A rejection answers 503, so WeChat retries.
   */
  accept(message: InboundMessageInput, rawXml: string, signed: SignedCallback): Promise<void>;
  /** Keeps a verified callback that could not be turned into a message. */
  unusable(rawXml: string, reason: string, error: unknown): Promise<void>;
  /** False until the connector runs: callbacks are then refused (503) and WeChat retries them. */
  ready(): boolean;
  /** Told of every refused request: a wrong token or key in the console shows up here, not only as WeChat's retries. */
  refused(status: number, reason: string, request: HttpRequest): void;
}

function text(status: number, body: string): HttpResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

const SUCCESS = text(200, 'success');

/**
 * The Official Account's server callback: GET to verify the URL, POST for each message and event,
 * in plaintext or safe mode. Every request is authenticated before anything else is done with it.
 */
export class OfficialAccountWebhook {
  private readonly aesKey: Buffer | undefined;
  private readonly agentMenuKeys: ReadonlySet<string>;

  constructor(
    private readonly config: OfficialAccountConfig,
    private readonly sink: OfficialAccountSink,
    private readonly now: () => number = Date.now,
  ) {
    this.aesKey = config.encodingAesKey ? aesKeyOf(config.encodingAesKey) : undefined;
    this.agentMenuKeys = new Set(config.agentMenuKeys);
  }

  routes(): HttpRoute[] {
    return callbackRoutes(OA_WEBHOOK_PATH, OA_MAX_BODY_BYTES, { verify: (r) => this.verifyUrl(r), receive: (r) => this.receive(r), refused: (...args) => this.sink.refused(...args) });
  }

  /** WeChat proves it knows the token; we echo `echostr` to prove we do. */
  async verifyUrl(request: HttpRequest): Promise<HttpResponse> {
    const { signature, timestamp, nonce, echostr } = queryOf(request.query, ['signature', 'timestamp', 'nonce', 'echostr']);
    if (!safeEqual(signature, wechatSignature(this.config.token, timestamp, nonce))) throw new HttpError(401, 'bad signature');
    return text(200, echostr);
  }

  async receive(request: HttpRequest): Promise<HttpResponse> {
    if (!this.sink.ready()) throw new HttpError(503, 'not started');
    const raw = request.rawBody.toString('utf8');
    // In safe mode, the decrypted XML: what is dead-lettered is readable without the key.
    const xml = this.open(request.query, raw, true);
    let message: InboundMessageInput;
    try {
      message = this.normalize(xml, new Date(this.now()));
    } catch (error) {
      if (error instanceof UnsafeXmlError || error instanceof MalformedXmlError || error instanceof UnusableCallbackError) {
        await this.sink.unusable(xml, `official account callback refused: ${error.message}`, error);
        throw new HttpError(400, error.message);
      }
      throw error;
    }
    try {
      await this.sink.accept(message, xml, { query: request.query.toString(), body: raw });
    } catch (error) {
      throw new HttpError(503, `not kept, WeChat will retry: ${(error as Error).message}`);
    }
    return SUCCESS;
  }

  /**
   * A journaled callback, verified again (its signature, not its age: it was received in time) and
   * normalized with the time it was received. Throws when it no longer verifies or parses.
   */
  reopen(signed: SignedCallback, receivedAt: Date): InboundMessageInput {
    return this.normalize(this.open(new URLSearchParams(signed.query), signed.body, false), receivedAt);
  }

  private normalize(xml: string, receivedAt: Date): InboundMessageInput {
    return normalizeOfficialAccountMessage(parseWechatXml(xml), { appId: this.config.appId, agentMenuKeys: this.agentMenuKeys }, receivedAt);
  }

  private open(query: URLSearchParams, raw: string, fresh: boolean): string {
    return this.aesKey ? this.openSafeMode(query, raw, this.aesKey, fresh) : this.checkPlaintext(query, raw, fresh);
  }

  private checkPlaintext(query: URLSearchParams, raw: string, fresh: boolean): string {
    const { signature, timestamp, nonce } = queryOf(query, ['signature', 'timestamp', 'nonce']);
    if (!safeEqual(signature, wechatSignature(this.config.token, timestamp, nonce))) throw new HttpError(401, 'bad signature');
    if (fresh) this.checkFresh(timestamp);
    return raw;
  }

  private openSafeMode(query: URLSearchParams, raw: string, key: Buffer, fresh: boolean): string {
    const { msg_signature: signature, timestamp, nonce } = queryOf(query, ['msg_signature', 'timestamp', 'nonce']);
    if (query.get('encrypt_type') !== 'aes') throw new HttpError(401, 'safe mode is configured: callbacks must be encrypted (encrypt_type=aes)');
    const encrypted = encryptedOf(raw);
    const xml = openSignedCiphertext({ signature, timestamp, nonce, encrypted }, { token: this.config.token, key, receiveId: this.config.appId, receiveIdName: 'AppID' });
    if (fresh) this.checkFresh(timestamp);
    return xml;
  }

  private checkFresh(timestamp: string): void {
    checkFresh(timestamp, this.now(), this.config.maxSkewSeconds);
  }
}
