import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Checkpoint } from '@switchboard/schema';
import type { BatchingProducer } from '@switchboard/kafka';

function keyOf(connector: string, account: string, stream: string): string {
  return `${connector}/${account}/${stream}`;
}

/**
 * Connector positions kept in a compacted Kafka topic, the way Kafka Connect keeps source offsets:
 * a connector needs nothing but Kafka. Loaded once at start (the latest record per key wins),
 * then kept in memory and written through.
 */
export class CheckpointStore {
  private readonly positions = new Map<string, Record<string, unknown>>();

  private constructor(
    private readonly producer: BatchingProducer,
    private readonly topic: string,
  ) {}

  static async load(kafka: Kafka, producer: BatchingProducer, topic: string): Promise<CheckpointStore> {
    const store = new CheckpointStore(producer, topic);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
    if (remaining.size === 0) return store;

    // A throwaway group that never commits: we only read the topic to its current end.
    const consumer = kafka.consumer({ groupId: `checkpoint-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const key = message.key?.toString();
            if (key) {
              if (message.value === null) store.positions.delete(key);
              else store.positions.set(key, Checkpoint.parse(JSON.parse(message.value.toString())).position);
            }
            const end = remaining.get(partition);
            if (end !== undefined && BigInt(message.offset) + 1n >= end) {
              remaining.delete(partition);
              if (remaining.size === 0) resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return store;
  }

  get(connector: string, account: string, stream: string): Record<string, unknown> | undefined {
    return this.positions.get(keyOf(connector, account, stream));
  }

  async save(connector: string, account: string, stream: string, position: Record<string, unknown>): Promise<void> {
    const key = keyOf(connector, account, stream);
    const value: Checkpoint = { connector, account, stream, position, updatedAt: new Date().toISOString() };
    await this.producer.sendJson(this.topic, [{ key, value }]);
    this.positions.set(key, position);
  }
}
