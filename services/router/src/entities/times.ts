import type { Entities } from '@switchboard/schema';
import { addDays, dayIn, isoDay, isoInstant, type Day } from './calendar.ts';
import { scan, quote, type Claims, type Found, type Prepared } from './spans.ts';
import { TIME_WORDS, type Part, type Piece } from './time-words.ts';

export type TimeEntity = Entities['times'][number];

/** What may stand between two pieces of one time: "yesterday at 3pm", "3pm, yesterday", `昨天的下午三点`. */
const JOINER = /^(?:\s|,|，|的|at|on|around|about|in the)*$/i;
// A date of birth is personal data, not when something happened to the customer's money.
const BIRTH = /(?:born|birth|dob|birthday|生日|出生|生于|生於)(?:\s|is|was|on|:|：|是|为|為|于|於|日期|date)*$/i;
const PM_PARTS: Part[] = ['afternoon', 'evening', 'night'];
const MAYBE_TIME = /\d|day|night|morning|afternoon|evening|ago|noon|[今昨前周週星礼禮月点點时時晨午晚夜]/i;

interface Group {
  start: number;
  end: number;
  piece: Piece;
}

/** Pieces in text order, a shorter one inside a longer one dropped ("yesterday" inside "the day before yesterday"). */
function pieces(text: Prepared): Found<Piece>[] {
  const all = TIME_WORDS.flatMap(([pattern, read]) => scan(text, pattern, read)).sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Found<Piece>[] = [];
  for (const p of all) if (!kept.some((k) => p.start < k.end && k.start < p.end)) kept.push(p);
  return kept;
}

/** Adjacent pieces of different kinds make one time; a second day, part or clock starts the next. */
function groups(text: Prepared, found: Found<Piece>[]): Group[] {
  const out: Group[] = [];
  for (const p of found) {
    const last = out.at(-1);
    const clash = last && ((last.piece.day && p.value.day) || (last.piece.part && p.value.part) || (last.piece.clock && p.value.clock));
    if (last && !clash && JOINER.test(text.read.slice(last.end, p.start))) {
      last.end = p.end;
      last.piece = { ...last.piece, ...p.value };
    } else out.push({ start: p.start, end: p.end, piece: { ...p.value } });
  }
  return out;
}

/** The clock's hour on a 24-hour dial, and whether it runs past midnight (`晚上12点`). */
function hour24(clock: NonNullable<Piece['clock']>, part: Part | undefined): { hour: number; nextDay: boolean } {
  const { hour, meridiem } = clock;
  if (meridiem === 'pm') return { hour: hour === 12 ? 12 : hour + 12, nextDay: false };
  if (meridiem === 'am') return { hour: hour === 12 ? 0 : hour, nextDay: false };
  if (hour === 24 || (hour === 12 && (part === 'evening' || part === 'night'))) return { hour: 0, nextDay: true };
  if (part === 'noon' && hour < 6) return { hour: hour + 12, nextDay: false };
  if (part && PM_PARTS.includes(part) && hour < 12 && !(part === 'night' && hour < 5)) return { hour: hour + 12, nextDay: false };
  return { hour, nextDay: false };
}

function resolve(group: Group, today: Day, timeZone: string): Omit<TimeEntity, 'text'> | undefined {
  const { day: resolver, part } = group.piece;
  // A clock in words that need context ("at 3", `一点`) without a part of the day is not read as a time.
  const clock = group.piece.clock && (group.piece.clock.explicit || group.piece.clock.meridiem || part) ? group.piece.clock : undefined;
  // A part of the day alone ("in the morning", `下午`) names no day.
  if (!resolver && !clock) return undefined;
  const day = resolver ? resolver(today) : today;
  if (!day) return undefined;
  if (!clock) return { date: isoDay(day) };
  const { hour, nextDay } = hour24(clock, part);
  const on = nextDay ? addDays(day, 1) : day;
  return { date: isoDay(on), at: isoInstant(on, hour, clock.minute, timeZone) };
}

/** Dates and times the text names, read against `sentAt` in `timeZone`. */
export function findTimes(text: Prepared, claims: Claims, sentAt: Date, timeZone: string): Found<TimeEntity>[] {
  // Most messages name no time: no pattern runs without a digit or a time word, no Intl call without a piece.
  if (!MAYBE_TIME.test(text.read)) return [];
  const found = pieces(text);
  if (found.length === 0) return [];
  const today = dayIn(sentAt, timeZone);
  const out: Found<TimeEntity>[] = [];
  for (const group of groups(text, found)) {
    if (BIRTH.test(text.read.slice(Math.max(0, group.start - 24), group.start))) continue;
    const resolved = resolve(group, today, timeZone);
    if (!resolved || !claims.take(group.start, group.end)) continue;
    out.push({ start: group.start, end: group.end, value: { text: quote(text, group.start, group.end), ...resolved } });
  }
  return out;
}
