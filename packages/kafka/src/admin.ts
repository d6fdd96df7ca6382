import type { Admin, Kafka } from 'kafkajs';
import { topicSpecs } from '@switchboard/schema';
import { isRetriable, RETRY_BUDGETS, withRetry } from '@switchboard/runtime';

/**
 * Replicas of a topic we create: three where the cluster has three brokers or more, so a topic
 * survives the loss of a broker, with writes (acks=all) needing two of them in sync; as many as there
 * are brokers on a smaller cluster (one on the local broker).
 */
export function topicReplication(brokers: number): { replicationFactor: number; config: Record<string, string> } {
  const replicationFactor = Math.max(1, Math.min(3, brokers));
  return { replicationFactor, config: replicationFactor >= 3 ? { 'min.insync.replicas': '2' } : {} };
}

/**
 * Creates every topic of TOPIC_SPECS that is missing; existing topics are left as they are.
 * `replicationFactor` defaults to `topicReplication` of the cluster's size.
 */
export async function ensureTopics(kafka: Kafka, prefix = '', replicationFactor?: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topicSpecs(prefix).filter((spec) => !existing.has(spec.name));
    if (missing.length === 0) return;
    const replication = topicReplication(replicationFactor ?? (await admin.describeCluster()).brokers.length);
    if (replicationFactor !== undefined) replication.replicationFactor = replicationFactor;
    await admin.createTopics({
      // kafkajs' own wait retries only LEADER_NOT_AVAILABLE; a new topic also answers "not the leader"
      // or "does not host this topic-partition" for a moment, so we wait for leaders ourselves.
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: replication.replicationFactor,
        configEntries: Object.entries({ ...replication.config, ...spec.config }).map(([name, value]) => ({ name, value })),
      })),
    });
    // Ready means answering offset requests: metadata can name a leader a moment before it serves.
    for (const spec of missing) await withRetry(() => admin.fetchTopicOffsets(spec.name), RETRY_BUDGETS['kafka.topic-ready']);
  } finally {
    await admin.disconnect();
  }
}

/** Sum of (end offset - committed offset) over a group's partitions of one topic. */
export async function consumerLag(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([fetchOffsetsRetrying(admin, topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
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

/** End offsets of a topic, retried while a partition's leader is moving (kafkajs does not retry this). */
export function fetchOffsetsRetrying(admin: Admin, topic: string): ReturnType<Admin['fetchTopicOffsets']> {
  return withRetry(() => admin.fetchTopicOffsets(topic), RETRY_BUDGETS['kafka.offsets'], { retryable: isRetriable });
}
