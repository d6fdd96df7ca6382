/**
 * What the extractors share: the masked text made safe to read, and the spans already taken, so one
 * stretch of text is one entity (the digits of an order id are not also an amount or a date).
 */

/** The router's masks (services/router/src/redact.ts): a card keeps its last four, codes and passwords keep nothing. */
const MASK = /\[card \*{4}(\d{4})\]|\[code\]|\[password\]/g;
/** Fills a mask's place: not a word, digit, space or CJK character, so no pattern reads into or across it. */
export const BARRIER = '\u25AF';

// Full-width digits and symbols (ＩＭＥ input) read as their ASCII forms, one character for one, so
// offsets in the read text are offsets in the original.
const FULL_WIDTH = /[\uFF01-\uFF5E]/g;

export interface Prepared {
  /** The text as written: entities quote it. */
  original: string;
  /** The text as read: full-width folded, masks replaced by barriers. */
  read: string;
  /** Last four digits of the masked card numbers, in order. */
  maskedCards: string[];
}

export function prepare(text: string): Prepared {
  const maskedCards: string[] = [];
  const folded = text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
  const read = folded.replace(MASK, (mask, last4: string | undefined) => {
    if (last4) maskedCards.push(last4);
    return BARRIER.repeat(mask.length);
  });
  return { original: text, read, maskedCards };
}

export class Claims {
  private readonly spans: [number, number][] = [];

  /** Takes [start, end) unless part of it is taken; true when taken now. */
  take(start: number, end: number): boolean {
    if (this.spans.some(([s, e]) => start < e && s < end)) return false;
    this.spans.push([start, end]);
    return true;
  }
}

export interface Found<T> {
  start: number;
  end: number;
  value: T;
}

/** Every match of `pattern` that `read` turns into a value, taking nothing yet. */
export function scan<T>(text: Prepared, pattern: RegExp, read: (m: RegExpExecArray) => T | undefined): Found<T>[] {
  const found: Found<T>[] = [];
  for (const m of text.read.matchAll(pattern)) {
    const value = read(m);
    if (value !== undefined) found.push({ start: m.index, end: m.index + m[0].length, value });
  }
  return found;
}

/** Like `scan`, first come first served against `claims`. */
export function collect<T>(text: Prepared, claims: Claims, pattern: RegExp, read: (m: RegExpExecArray) => T | undefined): Found<T>[] {
  return scan(text, pattern, read).filter((f) => claims.take(f.start, f.end));
}

/** The original words of a span, trimmed, at most `max` characters (the schema's limit). */
export function quote(text: Prepared, start: number, end: number, max = 100): string {
  return text.original.slice(start, end).trim().slice(0, max);
}
