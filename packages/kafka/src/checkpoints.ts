import type { Kafka } from 'kafkajs';
import { Checkpoint } from '@switchboard/schema';
import { PermanentError } from '@switchboard/runtime';
import type { BatchingProducer } from './producer.ts';
import { readTopicRange } from './reader.ts';

/** One owner's positions (a connector, the CLI's replay ledger): keys cannot collide across owners. */
export interface CheckpointNamespace {
  readonly name: string;
  get(account: string, stream: string): Record<string, unknown> | undefined;
  save(account: string, stream: string, position: Record<string, unknown>): Promise<void>;
}

/** Streams the outbound consumer once kept here, one key per reply ever sent (before the outbound ledger). */
const LEGACY_SENT_STREAM = /^[^/]+\/[^/]*\/sent:/;

/**
 * Positions kept in a compacted Kafka topic, the way Kafka Connect keeps source offsets: a connector
 * needs nothing but Kafka. Loaded once at start (the latest record per key wins), then kept in memory
 * and written through. It holds positions only (a mailbox's UIDs, a since_id), so what start-up reads
 * does not grow with the messages handled; which outbound ids were sent lives in the outbound ledger.
 */
export class CheckpointStore {
  private readonly positions = new Map<string, Record<string, unknown>>();

  private constructor(
    private readonly producer: BatchingProducer,
    private readonly topic: string,
  ) {}

  /** Reads the topic; `sent:` keys left by earlier versions are tombstoned, so compaction removes them. */
  static async load(kafka: Kafka, producer: BatchingProducer, topic: string): Promise<CheckpointStore> {
    const store = new CheckpointStore(producer, topic);
    const legacy = new Set<string>();
    await readTopicRange(kafka, topic, (message) => {
      const key = message.key?.toString();
      if (!key) return;
      if (LEGACY_SENT_STREAM.test(key)) {
        if (message.value === null) legacy.delete(key);
        else legacy.add(key);
        return;
      }
      if (message.value === null) store.positions.delete(key);
      else store.positions.set(key, Checkpoint.parse(JSON.parse(message.value.toString())).position);
    });
    if (legacy.size > 0) await producer.send(topic, [...legacy].map((key) => ({ key, value: null })));
    return store;
  }

  /** Keys held now (positions of every namespace). */
  get size(): number {
    return this.positions.size;
  }

  namespace(name: string): CheckpointNamespace {
    if (!name || name.includes('/')) throw new PermanentError(`a checkpoint namespace is a non-empty name without "/": ${JSON.stringify(name)}`);
    const keyOf = (account: string, stream: string) => `${name}/${account}/${stream}`;
    return {
      name,
      get: (account, stream) => this.positions.get(keyOf(account, stream)),
      save: async (account, stream, position) => {
        const key = keyOf(account, stream);
        const value: Checkpoint = { connector: name, account, stream, position, updatedAt: new Date().toISOString() };
        await this.producer.sendJson(this.topic, [{ key, value }]);
        this.positions.set(key, position);
      },
    };
  }
}
