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
 * Opens a safe-mode `Encrypt` value: AES-256-CBC with IV = the key's first 16 bytes; the plaintext
 * is 16 random bytes, a 4-byte big-endian length, the XML, then the sender's AppID.
 */
export function decryptMessage(encrypted: string, key: Buffer): { xml: string; appId: string } {
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
  const xmlLength = plain.readUInt32BE(16);
  if (20 + xmlLength > plain.length) throw new DecryptError('declared XML length exceeds the plaintext');
  return {
    xml: plain.subarray(20, 20 + xmlLength).toString('utf8'),
    appId: plain.subarray(20 + xmlLength).toString('utf8'),
  };
}
