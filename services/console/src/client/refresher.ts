/**
 * Runs `work` now or soon after a change was announced, never two at once, and a burst of changes (a
 * batch of new messages) as one run.
 */
export class Refresher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly settleMs = 150,
  ) {}

  /** Runs now (after a person's own action); a run in progress is followed by one more. */
  async now(): Promise<void> {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.work().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.now();
      }
    });
    return this.running;
  }

  /** Runs shortly, once for all the changes announced meanwhile. */
  soon(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.now();
    }, this.settleMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
