/**
 * Runs `work` now and then again `intervalMs` after each run finishes (never two at once). The
 * interval may change between runs: a conversation polls faster while a reply is on its way.
 */
export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private running = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly intervalMs: () => number,
  ) {}

  start(): this {
    void this.tick();
    return this;
  }

  /** Runs now (after a user action) instead of waiting for the next tick. */
  async now(): Promise<void> {
    clearTimeout(this.timer);
    await this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    try {
      await this.work();
    } finally {
      this.running = false;
      if (!this.stopped) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.tick(), this.intervalMs());
      }
    }
  }
}
