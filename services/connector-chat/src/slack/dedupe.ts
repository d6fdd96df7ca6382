/**
 * Slack retries an event it thinks we missed (x-slack-retry-num) and now and then delivers one
 * event_id twice. Ids of recently handled events are remembered (bounded, oldest forgotten first);
 * a duplicate arriving while the first is still being produced waits for that same attempt.
 */
export class RecentEvents {
  private readonly done = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly capacity = 2_000) {}

  /** Runs `work` once per id; a failed attempt is forgotten so Slack's retry can succeed. */
  async once(id: string, work: () => Promise<void>): Promise<'handled' | 'duplicate'> {
    if (this.done.has(id)) return 'duplicate';
    const running = this.inFlight.get(id);
    if (running) {
      await running;
      return 'duplicate';
    }
    const attempt = work();
    this.inFlight.set(id, attempt);
    try {
      await attempt;
      this.remember(id);
      return 'handled';
    } finally {
      this.inFlight.delete(id);
    }
  }

  /** Resolves when every attempt under way has finished, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.inFlight.values());
  }

  private remember(id: string): void {
    this.done.add(id);
    if (this.done.size > this.capacity) this.done.delete(this.done.values().next().value!);
  }
}
