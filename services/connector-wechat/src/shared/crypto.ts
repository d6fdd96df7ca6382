import { createDecipheriv, createHash } from 'node:crypto';
import { PermanentError } from '@switchboard/runtime';

/** WeChat's callback signature: SHA-1 of the parts sorted lexicographically and joined. */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

export class DecryptError extends PermanentError {
  override readonly name = 'DecryptError';
}

/** The 32-byte AES key of an EncodingAESKey (43 base64 characters, the last `=` left off). */
export function aesKeyOf(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new DecryptError('EncodingAESKey does not decode to 32 bytes');
  return key;
}

/** WeChat pads to 32-byte blocks (not AES's 16), so the padding is checked here, not by OpenSSL. */
const WECHAT_BLOCK = 32;

/**
 * Opens an `Encrypt` value (Official Account safe mode, and WeCom's callbacks, which use the same scheme:
 * developer.work.weixin.qq.com/document/path/90968): AES-256-CBC with IV = the key's first 16 bytes; the
 * plaintext is 16 random bytes, a 4-byte big-endian length, the message, then the receive id (the
 * Official Account's AppID, or the WeCom CorpID).
 */
export function decryptMessage(encrypted: string, key: Buffer): { message: string; receiveId: string } {
  const cipherBytes = Buffer.from(encrypted, 'base64');
  if (cipherBytes.length === 0 || cipherBytes.length % 16 !== 0) throw new DecryptError('ciphertext is not a whole number of AES blocks');
  let padded: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    padded = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);
  } catch (error) {
    throw new DecryptError(`cannot decrypt: ${(error as Error).message}`);
  }
  const pad = padded[padded.length - 1]!;
  if (pad < 1 || pad > WECHAT_BLOCK || pad > padded.length || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
    throw new DecryptError('bad PKCS#7 padding');
  }
  const plain = padded.subarray(0, padded.length - pad);
  if (plain.length < 20) throw new DecryptError('plaintext too short');
  const messageLength = plain.readUInt32BE(16);
  if (20 + messageLength > plain.length) throw new DecryptError('declared message length exceeds the plaintext');
  return {
    message: plain.subarray(20, 20 + messageLength).toString('utf8'),
    receiveId: plain.subarray(20 + messageLength).toString('utf8'),
  };
}
