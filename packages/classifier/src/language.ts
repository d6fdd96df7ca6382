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
  let han = 0;
  let traditional = 0;
  let simplified = 0;
  let latinLetters = 0;
  let otherLetters = 0;
  for (let i = 0; i < text.length; i++) {
    switch (SCRIPT_OF[text.charCodeAt(i)]! as Script) {
      case Script.None:
        break;
      case Script.Latin:
        latinLetters++;
        break;
      case Script.OtherLetter:
        otherLetters++;
        break;
      case Script.Han:
        han++;
        break;
      case Script.HanTraditional:
        han++;
        traditional++;
        break;
      case Script.HanSimplified:
        han++;
        simplified++;
        break;
    }
  }
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

function looksEnglish(text: string): boolean {
  const words = text.toLowerCase().replace(/['’]/g, '').match(/[a-z]+/g);
  if (!words) return false;
  let english = 0;
  for (const word of words) if (ENGLISH_WORDS.has(word)) english++;
  return english / words.length >= ENGLISH_WORD_SHARE || (words.length <= 2 && english > 0);
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
