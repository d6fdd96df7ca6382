import { describe, expect, it } from 'vitest';
import { addBusinessMs, businessMsBetween, calendarOf, parseHours } from '../src/calendar.ts';

const weekdays = { mon: '09:00-18:00', tue: '09:00-18:00', wed: '09:00-18:00', thu: '09:00-18:00', fri: '09:00-18:00' };
// 2026-12-07 is a Monday. Shanghai is UTC+8 all year.
const shanghai = calendarOf({ timeZone: 'Asia/Shanghai', hours: weekdays, holidays: ['2026-12-09'] });
const at = (iso: string) => Date.parse(iso);
const h = (hours: number) => hours * 3_600_000;

describe('business time in Asia/Shanghai (09:00-18:00 Mon-Fri, a Wednesday holiday)', () => {
  it.each([
    ['inside one working day', '2026-12-07T10:00:00+08:00', '2026-12-07T12:30:00+08:00', 2.5],
    ['before opening to after closing', '2026-12-07T07:00:00+08:00', '2026-12-07T20:00:00+08:00', 9],
    ['overnight', '2026-12-07T17:00:00+08:00', '2026-12-08T10:00:00+08:00', 2],
    ['across the holiday', '2026-12-08T17:00:00+08:00', '2026-12-10T10:00:00+08:00', 2],
    ['over a weekend', '2026-12-11T17:30:00+08:00', '2026-12-14T09:30:00+08:00', 1],
    ['a whole week', '2026-12-07T00:00:00+08:00', '2026-12-14T00:00:00+08:00', 36],
    ['backwards is nothing', '2026-12-08T10:00:00+08:00', '2026-12-07T10:00:00+08:00', 0],
  ])('%s', (_what, from, to, hours) => {
    expect(businessMsBetween(at(from), at(to), shanghai)).toBe(h(hours));
  });

  it.each([
    ['within the day', '2026-12-07T10:00:00+08:00', 2, '2026-12-07T12:00:00+08:00'],
    ['into the next day', '2026-12-07T17:00:00+08:00', 2, '2026-12-08T10:00:00+08:00'],
    ['over the holiday', '2026-12-08T17:00:00+08:00', 2, '2026-12-10T10:00:00+08:00'],
    ['from a Saturday', '2026-12-12T11:00:00+08:00', 1, '2026-12-14T10:00:00+08:00'],
    ['exactly to closing', '2026-12-07T09:00:00+08:00', 9, '2026-12-07T18:00:00+08:00'],
  ])('adds working time %s', (_what, from, hours, expected) => {
    expect(addBusinessMs(at(from), h(hours), shanghai)).toBe(at(expected));
  });

  it('follows daylight saving time where the zone has it', () => {
    // Berlin moves to summer time on 2026-03-29 (a Sunday): Monday 09:00 local is 07:00 UTC, the Friday before 08:00 UTC.
    const berlin = calendarOf({ timeZone: 'Europe/Berlin', hours: weekdays, holidays: [] });
    expect(addBusinessMs(at('2026-03-27T16:00:00Z'), h(2), berlin)).toBe(at('2026-03-30T08:00:00Z'));
    expect(businessMsBetween(at('2026-03-27T08:00:00Z'), at('2026-03-30T16:00:00Z'), berlin)).toBe(h(18));
  });

  it('refuses malformed hours and unknown zones', () => {
    expect(parseHours('09:30-17:15')).toEqual([570, 1035]);
    expect(() => parseHours('9-17')).toThrow(/working-hours range/);
    expect(() => parseHours('18:00-09:00')).toThrow(/open before it closes/);
    expect(() => calendarOf({ timeZone: 'Mars/Olympus', hours: weekdays, holidays: [] })).toThrow(RangeError);
  });
});
