/**
 * Who is online: a person with the console open (its live connection counts), or seen by the API in the
 * last few minutes. Per gateway process: a deployment with several gateways sees the agents connected to
 * each through its own; assignment reads it only where it runs.
 */
export class Presence {
  private readonly connections = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  private readonly listeners = new Set<(userId: string, online: boolean) => void>();

  constructor(private readonly recentMs = 2 * 60_000) {}

  connected(userId: string): () => void {
    const wasOnline = this.isOnline(userId);
    this.connections.set(userId, (this.connections.get(userId) ?? 0) + 1);
    if (!wasOnline) this.notify(userId, true);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.connections.get(userId) ?? 1) - 1;
      if (left > 0) this.connections.set(userId, left);
      else this.connections.delete(userId);
      this.seen.set(userId, Date.now());
      if (!this.isOnline(userId)) this.notify(userId, false);
    };
  }

  touch(userId: string): void {
    this.seen.set(userId, Date.now());
  }

  isOnline(userId: string, now = Date.now()): boolean {
    if ((this.connections.get(userId) ?? 0) > 0) return true;
    const last = this.seen.get(userId);
    return last !== undefined && now - last < this.recentMs;
  }

  /** Called when someone comes online or goes offline (the assigner replans then). */
  onChange(listener: (userId: string, online: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(userId: string, online: boolean): void {
    for (const listener of this.listeners) listener(userId, online);
  }
}
