import type { Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import { DeadLetter, SchemaError, parseWith } from '@switchboard/schema';
import { backoffDelay, createLogger, dlqTotal, messagesTotal, sleep, type Logger } from '@switchboard/runtime';
import type { BatchingProducer } from './producer.ts';
import { isTransient, PoisonMessageError } from './errors.ts';
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
  /** Processes a batch; throwing retries it, then isolates the failing message for the DLQ. */
  handle: (records: ConsumedRecord<z.infer<S>>[]) => Promise<void>;
  producer: BatchingProducer;
  dlqTopic: string;
  /** Attempts for a non-transient failure before the message is isolated and dead-lettered. */
  attempts?: number;
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
 * after `handle` succeeded for it (or its poison records reached the DLQ). Transient failures are
 * retried with backoff for as long as it takes; other failures are retried `attempts` times, then the
 * batch is split so only the records that still fail go to the DLQ and the partition keeps moving.
 */
export async function runConsumer<S extends z.ZodType>(options: ConsumerOptions<S>): Promise<RunningConsumer> {
  const logger = options.logger ?? createLogger(`consumer.${options.groupId}`);
  const attempts = options.attempts ?? 3;
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

  const deadLetter = async (message: KafkaMessage, partition: number, reason: string, error?: unknown) => {
    const letter: DeadLetter = {
      schemaVersion: 1,
      id: `${options.topic}/${partition}/${message.offset}`,
      stage: options.groupId,
      reason,
      errorName: error instanceof Error ? error.name : undefined,
      sourceTopic: options.topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      headers: headersOf(message),
      originalValue: (message.value ?? Buffer.alloc(0)).toString('base64'),
      failedAt: new Date().toISOString(),
    };
    await options.producer.sendJson(options.dlqTopic, [{ key: letter.id, value: letter, headers: { reason: reason.slice(0, 200), stage: options.groupId } }]);
    dlqTotal.inc({ stage: options.groupId });
    logger.warn('dead-lettered', { topic: options.topic, partition, offset: message.offset, reason });
  };

  /** Retries `work` until it succeeds, a non-transient error exhausts `attempts`, or we stop. */
  const retrying = async (work: () => Promise<void>, heartbeat: () => Promise<void>): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return undefined;
      } catch (error) {
        const transient = isTransient(error);
        if (!transient && (attempt >= attempts || error instanceof PoisonMessageError)) return error ?? new Error('handler failed');
        if (stopped.signal.aborted) throw error;
        const delay = backoffDelay(attempt, 200, transient ? 5_000 : 1_000);
        logger.warn(transient ? 'transient failure, retrying' : 'handler failed, retrying', { attempt, delay, error });
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
      await consumer.commitOffsets([{ topic, partition, offset }]);
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
    sleep(backoffDelay(3, 500, 5_000), stopped.signal)
      .then(start)
      .catch((error: unknown) => {
        if (!stopped.signal.aborted) logger.error('restart failed', { error });
      });
  });
  await start();

  return {
    consumer,
    groupId: options.groupId,
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
