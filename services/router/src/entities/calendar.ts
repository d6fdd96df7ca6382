import { calendarDayIn, offsetAtWallTime, type CalendarDay } from '@switchboard/runtime';

/**
 * Calendar days as the customer counts them: "yesterday", "two days ago", the last Monday, read in
 * the router's time zone, and the instant of "3pm" on one of them.
 */

export type Day = CalendarDay;
export const dayIn = calendarDayIn;

export function addDays(day: Day, days: number): Day {
  const d = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function weekday(day: Day): number {
  return new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay();
}

export function validDay(year: number, month: number, day: number): Day | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? { year, month, day } : undefined;
}

export function compareDays(a: Day, b: Day): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

export function isoDay(day: Day): string {
  return `${pad(day.year, 4)}-${pad(day.month)}-${pad(day.day)}`;
}

/** A wall-clock time on `day` in the zone, written with the zone's offset (`2026-12-06T15:00:00+08:00`). */
export function isoInstant(day: Day, hour: number, minute: number, timeZone: string): string {
  const offset = Math.round(offsetAtWallTime(day, hour * 60 + minute, timeZone) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  return `${isoDay(day)}T${pad(hour)}:${pad(minute)}:00${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}
