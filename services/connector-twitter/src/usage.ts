import { counter, gauge } from '@switchboard/runtime';
import { RESOURCES, isRead, type Prices, type Resource } from './prices.ts';

const unitsTotal = counter('switchboard_connector_billable_units_total', 'Billable API units a connector used (reads per resource returned, deduplicated per UTC day; writes per request).');
const spendTotal = counter('switchboard_connector_spend_usd_total', 'Estimated US dollars a connector spent on billable API units, at its configured prices.');
const spendToday = gauge('switchboard_connector_spend_today_usd', 'Estimated US dollars spent since midnight UTC, and the daily budget when one is set.');

/** A day's usage as it is saved (checkpoint) and shown (health). */
export interface UsageSnapshot {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  units: Partial<Record<Resource, number>>;
  costUsd: number;
}

const utcDay = (at: Date) => at.toISOString().slice(0, 10);
const cents = (usd: number) => Math.round(usd * 10_000) / 10_000;

/**
 * Counts what X bills and what it costs, per UTC day: a resource read twice in a day is billed once
 * (X deduplicates within the UTC day), a write per request. When a daily budget is set and spent,
 * `exhausted` turns true until midnight UTC: the pollers pause; sends are still counted.
 */
export class UsageMeter {
  private current: UsageSnapshot;
  private readonly seen = new Set<string>();

  constructor(
    private readonly connector: string,
    private readonly prices: Prices,
    readonly budgetUsd: number | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.current = { day: utcDay(now()), units: {}, costUsd: 0 };
  }

  /** Resources of `resource` returned to `account`; ids already billed today are free. */
  read(account: string, resource: Resource, ids: readonly string[]): void {
    this.rollOver();
    const fresh = ids.filter((id) => {
      const key = `${resource}:${id}`;
      if (this.seen.has(key)) return false;
      this.seen.add(key);
      return true;
    });
    this.add(account, resource, fresh.length);
  }

  /** One billed request (a post or a DM sent). */
  write(account: string, resource: Resource): void {
    this.rollOver();
    this.add(account, resource, 1);
  }

  get exhausted(): boolean {
    this.rollOver();
    return this.budgetUsd !== undefined && this.current.costUsd >= this.budgetUsd;
  }

  /** When the budget opens again: the next midnight UTC. */
  get reopensAt(): Date {
    const next = new Date(`${this.current.day}T00:00:00.000Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    return next;
  }

  snapshot(): UsageSnapshot {
    this.rollOver();
    return { day: this.current.day, units: { ...this.current.units }, costUsd: cents(this.current.costUsd) };
  }

  /** Today's usage saved before a restart, so a restart does not reopen a spent budget. */
  restore(saved: Partial<UsageSnapshot> | undefined): void {
    if (!saved || saved.day !== utcDay(this.now()) || typeof saved.costUsd !== 'number') return;
    const units: Partial<Record<Resource, number>> = {};
    for (const resource of RESOURCES) if (typeof saved.units?.[resource] === 'number') units[resource] = saved.units[resource];
    this.current = { day: saved.day, units, costUsd: saved.costUsd };
    this.publish();
  }

  /** For health: reads and writes of the day, the cost and the budget. */
  summary(): { day: string; reads: Partial<Record<Resource, number>>; writes: Partial<Record<Resource, number>>; costUsd: number; budgetUsd?: number } {
    const { day, units, costUsd } = this.snapshot();
    const pick = (read: boolean) => Object.fromEntries(Object.entries(units).filter(([r]) => isRead(r as Resource) === read));
    return { day, reads: pick(true), writes: pick(false), costUsd, ...(this.budgetUsd !== undefined ? { budgetUsd: this.budgetUsd } : {}) };
  }

  private add(account: string, resource: Resource, units: number): void {
    if (units === 0) return;
    const cost = units * this.prices[resource];
    this.current.units[resource] = (this.current.units[resource] ?? 0) + units;
    this.current.costUsd += cost;
    unitsTotal.inc({ connector: this.connector, account, resource }, units);
    spendTotal.inc({ connector: this.connector, account }, cost);
    this.publish();
  }

  private publish(): void {
    spendToday.set({ connector: this.connector, kind: 'spent' }, cents(this.current.costUsd));
    if (this.budgetUsd !== undefined) spendToday.set({ connector: this.connector, kind: 'budget' }, this.budgetUsd);
  }

  private rollOver(): void {
    const today = utcDay(this.now());
    if (today === this.current.day) return;
    this.current = { day: today, units: {}, costUsd: 0 };
    this.seen.clear();
    this.publish();
  }
}
