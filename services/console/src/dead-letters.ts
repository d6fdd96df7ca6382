import type { Kafka } from 'kafkajs';
import { listDeadLetters, replayDeadLetters, UnknownDeadLetterError, type DeadLetterTopics } from '@switchboard/kafka';
import type { DeadLetter, TopicNames } from '@switchboard/schema';

/** A dead letter as the console lists it: the original bytes as a short readable preview only. */
export interface DeadLetterEntry {
  id: string;
  stage: string;
  reason: string;
  errorName?: string;
  sourceTopic?: string;
  partition?: number;
  offset?: string;
  failedAt: string;
  /** Sent back to its source topic already (the replay ledger, shared with the CLI, says so). */
  replayed: boolean;
  /** Has a source topic to go back to (a connector's parse failure has none). */
  replayable: boolean;
  /** The first characters of the original value, as UTF-8 text. */
  preview: string;
  size: number;
}

export type ReplayOutcome =
  | { outcome: 'replayed'; id: string }
  | { outcome: 'already-replayed'; id: string }
  | { outcome: 'not-replayable'; id: string; reason: string }
  | { outcome: 'unknown'; id: string };

const PREVIEW_CHARS = 300;

function entryOf(letter: DeadLetter, replayed: boolean): DeadLetterEntry {
  const bytes = Buffer.from(letter.originalValue, 'base64');
  return {
    id: letter.id,
    stage: letter.stage,
    reason: letter.reason,
    ...(letter.errorName ? { errorName: letter.errorName } : {}),
    ...(letter.sourceTopic ? { sourceTopic: letter.sourceTopic } : {}),
    ...(letter.partition !== undefined ? { partition: letter.partition } : {}),
    ...(letter.offset !== undefined ? { offset: letter.offset } : {}),
    failedAt: letter.failedAt,
    replayed,
    replayable: Boolean(letter.sourceTopic),
    preview: bytes.subarray(0, PREVIEW_CHARS * 4).toString('utf8').slice(0, PREVIEW_CHARS),
    size: bytes.length,
  };
}

/**
 * The DLQ panel over `listDeadLetters` and `replayDeadLetters` of @switchboard/kafka, which the CLI's
 * `dlq list` and `dlq replay` use too (one replay ledger for both tools).
 * Listing reads the whole dead-letter and checkpoint topics, so the list is kept until the DLQ grows,
 * a replay happens here, or `maxAgeMs` passes (a replay from the CLI shows up then).
 */
export class DeadLetters {
  private cached: { key: string; at: number; entries: DeadLetterEntry[] } | undefined;
  private listing: { key: string; work: Promise<DeadLetterEntry[]> } | undefined;
  /** Bumped by every replay: a cached list is valid for one generation only. */
  private generation = 0;
  /** Replays run one at a time, so one id cannot pass the ledger check twice. */
  private replays: Promise<unknown> = Promise.resolve();

  private readonly deps: DeadLetterTopics;

  constructor(
    kafka: Kafka,
    topics: TopicNames,
    private readonly maxAgeMs: number,
  ) {
    this.deps = { kafka, topics };
  }

  /** Every dead letter, newest first. `size` is the DLQ's current record count: a change means new letters. */
  list(size: number | null): Promise<DeadLetterEntry[]> {
    const key = `${size}/${this.generation}`;
    const cached = this.cached;
    if (cached && cached.key === key && Date.now() - cached.at < this.maxAgeMs) return Promise.resolve(cached.entries);
    if (this.listing?.key === key) return this.listing.work;
    const work: Promise<DeadLetterEntry[]> = this.read().then((entries) => {
      // A replay that finished meanwhile changed the ledger: this reading is already stale.
      if (key === `${size}/${this.generation}`) this.cached = { key, at: Date.now(), entries };
      return entries;
    });
    const listing = { key, work };
    this.listing = listing;
    void work.catch(() => undefined).finally(() => this.listing === listing && (this.listing = undefined));
    return work;
  }

  private async read(): Promise<DeadLetterEntry[]> {
    const listed = await listDeadLetters(this.deps);
    return listed.map(({ letter, replayed }) => entryOf(letter, replayed)).sort((a, b) => b.failedAt.localeCompare(a.failedAt));
  }

  replay(id: string): Promise<ReplayOutcome> {
    const run = this.replays.then(() => this.replayNow(id));
    this.replays = run.catch(() => undefined);
    return run;
  }

  private async replayNow(id: string): Promise<ReplayOutcome> {
    try {
      const { replayed, notReplayable } = await replayDeadLetters(this.deps, { ids: [id] });
      if (replayed.length === 1) return { outcome: 'replayed', id };
      if (notReplayable.length > 0) return { outcome: 'not-replayable', id, reason: notReplayable.map((n) => n.reason).join('; ') };
      return { outcome: 'already-replayed', id };
    } catch (error) {
      if (error instanceof UnknownDeadLetterError) return { outcome: 'unknown', id };
      throw error;
    } finally {
      this.generation++;
    }
  }
}
