import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { fetchOffsetsRetrying } from './admin.ts';

export interface ReadOptions {
  /** Start offsets by partition; unset partitions (or no map at all) start at the beginning. */
  startOffsets?: Map<number, string>;
  /** Keep reading new records after reaching the end, until the signal aborts. */
  follow?: AbortSignal;
}

/**
 * Reads a topic outside any consumer group's progress (a throwaway group that never commits):
 * to its current end, or on and on with `follow`. For checkpoint loading, the CLI and replays.
 */
export async function readTopicRange(
  kafka: Kafka,
  topic: string,
  onRecord: (message: KafkaMessage, partition: number) => Promise<void> | void,
  options: ReadOptions = {},
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await fetchOffsetsRetrying(admin, topic).finally(() => admin.disconnect());
  const remaining = new Map<number, bigint>();
  for (const p of ends) {
    const start = BigInt(options.startOffsets?.get(p.partition) ?? p.low);
    const from = start < BigInt(p.low) ? BigInt(p.low) : start;
    if (BigInt(p.high) > from) remaining.set(p.partition, BigInt(p.high));
  }
  if (remaining.size === 0 && !options.follow) return 0;

  let count = 0;
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      options.follow?.addEventListener('abort', () => resolve(), { once: true });
      if (options.startOffsets) {
        consumer.on(consumer.events.GROUP_JOIN, () => {
          for (const [partition, offset] of options.startOffsets!) consumer.seek({ topic, partition, offset });
        });
      }
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            await onRecord(message, partition);
            count++;
            const end = remaining.get(partition);
            if (end !== undefined && BigInt(message.offset) + 1n >= end) {
              remaining.delete(partition);
              if (remaining.size === 0 && !options.follow) resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return count;
}

/** Records in a topic right now (high minus low watermark, summed over partitions). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await fetchOffsetsRetrying(admin, topic);
    return offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
}
