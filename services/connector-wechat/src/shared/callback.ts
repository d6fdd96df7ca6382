import type { HttpRequest, HttpResponse, HttpRoute } from '@switchboard/connector-sdk';
import { HttpError } from '@switchboard/http';
import { safeEqual } from '@switchboard/runtime';
import { decryptMessage, DecryptError, wechatSignature } from './crypto.ts';
import { parseWechatXml } from './xml.ts';

/** The named query parameters, each required: a callback missing one is not from WeChat (401). */
export function queryOf<K extends string>(query: URLSearchParams, names: K[]): Record<K, string> {
  const values = {} as Record<K, string>;
  for (const name of names) {
    const value = query.get(name);
    if (!value) throw new HttpError(401, `missing ${name}`);
    values[name] = value;
  }
  return values;
}

/** A captured callback replayed later carries an old timestamp. */
export function checkFresh(timestamp: string, nowMs: number, maxSkewSeconds: number): void {
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(nowMs / 1000 - seconds) > maxSkewSeconds) {
    throw new HttpError(401, 'timestamp outside the accepted window (replay?)');
  }
}

/** The `<Encrypt>` of an encrypted callback body; not authenticated yet (the signature covers it), so refused, not kept. */
export function encryptedOf(body: string): string {
  let envelope: Record<string, string>;
  try {
    envelope = parseWechatXml(body);
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
  if (!envelope.Encrypt) throw new HttpError(400, 'encrypted callback without <Encrypt>');
  return envelope.Encrypt;
}

export interface SignedCiphertext {
  signature: string;
  timestamp: string;
  nonce: string;
  encrypted: string;
}

/**
 * Checks `msg_signature = sha1(sort(token, timestamp, nonce, ciphertext))`, then decrypts and checks the
 * receive id inside (the Official Account's AppID, WeCom's CorpID): the scheme both share
 * (developer.work.weixin.qq.com/document/path/90968). 401 on a bad signature or a foreign receive id.
 */
export function openSignedCiphertext(input: SignedCiphertext, secrets: { token: string; key: Buffer; receiveId: string; receiveIdName: string }): string {
  if (!safeEqual(input.signature, wechatSignature(secrets.token, input.timestamp, input.nonce, input.encrypted))) throw new HttpError(401, 'bad signature');
  let opened: { message: string; receiveId: string };
  try {
    opened = decryptMessage(input.encrypted, secrets.key);
  } catch (error) {
    if (error instanceof DecryptError) throw new HttpError(400, error.message);
    throw error;
  }
  if (!safeEqual(opened.receiveId, secrets.receiveId)) throw new HttpError(401, `ciphertext is for another ${secrets.receiveIdName}`);
  return opened.message;
}

export interface CallbackHandlers {
  /** The GET a console sends when the callback URL is saved. */
  verify(request: HttpRequest): Promise<HttpResponse>;
  receive(request: HttpRequest): Promise<HttpResponse>;
  /** Told of every refused request: a wrong token or key in a console shows up here, not only as retries. */
  refused(status: number, reason: string, request: HttpRequest): void;
}

/** The GET and POST of a callback URL, every refusal (an HttpError) reported before it is answered. */
export function callbackRoutes(path: string, maxBodyBytes: number, handlers: CallbackHandlers): HttpRoute[] {
  const reporting = (handle: (request: HttpRequest) => Promise<HttpResponse>) => async (request: HttpRequest) => {
    try {
      return await handle(request);
    } catch (error) {
      if (error instanceof HttpError) handlers.refused(error.status, error.message, request);
      throw error;
    }
  };
  return [
    { method: 'GET', path, maxBodyBytes: 0, handle: reporting((r) => handlers.verify(r)) },
    { method: 'POST', path, maxBodyBytes, handle: reporting((r) => handlers.receive(r)) },
  ];
}
