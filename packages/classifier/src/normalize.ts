import { TRADITIONAL_TO_SIMPLIFIED, VARIANT_FOLDS } from './chinese-variants.ts';

/**
 * Code that marks a character as removed inside a word (apostrophes: "didn't" reads as "didnt").
 * kernel.wat relies on it being 0, as on the CharClass values below.
 */
const JOINER = 0;
/** Code every separator (space, punctuation, emoji, ...) becomes. */
export const SEPARATOR = 0x20;
/** Longer words are cut: no real word is longer, and the cut bounds the n-grams per word. */
export const MAX_WORD_LENGTH = 40;

/**
 * One lookup per UTF-16 unit replaces lower-casing, full-width folding, digit folding and
 * Traditional → Simplified folding, so the hot path never builds intermediate strings.
 */
export const FOLD: Uint16Array = buildFoldTable();

export const enum CharClass {
  Separator = 0,
  Word = 1,
  Han = 2,
}
export const CHAR_CLASS: Uint8Array = buildCharClassTable();

export function isHan(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff);
}

/** The folded text as a string: what the features and the priority rules see. */
export function foldText(text: string): string {
  let folded = '';
  for (let i = 0; i < text.length; i++) {
    const code = FOLD[text.charCodeAt(i)]!;
    if (code !== JOINER) folded += String.fromCharCode(code);
  }
  return folded;
}

function buildFoldTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let code = 0; code < 0x10000; code++) table[code] = code;
  for (let code = 0; code < 0x250; code++) {
    const lower = String.fromCharCode(code).toLowerCase();
    if (lower.length === 1) table[code] = lower.charCodeAt(0);
  }
  // Full-width ASCII (common in Chinese input methods) → ASCII.
  for (let code = 0xff01; code <= 0xff5e; code++) table[code] = table[code - 0xfee0]!;
  // Amounts, dates and order numbers differ in every message; their shape is what generalises.
  for (let code = 0x30; code <= 0x39; code++) table[code] = 0x30;
  for (let code = 0xff10; code <= 0xff19; code++) table[code] = 0x30;
  table[0x27] = JOINER;
  table[0x2019] = JOINER;
  table[0x3002] = 0x2e; // 。
  table[0x3001] = 0x2c; // 、
  for (const [traditional, simplified] of TRADITIONAL_TO_SIMPLIFIED) table[traditional] = simplified;
  for (const [variant, canonical] of VARIANT_FOLDS) table[variant] = canonical;
  return table;
}

function buildCharClassTable(): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let code = 0; code < 0x10000; code++) {
    const isAsciiAlnum = (code >= 0x61 && code <= 0x7a) || code === 0x30;
    const isLatinLetter = code >= 0xc0 && code < 0x250 && code !== 0xd7 && code !== 0xf7;
    if (isAsciiAlnum || isLatinLetter) table[code] = CharClass.Word;
    else if (isHan(code)) table[code] = CharClass.Han;
  }
  return table;
}
