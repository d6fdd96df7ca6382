/** At most `limit` events per `windowMs` for each key (a session, a connection). */
export class SlidingWindowLimiter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    /** Past this many keys, keys with no event inside the window are swept. */
    private readonly sweepAbove = 10_000,
  ) {}

  /** Records an event when allowed; otherwise says how long until the next one would be. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = this.now();
    if (this.events.size > this.sweepAbove) this.sweep(now);
    const recent = (this.events.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.events.set(key, recent);
      return { allowed: false, retryAfterMs: recent[0]! + this.windowMs - now };
    }
    recent.push(now);
    this.events.set(key, recent);
    return { allowed: true };
  }

  forget(key: string): void {
    this.events.delete(key);
  }

  get size(): number {
    return this.events.size;
  }

  private sweep(now: number): void {
    for (const [key, times] of this.events) if ((times.at(-1) ?? 0) <= now - this.windowMs) this.events.delete(key);
  }
}

/** Open connections per client address, capped. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  tryOpen(address: string): boolean {
    const count = this.open.get(address) ?? 0;
    if (count >= this.max) return false;
    this.open.set(address, count + 1);
    return true;
  }

  close(address: string): void {
    const count = (this.open.get(address) ?? 1) - 1;
    if (count <= 0) this.open.delete(address);
    else this.open.set(address, count);
  }
}
