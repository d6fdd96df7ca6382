import type { Kafka } from 'kafkajs';
import { topicSpecs } from '@switchboard/schema';
import { withRetry } from '@switchboard/runtime';

/** Creates every topic of TOPIC_SPECS that is missing; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, prefix = '', replicationFactor = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topicSpecs(prefix).filter((spec) => !existing.has(spec.name));
    if (missing.length === 0) return;
    await admin.createTopics({
      // kafkajs' own wait retries only LEADER_NOT_AVAILABLE; a new topic also answers "not the leader"
      // or "does not host this topic-partition" for a moment, so we wait for leaders ourselves.
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor,
        configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
      })),
    });
    const names = missing.map((spec) => spec.name);
    await withRetry(
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: names });
        if (topics.some((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0))) throw new Error('new topics have no leaders yet');
      },
      { attempts: 40, initialMs: 50, maxMs: 500 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Sum of (end offset - committed offset) over a group's partitions of one topic. */
export async function consumerLag(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committedByPartition = new Map<number, bigint>();
    for (const t of committed) for (const p of t.partitions) committedByPartition.set(p.partition, BigInt(p.offset));
    let lag = 0n;
    for (const p of ends) {
      const done = committedByPartition.get(p.partition) ?? -1n;
      const end = BigInt(p.high);
      // -1 means nothing committed yet: everything from the low watermark is still to be read.
      lag += done < 0n ? end - BigInt(p.low) : end - done;
    }
    return Number(lag);
  } finally {
    await admin.disconnect();
  }
}
