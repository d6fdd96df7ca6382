/**
 * Business hours in a time zone, with holidays: how much working time lies between two instants, and
 * which instant lies some working time after another. Pure; the zone's offsets (DST included) come from
 * Intl (the runtime's time-zone module), so no time-zone data ships with the code.
 */
import { calendarDayIn, isTimeZone, offsetAtWallTime } from '@switchboard/runtime';
export interface BusinessCalendar {
  timeZone: string;
  /** Working hours per weekday, 0 = Sunday, as minutes from local midnight; undefined: closed all day. */
  week: readonly (readonly [open: number, close: number] | undefined)[];
  /** Local dates (YYYY-MM-DD) with no working hours. */
  holidays: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

function localDateOf(instant: number, timeZone: string): LocalDate {
  const { year, month, day } = calendarDayIn(new Date(instant), timeZone);
  return { y: year, m: month, d: day };
}

/** The instant of a local wall time (minutes after local midnight) on a local date. */
function instantOf(date: LocalDate, minutes: number, timeZone: string): number {
  const day = { year: date.y, month: date.m, day: date.d };
  return Date.UTC(date.y, date.m - 1, date.d) + minutes * 60_000 - offsetAtWallTime(day, minutes, timeZone);
}

function nextDate(date: LocalDate): LocalDate {
  const next = new Date(Date.UTC(date.y, date.m - 1, date.d) + DAY_MS);
  return { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() };
}

const isoDate = (date: LocalDate) => `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;

/** That day's working hours as instants, or undefined when it is closed. */
function workingWindow(date: LocalDate, calendar: BusinessCalendar): [number, number] | undefined {
  if (calendar.holidays.has(isoDate(date))) return undefined;
  const hours = calendar.week[new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay()];
  if (!hours) return undefined;
  return [instantOf(date, hours[0], calendar.timeZone), instantOf(date, hours[1], calendar.timeZone)];
}

/** Working milliseconds in [from, to). */
export function businessMsBetween(from: number, to: number, calendar: BusinessCalendar): number {
  if (to <= from) return 0;
  let total = 0;
  let date = localDateOf(from, calendar.timeZone);
  // One more day than the span covers, for a window that starts before `from` in local time.
  for (let i = 0, days = Math.ceil((to - from) / DAY_MS) + 2; i < days; i++, date = nextDate(date)) {
    const window = workingWindow(date, calendar);
    if (window) total += Math.max(0, Math.min(to, window[1]) - Math.max(from, window[0]));
  }
  return total;
}

export class NoWorkingHoursError extends Error {
  override readonly name = 'NoWorkingHoursError';
}

/** The instant `amount` working milliseconds after `from` (never inside a closed day or a holiday). */
export function addBusinessMs(from: number, amount: number, calendar: BusinessCalendar): number {
  let left = amount;
  let date = localDateOf(from, calendar.timeZone);
  // Three years of days: a calendar with no working hours in that span is a configuration mistake.
  for (let i = 0; i < 1100; i++, date = nextDate(date)) {
    const window = workingWindow(date, calendar);
    if (!window || window[1] <= from) continue;
    const start = Math.max(from, window[0]);
    if (start + left <= window[1]) return start + left;
    left -= window[1] - start;
  }
  throw new NoWorkingHoursError(`the business calendar of ${calendar.timeZone} has no working hours for three years`);
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof DAYS)[number];

/** `"09:00-18:00"` → [540, 1080]. */
export function parseHours(text: string): [number, number] {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a working-hours range like 09:00-18:00`);
  const [open, close] = [Number(match[1]) * 60 + Number(match[2]), Number(match[3]) * 60 + Number(match[4])];
  if (open >= close || close > 24 * 60) throw new Error(`"${text}": the range must open before it closes, within one day`);
  return [open, close];
}

export function calendarOf(spec: { timeZone: string; hours: Partial<Record<Weekday, string | null>>; holidays: readonly string[] }): BusinessCalendar {
  // Refused at configuration time rather than at the first SLA reading.
  if (!isTimeZone(spec.timeZone)) throw new RangeError(`Invalid time zone specified: ${spec.timeZone}`);
  return {
    timeZone: spec.timeZone,
    week: DAYS.map((day) => (spec.hours[day] ? parseHours(spec.hours[day]!) : undefined)),
    holidays: new Set(spec.holidays),
  };
}
