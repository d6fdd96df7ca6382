import { addDays, compareDays, validDay, weekday, type Day } from './calendar.ts';
import { ZH_NUMERAL, parseNumber } from './numerals.ts';

/**
 * The words of dates and times, English and Chinese, each read into a piece: a day (resolved against
 * the day the message was sent), a part of the day, or a clock time. `times.ts` joins adjacent pieces
 * ("yesterday" + "at 3pm", `昨天` + `下午` + `三点`) into one time.
 */

export type Part = 'dawn' | 'morning' | 'noon' | 'afternoon' | 'evening' | 'night';

export interface Piece {
  day?: (today: Day) => Day | undefined;
  part?: Part;
  clock?: { hour: number; minute: number; meridiem?: 'am' | 'pm'; explicit: boolean };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const ZH_WEEKDAYS = '日一二三四五六';
const EN_COUNTS: Record<string, number> = { a: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7 };
const N = String.raw`(?:\d{1,2}|${ZH_NUMERAL}{1,3})`;

const relative = (days: number) => (today: Day) => addDays(today, -days);

/** A month and day without a year: the latest such day not after the message (customers write about the past). */
const monthDay = (month: number, day: number, year?: number) => (today: Day) => {
  if (year !== undefined) return validDay(year < 100 ? 2000 + year : year, month, day);
  const thisYear = validDay(today.year, month, day);
  return thisYear && compareDays(thisYear, today) <= 0 ? thisYear : validDay(today.year - 1, month, day);
};

/** The latest `target` weekday (0 = Sunday) on or before today; `before`: strictly before it. */
const lastWeekday = (target: number, before: boolean) => (today: Day) => {
  const back = (weekday(today) - target + 7) % 7;
  return addDays(today, back === 0 && before ? -7 : -back);
};

/** `上周三`: the Wednesday of the week before this one (weeks start on Monday). */
const previousWeeks = (target: number) => (today: Day) => {
  const iso = (d: number) => (d === 0 ? 7 : d);
  return addDays(today, iso(target) - iso(weekday(today)) - 7);
};

const PARTS_EN: Record<string, Part> = { morning: 'morning', afternoon: 'afternoon', evening: 'evening', night: 'night', tonight: 'evening' };
const PARTS_ZH: [RegExp, Part][] = [
  [/凌晨/, 'dawn'], [/中午/, 'noon'], [/下午|午后|午後/, 'afternoon'], [/傍晚|晚上|晚间|晚間|晚/, 'evening'], [/夜里|夜裡|半夜|深夜|夜/, 'night'], [/./, 'morning'],
];
const zhPart = (word: string): Part => PARTS_ZH.find(([re]) => re.test(word))![1];

function zhClock(hour: string, rest: string | undefined, suffix: string | undefined): Piece['clock'] | undefined {
  const h = parseNumber(hour);
  const minute = rest === '半' ? 30 : rest === '一刻' ? 15 : rest === '三刻' ? 45 : rest ? parseNumber(rest) : 0;
  if (h === undefined || minute === undefined || h > 24 || minute > 59) return undefined;
  // `一点` is also "a little" (快一点): a clock in Chinese numerals needs 钟/分/半 or a day or part of the day beside it.
  const explicit = /^\d/.test(hour) || Boolean(rest) || Boolean(suffix);
  return { hour: h, minute, explicit };
}

function enClock(hour: string, minute: string | undefined, meridiem: string | undefined, explicit: boolean): Piece['clock'] | undefined {
  const h = Number(hour);
  const m = minute ? Number(minute) : 0;
  if (h > 24 || m > 59 || (meridiem && (h === 0 || h > 12))) return undefined;
  return { hour: h, minute: m, ...(meridiem ? { meridiem: meridiem.startsWith('a') ? ('am' as const) : ('pm' as const) } : {}), explicit };
}

export const TIME_WORDS: [RegExp, (m: RegExpExecArray) => Piece | undefined][] = [
  [/\b(?:the day before yesterday)\b/gi, () => ({ day: relative(2) })],
  [/\byesterday\b/gi, () => ({ day: relative(1) })],
  [/\blast night\b/gi, () => ({ day: relative(1), part: 'night' })],
  [/\btoday\b/gi, () => ({ day: relative(0) })],
  [/\b(?:this (morning|afternoon|evening)|(tonight))\b/gi, (m) => ({ day: relative(0), part: PARTS_EN[(m[1] ?? m[2])!.toLowerCase()]! })],
  [/\b(?:in the )?(morning|afternoon|evening|night)\b/gi, (m) => ({ part: PARTS_EN[m[1]!.toLowerCase()]! })],
  [/\b(\d{1,2}|a|one|two|three|four|five|six|seven) days? ago\b/gi, (m) => ({ day: relative(EN_COUNTS[m[1]!.toLowerCase()] ?? Number(m[1])) })],
  [new RegExp(String.raw`\b(?:(last|on|this) )?(${WEEKDAYS.join('|')})\b`, 'gi'), (m) => ({ day: lastWeekday(WEEKDAYS.indexOf(m[2]!.toLowerCase()), m[1]?.toLowerCase() === 'last') })],
  [new RegExp(String.raw`\b(?:on )?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(${MONTH})\.?(?:,?\s+(\d{4}))?\b`, 'gi'), (m) => ({ day: monthDay(MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1, Number(m[1]), m[3] ? Number(m[3]) : undefined) })],
  [new RegExp(String.raw`\b(?:on )?(${MONTH})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b`, 'gi'), (m) => ({ day: monthDay(MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()) + 1, Number(m[2]), m[3] ? Number(m[3]) : undefined) })],
  [/\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/g, (m) => ({ day: monthDay(Number(m[2]), Number(m[3]), Number(m[1])) })],
  // Month first (`12/05`), as in China and the US; one side of two digits, so `1/2` stays a fraction.
  [/(?<![\d/.])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])/g, (m) => (m[1]!.length + m[2]!.length < 3 ? undefined : { day: monthDay(Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : undefined) })],
  [/\b(?:at\s+|around\s+|about\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)(?![A-Za-z])/gi, (m) => piece(enClock(m[1]!, m[2], m[3]?.toLowerCase(), true))],
  [/(?<![\d:.])(?:(?:at|around|about)\s+)?([01]?\d|2[0-3]):([0-5]\d)(?![\d:])/gi, (m) => piece(enClock(m[1]!, m[2], undefined, true))],
  [/\bat\s+(\d{1,2})(?:\s*o'clock)?(?![\d:.%])\b/gi, (m) => piece(enClock(m[1]!, undefined, undefined, /o'clock/i.test(m[0])))],
  [/\b(?:at\s+)?(noon|midnight)\b/gi, (m) => ({ clock: { hour: m[1]!.toLowerCase() === 'noon' ? 12 : 0, minute: 0, explicit: true } })],
  [/今天|今日|今早|今晚/g, (m) => ({ day: relative(0), ...(m[0].length > 1 && m[0] !== '今天' && m[0] !== '今日' ? { part: zhPart(m[0].slice(1)) } : {}) })],
  [/昨天|昨日|昨晚|昨夜|昨早/g, (m) => ({ day: relative(1), ...(m[0] === '昨天' || m[0] === '昨日' ? {} : { part: zhPart(m[0].slice(1)) }) })],
  [/大前天|前天|前日/g, (m) => ({ day: relative(m[0] === '大前天' ? 3 : 2) })],
  [new RegExp(String.raw`(${N})\s*天前`, 'g'), (m) => (parseNumber(m[1]!) === undefined ? undefined : { day: relative(parseNumber(m[1]!)!) })],
  [new RegExp(String.raw`(上)?(?:周|週|星期|礼拜|禮拜)([${ZH_WEEKDAYS}天])`, 'g'), (m) => {
    const target = m[2] === '天' ? 0 : ZH_WEEKDAYS.indexOf(m[2]!);
    return { day: m[1] ? previousWeeks(target) : lastWeekday(target, false) };
  }],
  [new RegExp(String.raw`(?:(\d{4})\s*年\s*)?(${N})\s*月\s*(${N})\s*(?:日|号|號)`, 'g'), (m) => {
    const [month, day] = [parseNumber(m[2]!), parseNumber(m[3]!)];
    return month && day ? { day: monthDay(month, day, m[1] ? Number(m[1]) : undefined) } : undefined;
  }],
  [/凌晨|早上|早晨|清晨|上午|中午|下午|午后|午後|傍晚|晚上|晚间|晚間|夜里|夜裡|半夜|深夜/g, (m) => ({ part: zhPart(m[0]) })],
  [new RegExp(String.raw`(${N})\s*(?:点|點|时|時)(钟|鐘)?(?:(半|一刻|三刻)|(${N})\s*分?)?`, 'g'), (m) => piece(zhClock(m[1]!, m[3] ?? m[4], m[2]))],
];

const piece = (clock: Piece['clock'] | undefined): Piece | undefined => (clock ? { clock } : undefined);
