import { describe, expect, it } from 'vitest';
import { readSla, SlaPolicyFile, slaPolicyOf, type TicketTimes } from '../src/sla.ts';

// Defaults: Asia/Shanghai, Mon-Fri 09:00-18:00; first response normal 240 min, urgent 30; resolution normal 1920.
const policy = slaPolicyOf(SlaPolicyFile.parse({ byCategory: { security: { firstResponseMinutes: { normal: 15 } } } }));
const d = (iso: string) => new Date(iso);
const ticket = (over: Partial<TicketTimes> = {}): TicketTimes => ({ createdAt: d('2026-12-07T09:00:00+08:00'), priority: 'normal', category: 'refund', status: 'open', pauses: [], ...over });

describe('SLA clocks', () => {
  it.each([
    ['fresh', ticket(), '2026-12-07T10:00:00+08:00', 'running', 60, '2026-12-07T13:00:00+08:00'],
    ['past the warning share', ticket(), '2026-12-07T12:20:00+08:00', 'warning', 200, '2026-12-07T13:00:00+08:00'],
    ['breached', ticket(), '2026-12-07T13:01:00+08:00', 'breached', 241, undefined],
    ['answered in time', ticket({ firstResponseAt: d('2026-12-07T11:00:00+08:00') }), '2026-12-08T10:00:00+08:00', 'met', 120, undefined],
    ['answered late', ticket({ firstResponseAt: d('2026-12-07T16:00:00+08:00') }), '2026-12-08T10:00:00+08:00', 'breached', 420, undefined],
    ['opened on a Friday evening, read on Monday morning', ticket({ createdAt: d('2026-12-11T19:00:00+08:00') }), '2026-12-14T10:00:00+08:00', 'running', 60, '2026-12-14T13:00:00+08:00'],
    ['urgent', ticket({ priority: 'urgent' }), '2026-12-07T09:20:00+08:00', 'running', 20, '2026-12-07T09:30:00+08:00'],
    ['a category with its own target', ticket({ category: 'security' }), '2026-12-07T09:20:00+08:00', 'breached', 20, undefined],
  ])('first response: %s', (_what, t, now, state, elapsed, due) => {
    expect(readSla(t, policy, d(now)).firstResponse).toEqual({ state, targetMinutes: expect.any(Number), elapsedMinutes: elapsed, ...(due ? { dueAt: new Date(due).toISOString() } : {}) });
  });

  it('pauses the resolution clock while the ticket waits on the customer', () => {
    const waiting = ticket({ status: 'pending', firstResponseAt: d('2026-12-07T10:00:00+08:00'), pauses: [{ from: d('2026-12-07T10:00:00+08:00') }] });
    expect(readSla(waiting, policy, d('2026-12-09T10:00:00+08:00')).resolution).toEqual({ state: 'paused', targetMinutes: 1920, elapsedMinutes: 60 });
    const back = ticket({ status: 'open', pauses: [{ from: d('2026-12-07T10:00:00+08:00'), to: d('2026-12-08T10:00:00+08:00') }] });
    expect(readSla(back, policy, d('2026-12-08T11:00:00+08:00')).resolution).toMatchObject({ state: 'running', elapsedMinutes: 120 });
  });

  it('stops the resolution clock when resolved, and counts nothing of the time resolved before a reopening', () => {
    const resolved = ticket({ status: 'resolved', resolvedAt: d('2026-12-07T17:00:00+08:00') });
    expect(readSla(resolved, policy, d('2026-12-20T10:00:00+08:00')).resolution).toEqual({ state: 'met', targetMinutes: 1920, elapsedMinutes: 480 });
    const reopened = ticket({ status: 'open', pauses: [{ from: d('2026-12-07T17:00:00+08:00'), to: d('2026-12-09T09:00:00+08:00') }] });
    expect(readSla(reopened, policy, d('2026-12-09T10:00:00+08:00')).resolution).toMatchObject({ state: 'running', elapsedMinutes: 540 });
  });

  it('refuses a policy file with unknown keys', () => {
    expect(() => SlaPolicyFile.parse({ firstResponse: { normal: 1 } })).toThrow();
  });
});
