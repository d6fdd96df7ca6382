import type { Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import { SchemaError, parseWith } from '@switchboard/schema';
import { backoffDelay, createLogger, messagesTotal, RETRY_BUDGETS, retriability, sleep, type Logger, type RetryBudget } from '@switchboard/runtime';
import type { BatchingProducer } from './producer.ts';
import { DeadLetterWriter } from './dead-letters.ts';
import { untilStopDeadline } from './shutdown.ts';

export interface ConsumedRecord<T> {
  value: T;
  key: string | null;
  headers: Record<string, string>;
  topic: string;
  partition: number;
  offset: string;
}

export interface ConsumerOptions<S extends z.ZodType> {
  kafka: Kafka;
  groupId: string;
  topic: string;
  schema: S;
  schemaName: string;
  /** Processes a batch; throwing retries it (by the error's `retriable`), then isolates the failing message for the DLQ. */
  handle: (records: ConsumedRecord<z.infer<S>>[]) => Promise<void>;
  producer: BatchingProducer;
  dlqTopic: string;
  /** Budget of an error nobody classified, before the batch is split and the failing records dead-lettered. */
  unclassifiedBudget?: RetryBudget;
  /** Stored with each offset commit of a partition (Kafka keeps it beside the offset; `fetchOffsets` returns it). */
  commitMetadata?: (partition: number) => string | undefined;
  fromBeginning?: boolean;
  logger?: Logger;
  /** Upper bound of records handed to `handle` at once. */
  maxBatchRecords?: number;
  /**
   * Partitions handled at the same time. Order within a partition (a conversation) is kept either way;
   * more overlaps one partition's database round trips with another's.
   */
  partitionsConcurrently?: number;
}

export interface RunningConsumer {
  readonly consumer: Consumer;
  readonly groupId: string;
  /** This member's id in the group, once it joined. */
  readonly memberId: string | undefined;
  /** Finishes the batch in hand, commits it, leaves the group. */
  stop(): Promise<void>;
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}

/**
 * Consumes one topic in batches with at-least-once delivery: the offset of a batch is committed only
 * after `handle` succeeded for it (or its poison records reached the DLQ). By the error's flag
 * (`retriability`): a retriable failure is retried for as long as it takes (`consumer.outage`), a
 * permanent one not at all, an unclassified one within `consumer.unclassified`; then the batch is
 * split so only the records that still fail go to the DLQ and the partition keeps moving.
 */
export async function runConsumer<S extends z.ZodType>(options: ConsumerOptions<S>): Promise<RunningConsumer> {
  const logger = options.logger ?? createLogger(`consumer.${options.groupId}`);
  const unclassified = options.unclassifiedBudget ?? RETRY_BUDGETS['consumer.unclassified'];
  const outage = RETRY_BUDGETS['consumer.outage'];
  const maxBatch = options.maxBatchRecords ?? 2_000;
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    // A member that died (kill -9) holds its partitions until its session times out: keep that short.
    // Handlers heartbeat between retries, so a slow batch does not lose its partitions.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  const stopped = new AbortController();

  const letters = new DeadLetterWriter(options.producer, options.dlqTopic, logger);
  const deadLetter = (message: KafkaMessage, partition: number, reason: string, error?: unknown) =>
    letters.write({
      id: `${options.topic}/${partition}/${message.offset}`,
      stage: options.groupId,
      reason,
      error,
      original: message.value ?? Buffer.alloc(0),
      source: { topic: options.topic, partition, offset: message.offset, key: message.key?.toString() ?? null, headers: headersOf(message) },
    });
  let memberId: string | undefined;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    memberId = payload.memberId;
  });

  /** Retries `work` by the budget its error's flag names, until it succeeds, the budget is spent, or we stop. */
  const retrying = async (work: () => Promise<void>, heartbeat: () => Promise<void>): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return undefined;
      } catch (error) {
        // Stopping: the batch is left uncommitted for the next owner, never dead-lettered.
        if (stopped.signal.aborted) throw error;
        const retriable = retriability(error);
        const budget = retriable === true ? outage : unclassified;
        if (retriable === false || attempt >= budget.attempts) return error ?? new Error('handler failed');
        const delay = backoffDelay(attempt, budget.initialMs, budget.maxMs);
        logger.warn(retriable ? 'transient failure, retrying' : 'handler failed, retrying', { attempt, delay, error });
        await sleep(delay, stopped.signal).catch(() => undefined);
        await heartbeat().catch(() => undefined);
      }
    }
  };

  const processChunk = async (batch: Batch, messages: KafkaMessage[], heartbeat: () => Promise<void>) => {
    const valid: { record: ConsumedRecord<z.infer<S>>; message: KafkaMessage }[] = [];
    for (const message of messages) {
      try {
        const value: unknown = JSON.parse((message.value ?? Buffer.alloc(0)).toString('utf8'));
        valid.push({
          message,
          record: {
            value: parseWith(options.schema, options.schemaName, value),
            key: message.key?.toString() ?? null,
            headers: headersOf(message),
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
          },
        });
      } catch (error) {
        const reason = error instanceof SchemaError ? `schema violation: ${error.message}` : `invalid JSON: ${(error as Error).message}`;
        await deadLetter(message, batch.partition, reason, error);
      }
    }
    if (valid.length === 0) return;
    const failure = await retrying(() => options.handle(valid.map((v) => v.record)), heartbeat);
    if (failure === undefined) return;
    // The batch as a whole keeps failing: find the records that fail alone, dead-letter only those.
    for (const item of valid) {
      const error = await retrying(() => options.handle([item.record]), heartbeat);
      if (error !== undefined) await deadLetter(item.message, batch.partition, `handler failed: ${(error as Error).message ?? String(error)}`, error);
    }
  };

  const commit = async (topic: string, partition: number, offset: string) => {
    try {
      await consumer.commitOffsets([{ topic, partition, offset, metadata: options.commitMetadata?.(partition) ?? null }]);
    } catch (error) {
      // kafkajs wraps "not a member any more" in a non-retriable error that crashes the consumer for
      // good; unwrapped, its runner rejoins the group and the batch is delivered again (at-least-once).
      throw groupMembershipCause(error) ?? error;
    }
  };

  const start = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
    await consumer.run(runConfig);
  };

  const runConfig: Parameters<Consumer['run']>[0] = {
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 3,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
      for (let start = 0; start < batch.messages.length; start += maxBatch) {
        if (!isRunning() || isStale()) return;
        const chunk = batch.messages.slice(start, start + maxBatch);
        // A slow chunk (a database under load) must not cost us our place in the group.
        const beat = setInterval(() => void heartbeat().catch(() => undefined), 2_000);
        try {
          await processChunk(batch, chunk, heartbeat);
        } catch (error) {
          // Stopping: the chunk stays uncommitted for the next owner; not a crash.
          if (stopped.signal.aborted) return;
          throw error;
        } finally {
          clearInterval(beat);
        }
        const last = chunk[chunk.length - 1]!;
        // resolveOffset moves kafkajs' fetch position; commitOffsets makes it durable for the group.
        resolveOffset(last.offset);
        await commit(batch.topic, batch.partition, (BigInt(last.offset) + 1n).toString());
        messagesTotal.inc({ topic: batch.topic, direction: 'in' }, chunk.length);
        await heartbeat();
      }
    },
  };

  // A consumer that kafkajs gave up on (a non-retriable crash) would leave a live process doing
  // nothing: start it again after a pause instead.
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || stopped.signal.aborted) return;
    logger.error('consumer crashed; starting it again', { error: payload.error });
    const restart = RETRY_BUDGETS['consumer.restart'];
    sleep(backoffDelay(1, restart.initialMs, restart.maxMs), stopped.signal)
      .then(start)
      .catch((error: unknown) => {
        if (!stopped.signal.aborted) logger.error('restart failed', { error });
      });
  });
  await start();

  return {
    consumer,
    groupId: options.groupId,
    get memberId() {
      return memberId;
    },
    async stop() {
      stopped.abort();
      // kafkajs waits for the batch in hand to finish before it leaves the group; a process that is
      // shutting down waits only until its stop deadline (the batch is then delivered again).
      await untilStopDeadline(consumer.disconnect(), `consumer ${options.groupId}`);
    },
  };
}

const MEMBERSHIP_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP']);

// kafkajs' retrier re-wraps a protocol error without its `type` (KafkaJSNonRetriableError(e)), so
// the message is all that is left to recognise it by.
const MEMBERSHIP_MESSAGES: [RegExp, string][] = [
  [/not aware of this member/i, 'UNKNOWN_MEMBER_ID'],
  [/group is rebalancing/i, 'REBALANCE_IN_PROGRESS'],
  [/generation id .* is not valid|illegal generation/i, 'ILLEGAL_GENERATION'],
  [/not the correct coordinator/i, 'NOT_COORDINATOR_FOR_GROUP'],
];

/** The protocol error under kafkajs' wrappers when it says this member lost its place in the group. */
function groupMembershipCause(error: unknown): Error | undefined {
  for (let e = error as { type?: unknown; cause?: unknown; message?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.type === 'string' && MEMBERSHIP_ERRORS.has(e.type)) return e as unknown as Error;
    const known = typeof e.message === 'string' ? MEMBERSHIP_MESSAGES.find(([pattern]) => pattern.test(e!.message as string)) : undefined;
    if (known) return Object.assign(new Error(e.message as string), { type: known[1], retriable: true });
  }
  return undefined;
}
