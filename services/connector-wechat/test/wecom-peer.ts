/**
 * WeCom's callbacks as WeCom sends them (developer.work.weixin.qq.com/document/path/90930 and the
 * encryption of 90968): every request signed with msg_signature = sha1(sort(token, timestamp, nonce,
 * ciphertext)), the XML encrypted with the CorpID as receive id; the customer-service notification
 * `kf_msg_or_event` carries only a Token and the OpenKfId (94670, document/31078).
 */
import { createHash, randomBytes } from 'node:crypto';
import { encryptLikeWechat, type SignedCallback } from './wechat-peer.ts';

export const CORP_ID = 'ww4f3a9c2b1d0e5f67';
export const KF_SECRET = 'kf-secret-for-tests-0123456789abcdef';
export const WECOM_TOKEN = 'wecom-callback-token-9d2e';
export const WECOM_AES_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg';
export const OPEN_KFID = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';
export const CUSTOMER = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';

function msgSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

export interface WeComCallbackOptions {
  token?: string;
  /** Whose ciphertext it is (the receive id at its end). */
  corpId?: string;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
}

/** The notification WeCom sends when a kf account has news. */
export function kfNotificationXml(openKfId: string, token: string, corpId = CORP_ID, createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[${token}]]></Token><OpenKfId><![CDATA[${openKfId}]]></OpenKfId></xml>`;
}

/** A POST as WeCom makes it: the encrypted XML in <Encrypt>, msg_signature, timestamp and nonce in the query. */
export function weComCallback(base: string, xml: string, options: WeComCallbackOptions = {}): SignedCallback {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE());
  const encrypted = encryptLikeWechat(xml, options.corpId ?? CORP_ID, WECOM_AES_KEY);
  const query = new URLSearchParams({ msg_signature: msgSignature(options.token ?? WECOM_TOKEN, timestamp, nonce, encrypted), timestamp, nonce });
  return {
    url: `${base}/webhooks/wecom?${query}`,
    body: `<xml><ToUserName><![CDATA[${options.corpId ?? CORP_ID}]]></ToUserName><AgentID><![CDATA[]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
  };
}

/** The GET WeCom sends when the callback URL is saved: echostr encrypted, the answer must be its plaintext. */
export function weComVerificationUrl(base: string, plaintext: string, options: WeComCallbackOptions = {}): string {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = '1372623149';
  const echostr = encryptLikeWechat(plaintext, options.corpId ?? CORP_ID, WECOM_AES_KEY);
  const query = new URLSearchParams({ msg_signature: msgSignature(options.token ?? WECOM_TOKEN, timestamp, nonce, echostr), timestamp, nonce, echostr });
  return `${base}/webhooks/wecom?${query}`;
}
