import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { LedgerEntry } from '@switchboard/schema';
import { backoffDelay, RETRY_BUDGETS, sleep, TransientError, type Logger } from '@switchboard/runtime';
import { applyEntry, type IdState } from './ledger-state.ts';
import { untilStopDeadline } from './shutdown.ts';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Tails the ledger topic from given offsets on and applies the entries of one namespace, in log
 * order, to a map by id. It never commits: its positions live here and in the outbound group's
 * commit metadata. A writer waits for its own entry (by token) to know everything before it was applied.
 */
export class LedgerFollower {
  readonly ids = new Map<string, IdState>();
  /** Entries read since start, of every namespace. */
  read = 0;
  private readonly positions = new Map<number, bigint>();
  private readonly waiters = new Map<string, Waiter>();
  private consumer: Consumer | undefined;
  private stopped = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly namespace: string,
    private readonly groupId: string,
    private readonly logger: Logger,
  ) {}

  /** The next offset this follower reads on a partition: every entry before it has been applied. */
  position(partition: number): string | undefined {
    return this.positions.get(partition)?.toString();
  }

  async start(from: Map<number, bigint>): Promise<void> {
    for (const [partition, offset] of from) this.positions.set(partition, offset);
    await this.run();
  }

  private async run(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumer = consumer;
    // Also after a rejoin (a broker restart): go on from where this follower is, never back to the start.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of this.positions) consumer.seek({ topic: this.topic, partition, offset: offset.toString() });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopped) return;
      this.logger.error('ledger follower crashed; starting it again', { error: payload.error });
      const pause = RETRY_BUDGETS['consumer.restart'];
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => sleep(backoffDelay(1, pause.initialMs, pause.maxMs)))
        .then(() => (this.stopped ? undefined : this.run()))
        .catch((error: unknown) => this.logger.error('ledger follower restart failed', { error }));
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) this.apply(message);
        const last = batch.messages[batch.messages.length - 1];
        if (last) this.positions.set(batch.partition, BigInt(last.offset) + 1n);
      },
    });
  }

  private apply(message: KafkaMessage): void {
    this.read++;
    if (!message.value) return;
    let entry: LedgerEntry;
    try {
      entry = LedgerEntry.parse(JSON.parse(message.value.toString('utf8')));
    } catch (error) {
      // Not ours to dead-letter (nobody consumes this topic as a stage); skipping it changes no decision.
      this.logger.warn('unreadable ledger entry skipped', { offset: message.offset, error });
      return;
    }
    if (entry.namespace !== this.namespace) return;
    this.ids.set(entry.id, applyEntry(this.ids.get(entry.id), entry));
    const waiter = this.waiters.get(entry.token);
    if (waiter && entry.kind === 'claim') {
      this.waiters.delete(entry.token);
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  /** Resolves once the claim with this token has been read back (so every entry before it, too). */
  claimApplied(token: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(token);
        reject(new TransientError(`the ledger did not show claim ${token} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(token, { resolve, reject, timer });
    });
  }

  /** Drops the ids `keep` says no decision can need any more; returns how many. */
  evict(keep: (state: IdState) => boolean): number {
    let dropped = 0;
    for (const [id, state] of this.ids) {
      if (keep(state)) continue;
      this.ids.delete(id);
      dropped++;
    }
    return dropped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const [token, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new TransientError(`ledger stopped while waiting for claim ${token}`));
    }
    this.waiters.clear();
    if (this.consumer) await untilStopDeadline(this.consumer.disconnect(), 'outbound ledger follower');
  }
}
