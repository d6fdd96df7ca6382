import { z } from 'zod';
import { Priority, PRIORITIES } from '@switchboard/schema';
import { addBusinessMs, businessMsBetween, calendarOf, type BusinessCalendar } from './calendar.ts';

const Minutes = z.number().int().positive();
const PerPriority = z.object(Object.fromEntries(PRIORITIES.map((p) => [p, Minutes])) as Record<Priority, typeof Minutes>);
const Hours = z.string().nullable();

/** The team's service levels: targets in business minutes per priority, overridden per category; the calendar they run on. */
export const SlaPolicyFile = z
  .object({
    timeZone: z.string().default('Asia/Shanghai'),
    hours: z
      .object({ mon: Hours, tue: Hours, wed: Hours, thu: Hours, fri: Hours, sat: Hours, sun: Hours })
      .partial()
      .default({ mon: '09:00-18:00', tue: '09:00-18:00', wed: '09:00-18:00', thu: '09:00-18:00', fri: '09:00-18:00' }),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
    firstResponseMinutes: PerPriority.default({ urgent: 30, high: 120, normal: 240, low: 480 }),
    resolutionMinutes: PerPriority.default({ urgent: 240, high: 960, normal: 1920, low: 4800 }),
    byCategory: z.record(z.string(), z.object({ firstResponseMinutes: PerPriority.partial().optional(), resolutionMinutes: PerPriority.partial().optional() })).default({}),
    /** A clock past this share of its target shows a warning. */
    warnAt: z.number().min(0.1).max(1).default(0.8),
  })
  .strict();
export type SlaPolicyFile = z.infer<typeof SlaPolicyFile>;

export interface SlaPolicy {
  calendar: BusinessCalendar;
  targetMinutes(clock: 'firstResponse' | 'resolution', priority: Priority, category: string): number;
  warnAt: number;
}

export function slaPolicyOf(file: SlaPolicyFile): SlaPolicy {
  return {
    calendar: calendarOf(file),
    warnAt: file.warnAt,
    targetMinutes(clock, priority, category) {
      const key = clock === 'firstResponse' ? 'firstResponseMinutes' : 'resolutionMinutes';
      return file.byCategory[category]?.[key]?.[priority] ?? file[key][priority];
    },
  };
}

/** What an SLA clock reads from a ticket. */
export interface TicketTimes {
  createdAt: Date;
  priority: Priority;
  category: string;
  status: 'open' | 'pending' | 'resolved';
  firstResponseAt?: Date;
  /** When the status last became `resolved`, while it is. */
  resolvedAt?: Date;
  /** Times it waited on the customer (pending) or stood resolved before reopening; `to` unset while it still does. */
  pauses: readonly { from: Date; to?: Date }[];
}

export type ClockState = 'met' | 'running' | 'warning' | 'breached' | 'paused';

export interface Clock {
  state: ClockState;
  targetMinutes: number;
  /** Business minutes used so far (or until the clock stopped). */
  elapsedMinutes: number;
  /** When the target is reached if nothing stops the clock; only while it runs. */
  dueAt?: string;
}

export interface SlaReading {
  firstResponse: Clock;
  resolution: Clock;
}

function clock(policy: SlaPolicy, target: number, started: number, stopped: number | undefined, now: number, pauses: TicketTimes['pauses'], pausedNow: boolean): Clock {
  const end = stopped ?? now;
  let used = businessMsBetween(started, end, policy.calendar);
  for (const pause of pauses) used -= businessMsBetween(Math.max(started, pause.from.getTime()), Math.min(end, pause.to?.getTime() ?? end), policy.calendar);
  const targetMs = target * 60_000;
  const elapsedMinutes = Math.round(used / 60_000);
  if (stopped !== undefined) return { state: used <= targetMs ? 'met' : 'breached', targetMinutes: target, elapsedMinutes };
  if (used > targetMs) return { state: 'breached', targetMinutes: target, elapsedMinutes };
  if (pausedNow) return { state: 'paused', targetMinutes: target, elapsedMinutes };
  const dueAt = new Date(addBusinessMs(now, targetMs - used, policy.calendar)).toISOString();
  return { state: used >= targetMs * policy.warnAt ? 'warning' : 'running', targetMinutes: target, elapsedMinutes, dueAt };
}

/**
 * The two clocks of a ticket at `now`: first response (from opening to the first agent reply) and
 * resolution (from opening to resolved, paused while it waits on the customer and while it stood
 * resolved before a reopening). Business time only.
 */
export function readSla(ticket: TicketTimes, policy: SlaPolicy, now: Date): SlaReading {
  const started = ticket.createdAt.getTime();
  const at = now.getTime();
  const target = (c: 'firstResponse' | 'resolution') => policy.targetMinutes(c, ticket.priority, ticket.category);
  return {
    firstResponse: clock(policy, target('firstResponse'), started, ticket.firstResponseAt?.getTime(), at, [], false),
    resolution: clock(policy, target('resolution'), started, ticket.status === 'resolved' ? ticket.resolvedAt?.getTime() ?? at : undefined, at, ticket.pauses, ticket.status === 'pending'),
  };
}
