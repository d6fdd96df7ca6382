import type { MoneyAmount } from '@switchboard/schema';
import { ZH_NUMERAL, parseChineseNumber, parseNumber } from './numerals.ts';
import { collect, quote, type Claims, type Found, type Prepared } from './spans.ts';

/**
 * Amounts of money, English and Chinese: `38.50 CNY`, `¥38.5`, `38块5`, `38元5角`, `USD 200`,
 * `200美元`, `HK$ 120`, `$12.99`, `RMB 1,200.00`, `一百二十元`. A bare number counts only right after
 * a verb of paying (`charged 38.50`, `扣了38.5`), and then without a currency: phone numbers, years
 * and dates of birth carry neither, so they are never read as money.
 */

const ISO_CODES = new Set(['CNY', 'USD', 'HKD', 'EUR', 'GBP', 'JPY', 'TWD', 'SGD', 'MOP', 'AUD', 'CAD', 'KRW', 'THB', 'MYR', 'CHF', 'NZD']);
const CODE_ALIASES: Record<string, string> = { RMB: 'CNY' };

// Longest first: `HK$` before `$`.
const SYMBOLS: [string, string][] = [
  ['HK$', 'HKD'], ['US$', 'USD'], ['NT$', 'TWD'], ['S$', 'SGD'], ['MOP$', 'MOP'], ['CN¥', 'CNY'], ['JP¥', 'JPY'],
  ['RMB¥', 'CNY'], ['¥', 'CNY'], ['￥', 'CNY'], ['$', 'USD'], ['€', 'EUR'], ['£', 'GBP'],
];
// Words for a currency, Simplified and Traditional; `元` and `块` alone are CNY (schema: `元` reads as CNY).
const WORDS: [string, string][] = [
  ['美元', 'USD'], ['美金', 'USD'], ['港币', 'HKD'], ['港幣', 'HKD'], ['港元', 'HKD'], ['港纸', 'HKD'], ['港紙', 'HKD'],
  ['新台币', 'TWD'], ['新台幣', 'TWD'], ['台币', 'TWD'], ['台幣', 'TWD'], ['澳门币', 'MOP'], ['澳門幣', 'MOP'], ['澳门元', 'MOP'], ['澳門元', 'MOP'],
  ['欧元', 'EUR'], ['歐元', 'EUR'], ['英镑', 'GBP'], ['英鎊', 'GBP'], ['日元', 'JPY'], ['日圓', 'JPY'], ['日圆', 'JPY'],
  ['人民币', 'CNY'], ['人民幣', 'CNY'], ['元', 'CNY'], ['块', 'CNY'], ['塊', 'CNY'], ['圆', 'CNY'], ['圓', 'CNY'],
  ['yuan', 'CNY'], ['kuai', 'CNY'], ['dollars', 'USD'], ['dollar', 'USD'], ['bucks', 'USD'], ['euros', 'EUR'], ['euro', 'EUR'],
];
const ZH_WORDS = WORDS.filter(([w]) => /^\p{Script=Han}/u.test(w));
const EN_WORDS = WORDS.filter(([w]) => /^[a-z]/.test(w));
const escape = (s: string) => s.replace(/[$.*+?^()[\]{}|\\]/g, '\\$&');
const alternation = (items: [string, string][]) => items.map(([w]) => escape(w)).join('|');
const currencyOf = (items: [string, string][], word: string) => items.find(([w]) => w.toLowerCase() === word.toLowerCase())?.[1];

