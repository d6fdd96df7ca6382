/**
 * Sign-in attempts per client address in a sliding window: past the limit, 429 until the oldest attempt
 * leaves the window. The account lock (five wrong passwords) stops guessing one account; this stops one
 * address from trying many.
 */
export class AttemptLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records an attempt by `key`; the seconds to wait when it is one too many, else 0. */
  attempt(key: string, now = Date.now()): number {
    const recent = (this.attempts.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.attempts.set(key, recent);
      return Math.ceil((recent[0]! + this.windowMs - now) / 1000);
    }
    recent.push(now);
    this.attempts.set(key, recent);
    // Bounded memory: keys whose attempts all left the window go.
    if (this.attempts.size > 10_000) for (const [k, v] of this.attempts) if (v.every((at) => now - at >= this.windowMs)) this.attempts.delete(k);
    return 0;
  }
}
