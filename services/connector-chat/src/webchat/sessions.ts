import type { HistoryEntry, Profile } from './protocol.ts';

export interface Session {
  id: string;
  profile: Profile;
  /** The wallet's reference of the signed-in customer, when hello carried a valid identity token. */
  customerRef?: string;
  history: HistoryEntry[];
}

/**
 * Each session's history, in memory and bounded: at most `maxSessions` sessions (the least recently
 * active is dropped first) of at most `perSession` messages (the oldest dropped first). It is what a
 * reconnecting browser is shown (kept on disk by `HistoryJournal`); the durable record is the ticket
 * store, via Kafka.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly maxSessions: number,
    private readonly perSession: number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The session, created when unknown, and marked most recently active. */
  open(id: string): Session {
    let session = this.sessions.get(id);
    if (session) this.sessions.delete(id);
    else session = { id, profile: {}, history: [] };
    this.sessions.set(id, session);
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    return session;
  }

  /** Every session's history, least recently active first. */
  *entries(): IterableIterator<[string, readonly HistoryEntry[]]> {
    for (const [id, session] of this.sessions) yield [id, session.history];
  }

  find(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** Appends unless an entry with this id is there already; false for a duplicate. */
  append(id: string, entry: HistoryEntry): boolean {
    const session = this.open(id);
    if (session.history.some((e) => e.id === entry.id)) return false;
    session.history.push(entry);
    if (session.history.length > this.perSession) session.history.splice(0, session.history.length - this.perSession);
    return true;
  }
}