const NUM = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d{1,4})?|\d+(?:\.\d{1,4})?`;
const ZH_DIGIT = '[零〇一二两兩三四五六七八九]';
// The 角 (dime) and 分 (cent) after 元/块: `38块5`, `38元5角2分`, `三十八块五毛`; not `100元2次`.
const TAIL = String.raw`(?:(?<jiao>\d|${ZH_DIGIT})(?:(?:角|毛)(?:(?<fen>\d|${ZH_DIGIT})分)?|(?![\d\p{L}])))?`;
const CODE = String.raw`[A-Za-z]{3}(?![A-Za-z])`;
const MAYBE_AMOUNT = new RegExp(String.raw`\d|${ZH_NUMERAL}`, 'u');
// Words that name a currency before the number: `人民币 1200`, `港币120`, not `元` alone.
const PREFIX_WORDS = ZH_WORDS.filter(([w]) => w.length > 1);

const BEFORE = new RegExp(String.raw`(?<![A-Za-z])(?<cur>${alternation(SYMBOLS)}|${CODE}|${alternation(PREFIX_WORDS)})\s?(?<num>${NUM})(?!\d)(?:\s?(?:元|块|塊))?`, 'gu');
const AFTER = new RegExp(String.raw`(?<![\d.,])(?<num>${NUM})\s?(?<cur>(?:${alternation(EN_WORDS)})(?![A-Za-z])|${CODE}|${alternation(ZH_WORDS)})${TAIL}`, 'giu');
const CHINESE = new RegExp(String.raw`(?<num>${ZH_NUMERAL}+)(?<cur>${alternation(ZH_WORDS)})${TAIL}`, 'gu');
// A bare number after a verb of paying: no currency, and not a count (`paid 2 times`, `付了3次`).
const PAID = new RegExp(String.raw`(?:\b(?:paid|charged|refunded|transferred|sent|debited|deducted|billed)\s+(?:me\s+|you\s+)?|(?:扣了|扣款|付了|支付了|转了|轉了|退了|收了|花了|充值了|充了))(?<num>${NUM})(?!\d|\s?(?:times|x\b|次|笔|筆|%|号|號|点|點|月|日|天|个|個))`, 'giu');

function decimal(raw: string): string | undefined {
  const value = raw.replace(/,/g, '');
  return /^\d{1,15}(\.\d{1,4})?$/.test(value) ? value : undefined;
}

/** `38` and the 角/分 tail `5`, `2` to `38.52`; a tail only after a whole number. */
function withTail(whole: string, jiao: string | undefined, fen: string | undefined): string {
  if (jiao === undefined && fen === undefined) return whole;
  if (whole.includes('.')) return whole;
  return `${whole}.${parseNumber(jiao ?? '0')}${fen !== undefined ? parseNumber(fen) : ''}`;
}

function codeCurrency(word: string): string | undefined {
  const upper = word.toUpperCase();
  return CODE_ALIASES[upper] ?? (ISO_CODES.has(upper) ? upper : undefined);
}

function readCurrency(word: string): string | undefined {
  return currencyOf(SYMBOLS, word) ?? currencyOf(WORDS, word) ?? codeCurrency(word);
}

export function findAmounts(text: Prepared, claims: Claims): Found<MoneyAmount>[] {
  // Every pattern needs a digit, Arabic or Chinese: most messages skip them all.
  if (!MAYBE_AMOUNT.test(text.read)) return [];
  const make = (value: string | undefined, currency: string | undefined, m: RegExpExecArray): MoneyAmount | undefined =>
    value === undefined ? undefined : { value, ...(currency ? { currency } : {}), text: quote(text, m.index, m.index + m[0].length) };
  const found = [
    ...collect(text, claims, BEFORE, (m) => {
      const currency = readCurrency(m.groups!.cur!);
      return currency ? make(decimal(m.groups!.num!), currency, m) : undefined;
    }),
    ...collect(text, claims, AFTER, (m) => {
      const { num, cur, jiao, fen } = m.groups!;
      const currency = readCurrency(cur!);
      const whole = decimal(num!);
      return currency && whole ? make(withTail(whole, jiao, fen), currency, m) : undefined;
    }),
    ...collect(text, claims, CHINESE, (m) => {
      const { num, cur, jiao, fen } = m.groups!;
      const whole = parseChineseNumber(num!);
      return whole === undefined || whole === 0 ? undefined : make(decimal(withTail(String(whole), jiao, fen)), readCurrency(cur!), m);
    }),
    ...collect(text, claims, PAID, (m) => {
      const value = decimal(m.groups!.num!);
      const start = m[0].length - m.groups!.num!.length;
      return value === undefined ? undefined : { value, text: quote(text, m.index + start, m.index + m[0].length) };
    }),
  ];
  return found.sort((a, b) => a.start - b.start);
}
