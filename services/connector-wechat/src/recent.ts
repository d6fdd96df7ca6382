/**
 * Ids seen lately, oldest forgotten first. WeChat retries an unanswered callback within seconds,
 * so a small window is enough to keep a retry from being emitted again; the deterministic message
 * id covers anything older.
 */
export class RecentIds {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly capacity = 2_048,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /** Whether the id was recorded within the window. */
  has(id: string, now = Date.now()): boolean {
    const at = this.seen.get(id);
    return at !== undefined && now - at < this.ttlMs;
  }

  /** True the first time an id is offered within the window; records it. */
  add(id: string, now = Date.now()): boolean {
    const at = this.seen.get(id);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.seen.delete(id);
    this.seen.set(id, now);
    while (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }
}
