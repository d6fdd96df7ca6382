import { describe, expect, it } from 'vitest';
import { calendarDayIn, isTimeZone, offsetAtWallTime, zoneOffsetMs } from '../src/index.ts';

const HOUR = 3_600_000;

describe('time zones', () => {
  it('knows IANA zones and refuses others', () => {
    expect([isTimeZone('Asia/Shanghai'), isTimeZone('America/New_York'), isTimeZone('Mars/Olympus')]).toEqual([true, true, false]);
  });
  it('gives the calendar day where the zone is, not in UTC', () => {
    const at = new Date('2026-12-06T17:00:00Z');
    expect(calendarDayIn(at, 'Asia/Shanghai')).toEqual({ year: 2026, month: 12, day: 7 });
    expect(calendarDayIn(at, 'UTC')).toEqual({ year: 2026, month: 12, day: 6 });
  });
  it('finds the offset in force at a wall-clock time, across a DST change', () => {
    expect(zoneOffsetMs(Date.parse('2026-12-07T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * HOUR);
    // New York moves from -5 h to -4 h at 02:00 local on 8 March 2026.
    expect(offsetAtWallTime({ year: 2026, month: 3, day: 8 }, 60, 'America/New_York')).toBe(-5 * HOUR);
    expect(offsetAtWallTime({ year: 2026, month: 3, day: 8 }, 3 * 60 + 30, 'America/New_York')).toBe(-4 * HOUR);
  });
});
