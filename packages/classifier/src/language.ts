import type { Language } from '@switchboard/schema';
import { SIMPLIFIED_ONLY, TRADITIONAL_ONLY } from './chinese-variants.ts';
import { isHan } from './normalize.ts';

/** Above this share of Han characters among letters, a message is Chinese even with English words in it. */
const HAN_SHARE_FOR_CHINESE = 0.3;
/** Share of Latin words that must be common English words for a Latin message to be English. */
const ENGLISH_WORD_SHARE = 0.3;

/**
 * Frequent English words and the wallet's own vocabulary: a Latin message that uses some of them
 * is English; Spanish, Malay or Indonesian messages mostly do not.
 */
const ENGLISH_WORDS = new Set(
  `a about account after again all am an and any app are as at back bank be been but by can card cant
  charge charged could day did didnt do does dont for from get got had has have hello help hey hi how
  i im if in is it its just me money my need no not now of on or our payment please refund so still
  that the their there they this to transfer u ur was we what when where why will with would yet you
  your thanks thank pls plz why wallet fee fees rate money sent send pay paid ok hasnt isnt wont`.split(/\s+/),
);

/**
 * Decides the language from the script: Han characters → Chinese, told apart as Simplified or
 * Traditional by the characters only one of the two scripts uses; mostly-ASCII text with common
 * English words → English; anything else → other.
 */
export function detectLanguage(text: string): Language {
  // One counter per script, indexed by the table: no branch per character.
  const counts = SCRIPT_COUNTS.fill(0);
  for (let i = 0; i < text.length; i++) counts[SCRIPT_OF[text.charCodeAt(i)]!]!++;
  const latinLetters = counts[Script.Latin]!;
  const otherLetters = counts[Script.OtherLetter]!;
  const traditional = counts[Script.HanTraditional]!;
  const simplified = counts[Script.HanSimplified]!;
  const han = counts[Script.Han]! + traditional + simplified;
  const letters = han + latinLetters + otherLetters;
  if (letters === 0) return 'other';
  // Latin letters count per word, not per letter, against Han characters, which are words of their own.
  if (han > 0 && han / (han + latinLetters / 4 + otherLetters) >= HAN_SHARE_FOR_CHINESE) {
    return traditional > simplified ? 'zh-Hant' : 'zh-Hans';
  }
  if (otherLetters > latinLetters) return 'other';
  return looksEnglish(text) ? 'en' : 'other';
}

const enum Script {
  None = 0,
  Latin = 1,
  OtherLetter = 2,
  Han = 3,
  HanTraditional = 4,
  HanSimplified = 5,
}

/** One lookup per UTF-16 unit instead of range tests and set look-ups: detection runs on every message. */
const SCRIPT_OF = buildScriptTable();
const SCRIPT_COUNTS = new Int32Array(Script.HanSimplified + 1);

function buildScriptTable(): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let code = 0; code < 0x10000; code++) {
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) table[code] = Script.Latin;
    else if (isNonLatinLetter(code)) table[code] = Script.OtherLetter;
    else if (TRADITIONAL_ONLY.has(code)) table[code] = Script.HanTraditional;
    else if (SIMPLIFIED_ONLY.has(code)) table[code] = Script.HanSimplified;
    else if (isHan(code)) table[code] = Script.Han;
  }
  return table;
}

/**
 * The words of `text.toLowerCase()` with apostrophes removed, as /[a-z]+/g finds them, counted
 * against ENGLISH_WORDS without building a string: each word is hashed as it is read and
 * confirmed letter by letter against the listed word with that hash.
 */
function looksEnglish(text: string): boolean {
  let words = 0;
  let english = 0;
  let hash = FNV_OFFSET;
  let wordStart = -1;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x20;
    if (code === 0x27 || code === 0x2019) continue;
    const letter = ASCII_LOWER[code]!;
    if (letter !== 0) {
      if (wordStart < 0) {
        wordStart = i;
        hash = FNV_OFFSET;
      }
      hash = Math.imul(hash ^ letter, FNV_PRIME);
      // "İ" lower-cases to "i" and a combining dot, which ends the word.
      if (!ENDS_WORD_AFTER[code]) continue;
      i++;
    }
    if (wordStart < 0) continue;
    words++;
    if (isEnglishWord(text, wordStart, i, hash)) english++;
    wordStart = -1;
    if (letter !== 0) i--;
  }
  if (words === 0) return false;
  return english / words >= ENGLISH_WORD_SHARE || (words <= 2 && english > 0);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;

/** The a–z letter a UTF-16 unit lower-cases to (as String.prototype.toLowerCase does), else 0. */
const ASCII_LOWER = new Uint8Array(0x10000);
/** The unit lower-cases to more than one unit, the rest of which are not a–z. */
const ENDS_WORD_AFTER = new Uint8Array(0x10000);
for (let code = 0; code < 0x10000; code++) {
  if (code >= 0xd800 && code <= 0xdfff) continue;
  const lower = String.fromCharCode(code).toLowerCase();
  const first = lower.charCodeAt(0);
  if (first < 0x61 || first > 0x7a) continue;
  ASCII_LOWER[code] = first;
  if (lower.length > 1) ENDS_WORD_AFTER[code] = 1;
}

function hashWord(word: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), FNV_PRIME);
  return hash;
}

/** Open addressing over the word hashes: slot → index into ENGLISH_WORD_LIST + 1 (0 = empty). */
const ENGLISH_WORD_LIST = [...ENGLISH_WORDS];
const WORD_TABLE_MASK = 1023;
const WORD_TABLE = new Uint16Array(WORD_TABLE_MASK + 1);
ENGLISH_WORD_LIST.forEach((word, index) => {
  let slot = hashWord(word) & WORD_TABLE_MASK;
  while (WORD_TABLE[slot] !== 0) slot = (slot + 1) & WORD_TABLE_MASK;
  WORD_TABLE[slot] = index + 1;
});

function isEnglishWord(text: string, start: number, end: number, hash: number): boolean {
  for (let slot = hash & WORD_TABLE_MASK; WORD_TABLE[slot] !== 0; slot = (slot + 1) & WORD_TABLE_MASK) {
    const word = ENGLISH_WORD_LIST[WORD_TABLE[slot]! - 1]!;
    let position = 0;
    let matches = true;
    for (let i = start; i < end && matches; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x27 || code === 0x2019) continue;
      matches = position < word.length && ASCII_LOWER[code] === word.charCodeAt(position++);
    }
    if (matches && position === word.length) return true;
  }
  return false;
}

/** Accented Latin, Greek, Cyrillic, Arabic, Indic, Thai..., kana and Hangul: letters of other languages. */
function isNonLatinLetter(code: number): boolean {
  return (
    (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) ||
    (code >= 0x370 && code <= 0x1fff) ||
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0xac00 && code <= 0xd7af)
  );
}
