import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@switchboard/runtime';

/** Something a webhook received, as the journal keeps it until Kafka has what it carries. */
export interface JournalEntry {
  /** The source's id of it (a MsgId): only for logs and file names, never trusted for dedupe. */
  id: string;
  /** When it was received: a replay delivers it with this time, not the replay's. */
  receivedAt: string;
  /** What the source sent, as the connector needs it to deliver again (the signed request, say). */
  payload: string;
}

export interface DurableInboxOptions {
  /** The journal's folder, under the connector's `ctx.dataDir`; one file per entry. */
  dir: string;
  /** Delivers an entry again (decode its payload, `ctx.emit`); resolving means Kafka has it, a rejection is retried later. */
  redeliver(entry: JournalEntry): Promise<void>;
  /** A journal file that cannot be read back (torn, edited): keep it as bad input is kept (a dead letter); it is then removed. */
  unreadable(raw: Buffer, reason: string): Promise<void>;
  logger: Logger;
  /** How long `accept` waits for Kafka before it writes the entry (default 4000 ms: WeChat waits 5 s). */
  journalAfterMs?: number;
  /** Between rounds of redelivery while entries wait (default 5000 ms). */
  retryMs?: number;
  /** How long `close` waits for deliveries in flight; what is still journaled is replayed at the next start (default 2000 ms). */
  closeWaitMs?: number;
}

/** How an accepted entry is safe: Kafka acknowledged it, or it is on disk (fsync) and will be replayed. */
export type Acceptance = 'produced' | 'journaled';

const SUFFIX = '.json';
const PARTIAL = '.partial';

/**
 * "Received" only once Kafka or the disk has it, for every webhook connector: `accept` produces first
 * and, when Kafka has not acknowledged in time (or refused), writes the entry to a file (written,
 * fsynced, renamed into place, the folder fsynced) before the caller answers the source. Entries are
 * delivered again in the background until Kafka takes them, and at every start: a crash between the
 * answer and the produce loses nothing. A crash after the produce but before the file is removed
 * delivers the entry twice, with the same message ids, which the store dedupes.
 */
export class DurableInbox {
  private readonly files = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly journalAfterMs: number;
  private readonly retryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<number> | undefined;
  private sequence = 0;
  private closed = false;

  private constructor(private readonly options: DurableInboxOptions) {
    this.journalAfterMs = options.journalAfterMs ?? 4_000;
    this.retryMs = options.retryMs ?? 5_000;
  }

  /** Opens the folder; a partial file of a write that never finished (so was never acknowledged) is removed. */
  static open(options: DurableInboxOptions): DurableInbox {
    const inbox = new DurableInbox(options);
    mkdirSync(options.dir, { recursive: true });
    for (const name of readdirSync(options.dir)) {
      if (name.endsWith(PARTIAL)) unlinkSync(join(options.dir, name));
      else if (name.endsWith(SUFFIX)) inbox.files.add(name);
    }
    return inbox;
  }

  /** Entries on disk that Kafka does not have yet. */
  get pending(): number {
    return this.files.size;
  }

  /**
   * Produces `entry` (`produce`, e.g. `ctx.emit` of its envelope) and resolves once it is safe; rejects
   * when neither Kafka nor the disk took it, and then the source must not hear "received".
   */
  async accept(entry: JournalEntry, produce: () => Promise<void>): Promise<Acceptance> {
    const producing = produce();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.journalAfterMs)));
    const first = await Promise.race([producing.then(() => 'produced' as const, () => 'failed' as const), late]);
    clearTimeout(timer);
    if (first === 'produced') return 'produced';
    const name = await this.write(entry);
    // The produce may still finish; if it does not, the rounds deliver the entry.
    this.track(
      name,
      producing.then(
        () => this.remove(name),
        () => this.scheduleRound(),
      ),
    );
    this.options.logger.warn('journaled: Kafka had not acknowledged in time', { id: entry.id, after: first === 'late' ? `${this.journalAfterMs} ms` : 'a refused produce' });
    return 'journaled';
  }

  /** Starts delivering what an earlier run left; resolves after the first round with how many still wait. */
  start(): Promise<number> {
    if (this.files.size > 0) this.options.logger.info('replaying the journal', { entries: this.files.size });
    return this.deliverRound();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const wait = new Promise((resolve) => setTimeout(resolve, this.options.closeWaitMs ?? 2_000).unref());
    await Promise.race([Promise.allSettled([...this.inFlight.values(), this.round]), wait]);
  }

  /** One pass over the journal in arrival order; stops at the first failure (Kafka is most likely down) and tries again later. */
  private deliverRound(): Promise<number> {
    this.round ??= this.deliverAll().finally(() => (this.round = undefined));
    return this.round;
  }

  private async deliverAll(): Promise<number> {
    for (const name of [...this.files].sort()) {
      if (this.closed) break;
      if (this.inFlight.has(name)) continue;
      const entry = await this.read(name);
      if (!entry) continue;
      const delivery = this.options.redeliver(entry).then(() => this.remove(name));
      this.track(name, delivery.catch(() => undefined));
      try {
        await delivery;
      } catch (error) {
        this.options.logger.warn('journal entry not delivered yet, will try again', { id: entry.id, error });
        break;
      }
    }
    if (this.files.size > 0) this.scheduleRound();
    return this.files.size;
  }

  private scheduleRound(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.deliverRound();
    }, this.retryMs);
    this.timer.unref();
  }

  private track(name: string, work: Promise<void>): void {
    const settled: Promise<void> = work
      .catch((error: unknown) => this.options.logger.error('journal bookkeeping failed', { file: name, error }))
      .finally(() => {
        if (this.inFlight.get(name) === settled) this.inFlight.delete(name);
      });
    this.inFlight.set(name, settled);
  }

  private async read(name: string): Promise<JournalEntry | undefined> {
    let raw: Buffer;
    try {
      raw = await readFile(join(this.options.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.files.delete(name);
      return undefined;
    }
    try {
      const entry = JSON.parse(raw.toString('utf8')) as Partial<JournalEntry>;
      if (typeof entry.id === 'string' && typeof entry.receivedAt === 'string' && typeof entry.payload === 'string') return entry as JournalEntry;
      throw new Error('not a journal entry (id, receivedAt, payload)');
    } catch (error) {
      await this.options.unreadable(raw, `unreadable journal file ${name}: ${(error as Error).message}`);
      await this.remove(name);
      return undefined;
    }
  }

  private async write(entry: JournalEntry): Promise<string> {
    const digest = createHash('sha256').update(entry.id).digest('hex').slice(0, 12);
    const name = `${String(Date.now()).padStart(15, '0')}-${String(++this.sequence).padStart(6, '0')}-${digest}${SUFFIX}`;
    const partial = join(this.options.dir, `${name}${PARTIAL}`);
    const handle = await open(partial, 'wx');
    try {
      await handle.writeFile(JSON.stringify(entry));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, join(this.options.dir, name));
    await this.syncFolder();
    this.files.add(name);
    return name;
  }

  /** The rename is durable only once the folder itself is on disk. */
  private async syncFolder(): Promise<void> {
    const folder = await open(this.options.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  private async remove(name: string): Promise<void> {
    if (!this.files.delete(name)) return;
    await unlink(join(this.options.dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
