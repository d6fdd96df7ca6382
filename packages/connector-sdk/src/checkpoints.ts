import type { Kafka } from 'kafkajs';
import { Checkpoint } from '@switchboard/schema';
import { readTopicRange, type BatchingProducer } from '@switchboard/kafka';

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
    await readTopicRange(kafka, topic, (message) => {
      const key = message.key?.toString();
      if (!key) return;
      if (message.value === null) store.positions.delete(key);
      else store.positions.set(key, Checkpoint.parse(JSON.parse(message.value.toString())).position);
    });
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
