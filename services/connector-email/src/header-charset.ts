/**
 * Header text that mailparser decodes into replacement characters: raw 8-bit bytes with no
 * encoded-word (RFC 6532 allows only UTF-8 there, but older clients write their local charset:
 * Shift_JIS, GBK…), and encoded-words whose label is wrong (`=?ISO-2022-JP?B?…?=` over 8-bit Shift_JIS
 * bytes, which a 7-bit charset cannot hold). The charset comes from the declared body charset when it
 * decodes the bytes, else from detection (chardet, then a plausibility score over the decoded text).
 * Decoding uses Node's WHATWG TextDecoder with `fatal`, so a charset that does not fit is refused, not
 * turned into "�".
 */
import { analyse } from 'chardet';

export interface HeaderCharset {
  charset: string;
  /** `body-charset`: the charset the body declares decoded the headers; `detected`: it did not, so the bytes were analysed. */
  source: 'body-charset' | 'detected';
}

/** Charsets that cannot carry 8-bit bytes: a label naming one over 8-bit bytes is wrong; its family's 8-bit charsets are likelier. */
const SEVEN_BIT_FAMILIES: Record<string, readonly string[]> = {
  'iso-2022-jp': ['shift_jis', 'euc-jp'],
  'iso-2022-kr': ['euc-kr'],
  'iso-2022-cn': ['gb18030'],
  'us-ascii': [],
  ascii: [],
};
/** Tried when detection is unsure, in this order (our customers write Chinese first). */
const FALLBACK = ['gb18030', 'shift_jis', 'big5', 'euc-kr', 'euc-jp', 'windows-1252'];
/** chardet's answer is taken as it is from this confidence on (it has seen enough text). */
const SURE = 50;
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

export function strictDecode(bytes: Uint8Array, charset: string): string | undefined {
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const hasHighBytes = (bytes: Uint8Array) => bytes.some((b) => b >= 0x80);
const normalizedCharset = (label: string) => label.split('*')[0]!.trim().toLowerCase();

/** Raw bytes of a header value that are not UTF-8 (what RFC 6532 allows): mailparser cannot read them. */
export function hasUndeclared8Bit(raw: Buffer): boolean {
  return hasHighBytes(raw) && strictDecode(raw, 'utf-8') === undefined;
}

/** The bytes an encoded-word carries. */
function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toLowerCase() === 'b') return Buffer.from(text, 'base64');
  return Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
}

/** An encoded-word whose label cannot be right: a 7-bit charset over 8-bit bytes, or a charset that refuses its bytes (or is unknown). */
function mislabelled(label: string, bytes: Buffer): boolean {
  const charset = normalizedCharset(label);
  if (charset in SEVEN_BIT_FAMILIES) return hasHighBytes(bytes);
  return strictDecode(bytes, charset) === undefined;
}

/** The 8-bit bytes that need a charset: raw header bytes, and those of mislabelled encoded-words. */
export function undeclaredBytes(raw: Buffer): Buffer[] {
  const found: Buffer[] = [];
  const text = raw.toString('latin1');
  for (const [, label, encoding, payload] of text.matchAll(ENCODED_WORD)) {
    const bytes = wordBytes(encoding!, payload!);
    if (mislabelled(label!, bytes)) found.push(bytes);
  }
  const outside = Buffer.from(text.replace(ENCODED_WORD, ' '), 'latin1');
  if (hasUndeclared8Bit(outside)) found.push(outside);
  return found;
}

/**
 * How likely `text` is what someone wrote, from the Unicode blocks its characters fall in: kana, CJK
 * ideographs and punctuation, Hangul and accented Latin count for it; half-width katakana, C1 controls,
 * private use and rare blocks (what a wrong multi-byte decoding produces) against it.
 */
export function plausibility(text: string): number {
  let score = 0;
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if (c < 0x80) continue;
    if (c >= 0x3040 && c <= 0x30ff) score += 2;
    else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff5e) || (c >= 0xac00 && c <= 0xd7a3)) score += 1;
    else if (c >= 0xc0 && c <= 0x17f) score += 0.5;
    else score -= 2;
  }
  return score;
}

/**
 * The charset of a message's undeclared header bytes (`samples`, all of them together: more text, a
 * surer guess). `bodyCharset` is what the body declares; a 7-bit one (ISO-2022-JP) stands for its
 * family's 8-bit charsets.
 */
export function headerCharsetOf(samples: readonly Buffer[], bodyCharset: string | undefined): HeaderCharset | undefined {
  if (samples.length === 0) return undefined;
  const joined = Buffer.concat(samples.flatMap((s, i) => (i === 0 ? [s] : [Buffer.from(' '), s])));
  const hint = bodyCharset ? normalizedCharset(bodyCharset) : undefined;
  const hinted = hint === undefined || hint === 'utf-8' || hint === 'utf8' ? [] : (SEVEN_BIT_FAMILIES[hint] ?? [hint]);
  const fromHint = hinted.find((charset) => strictDecode(joined, charset) !== undefined);
  if (fromHint) return { charset: fromHint, source: 'body-charset' };

  const detected = analyse(joined).filter((m) => !normalizedCharset(m.name).startsWith('utf') && !(normalizedCharset(m.name) in SEVEN_BIT_FAMILIES));
  const best = detected[0];
  if (best && best.confidence >= SURE && strictDecode(joined, best.name) !== undefined) return { charset: normalizedCharset(best.name), source: 'detected' };
  const candidates = [...new Set([...detected.map((m) => normalizedCharset(m.name)), ...FALLBACK])];
  const order = FALLBACK.concat(candidates.filter((c) => !FALLBACK.includes(c)));
  let chosen: { charset: string; score: number } | undefined;
  for (const charset of order) {
    const text = strictDecode(joined, charset);
    if (text === undefined) continue;
    const score = plausibility(text);
    if (!chosen || score > chosen.score) chosen = { charset, score };
  }
  return chosen ? { charset: chosen.charset, source: 'detected' } : undefined;
}

/** Raw header bytes as text: 8-bit runs in `charset` (UTF-8 when valid), encoded-words left as they are. */
export function decodeRawHeader(raw: Buffer, charset: string | undefined): string {
  if (!hasUndeclared8Bit(raw)) return raw.toString('utf8');
  return (charset && strictDecode(raw, charset)) ?? new TextDecoder(charset ?? 'windows-1252').decode(raw);
}

/**
 * Decodes the encoded-words of `text` (RFC 2047), reading a mislabelled one with `charset`; the
 * whitespace between two adjacent encoded-words is dropped (§6.2).
 */
export function decodeWords(text: string, charset: string | undefined): string {
  return text.replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1').replace(ENCODED_WORD, (word, label: string, encoding: string, payload: string) => {
    const bytes = wordBytes(encoding, payload);
    const declared = normalizedCharset(label);
    const readWith = mislabelled(label, bytes) ? (charset ?? headerCharsetOf([bytes], undefined)?.charset) : declared;
    return (readWith && strictDecode(bytes, readWith)) ?? word;
  });
}
