/**
 * Wall clocks in a named time zone, with Intl only (no zone data ships with the code): the calendar
 * day an instant falls on there, and the instant of a wall-clock time there. Shared, so every
 * component that reads "yesterday" or business hours agrees on where the day starts.
 */

export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (an IANA name such as Asia/Shanghai). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(at: number, timeZone: string): Record<string, number> {
  const parts = formatter(timeZone).formatToParts(new Date(at));
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** How far the zone's clocks are ahead of UTC at `at`, in ms. */
export function zoneOffsetMs(at: number, timeZone: string): number {
  const c = wallClock(at, timeZone);
  return Date.UTC(c.year!, c.month! - 1, c.day!, c.hour!, c.minute!, c.second!) - Math.floor(at / 1000) * 1000;
}

export function calendarDayIn(at: Date, timeZone: string): CalendarDay {
  const { year, month, day } = wallClock(at.getTime(), timeZone);
  return { year: year!, month: month!, day: day! };
}

/** The offset in force at a wall-clock time of the zone (`minutes` after its local midnight on `day`). */
export function offsetAtWallTime(day: CalendarDay, minutes: number, timeZone: string): number {
  const wall = Date.UTC(day.year, day.month - 1, day.day) + minutes * 60_000;
  // Twice: near a DST change the offset at the guess differs from the offset at the answer.
  return zoneOffsetMs(wall - zoneOffsetMs(wall, timeZone), timeZone);
}
