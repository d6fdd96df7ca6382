/**
 * The WeChat side of the tests: callbacks signed and encrypted exactly as WeChat's servers do, and a
 * local server answering the Official Account API's shapes (token, customer-service message).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TOKEN = 'switchboard-oa-token-7f3a';
export const APP_ID = 'wx5d8c2e41a9b3f607';
export const APP_SECRET = 'oa-app-secret-0123456789abcdef';
/** 43 characters, as the console generates it. */
export const ENCODING_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function sha1Sorted(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** WeChat's safe-mode encryption: random(16) + length(4, BE) + xml + appid, PKCS#7 to 32 bytes, AES-256-CBC. */
export function encryptLikeWechat(xml: string, appId = APP_ID, encodingAesKey = ENCODING_AES_KEY): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export interface SignedCallback {
  url: string;
  body: string;
}

export interface CallbackOptions {
  token?: string;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  nonce?: string;
}

function freshParams(options: CallbackOptions): { timestamp: string; nonce: string; token: string } {
  return {
    timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    nonce: options.nonce ?? String(randomBytes(4).readUInt32BE()),
    token: options.token ?? TOKEN,
  };
}

/** A plaintext-mode callback: `signature` over token, timestamp and nonce; the XML as the body. */
export function plaintextCallback(base: string, xml: string, options: CallbackOptions = {}): SignedCallback {
  const { timestamp, nonce, token } = freshParams(options);
  const query = new URLSearchParams({ signature: sha1Sorted(token, timestamp, nonce), timestamp, nonce, openid: 'oXk2t5Ecj3K8Wm9nQ4rLp1vB7dY0' });
  return { url: `${base}/webhooks/wechat?${query}`, body: xml };
}

/** A safe-mode callback: the XML encrypted into <Encrypt>, `msg_signature` also covering the ciphertext. */
export function safeModeCallback(base: string, xml: string, options: CallbackOptions & { appId?: string } = {}): SignedCallback {
  const { timestamp, nonce, token } = freshParams(options);
  const encrypted = encryptLikeWechat(xml, options.appId ?? APP_ID);
  const query = new URLSearchParams({
    signature: sha1Sorted(token, timestamp, nonce),
    timestamp,
    nonce,
    openid: 'oXk2t5Ecj3K8Wm9nQ4rLp1vB7dY0',
    encrypt_type: 'aes',
    msg_signature: sha1Sorted(token, timestamp, nonce, encrypted),
  });
  return { url: `${base}/webhooks/wechat?${query}`, body: `<xml><ToUserName><![CDATA[gh_3f5c7a2b1d90]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>` };
}

export function post(callback: SignedCallback): Promise<Response> {
  return fetch(callback.url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: callback.body });
}

/** The URL-verification GET WeChat sends when the callback URL is saved in the console. */
export function verificationUrl(base: string, echostr: string, token = TOKEN): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = '1514681432';
  return `${base}/webhooks/wechat?${new URLSearchParams({ signature: sha1Sorted(token, timestamp, nonce), timestamp, nonce, echostr })}`;
}

export function textMessageXml(content: string, msgId: string, from = 'oXk2t5Ecj3K8Wm9nQ4rLp1vB7dY0', createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName><![CDATA[gh_3f5c7a2b1d90]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
}

export interface CustomMessage {
  accessToken: string;
  body: { touser: string; msgtype: string; text: { content: string } };
}

/** A local Official Account API: /cgi-bin/token and /cgi-bin/message/custom/send, in WeChat's JSON shapes. */
export class FakeWechatApi {
  readonly tokenRequests: URLSearchParams[] = [];
  readonly customMessages: CustomMessage[] = [];
  /** errcodes the next custom sends answer with, in order (then 0). */
  readonly failNextSends: number[] = [];
  private issued = 0;
  private readonly validTokens = new Set<string>();
  private server: Server | undefined;
  base = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = (body: unknown) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (url.pathname === '/cgi-bin/token' && req.method === 'GET') {
          this.tokenRequests.push(url.searchParams);
          if (url.searchParams.get('appid') !== APP_ID || url.searchParams.get('secret') !== APP_SECRET || url.searchParams.get('grant_type') !== 'client_credential') {
            return reply({ errcode: 40125, errmsg: 'invalid appsecret' });
          }
          const token = `ACCESS_TOKEN_${++this.issued}`;
          this.validTokens.add(token);
          return reply({ access_token: token, expires_in: 7200 });
        }
        if (url.pathname === '/cgi-bin/message/custom/send' && req.method === 'POST') {
          const accessToken = url.searchParams.get('access_token') ?? '';
          const failure = this.failNextSends.shift();
          if (failure === 40001) this.validTokens.delete(accessToken);
          if (failure) return reply({ errcode: failure, errmsg: `simulated ${failure}` });
          if (!this.validTokens.has(accessToken)) return reply({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
          this.customMessages.push({ accessToken, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as CustomMessage['body'] });
          return reply({ errcode: 0, errmsg: 'ok' });
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
