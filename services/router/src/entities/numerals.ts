/**
 * Chinese numerals as people write them in amounts and clock times: 一百二十, 两千五, 十五, 三点.
 * Up to 亿 (1e8), which is more than any wallet amount a customer types.
 */

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 兩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const GROUPS: Record<string, number> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000, 億: 100_000_000 };

/** One or more Chinese numeral characters, for building patterns. */
export const ZH_NUMERAL = '[零〇一二两兩三四五六七八九十拾百佰千仟万萬亿億]';

/** The value of a Chinese numeral, or undefined when it is not one (`一百二十` → 120, `两千五` → 2500). */
export function parseChineseNumber(text: string): number | undefined {
  if (!text || ![...text].every((c) => c in DIGITS || c in UNITS || c in GROUPS)) return undefined;
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  let lastUnit = 1;
  for (const c of text) {
    if (c in DIGITS) {
      digit = DIGITS[c]!;
      continue;
    }
    if (c in UNITS) {
      const unit = UNITS[c]!;
      // 十五: a unit with no digit before it means one of it.
      section += (digit ?? 1) * unit;
      lastUnit = unit;
      digit = undefined;
      continue;
    }
    const group = GROUPS[c]!;
    total = (total + section + (digit ?? 0)) * group;
    section = 0;
    digit = undefined;
    lastUnit = group;
  }
  if (digit !== undefined) {
    // 两千五 is 2,500: a trailing digit after a unit counts one place below it (not after 零: 一百零五 is 105).
    const abbreviated = lastUnit >= 100 && !text.endsWith(`零${[...text].at(-1)}`);
    section += abbreviated ? (digit * lastUnit) / 10 : digit;
  }
  return total + section;
}

/** Arabic or Chinese digits to a number (`3`, `三`, `十二`). */
export function parseNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  return parseChineseNumber(text);
}
