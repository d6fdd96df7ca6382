import { describe, expect, it } from 'vitest';
import { kafkaForTest } from '@switchboard/testkit';
import { topicReplication } from '../src/index.ts';

describe('replicas of the topics we create', () => {
  it.each([
    [1, 1, {}],
    [2, 2, {}],
    [3, 3, { 'min.insync.replicas': '2' }],
    [6, 3, { 'min.insync.replicas': '2' }],
  ])('a cluster of %i brokers gets %i replicas', (brokers, replicationFactor, config) => {
    expect(topicReplication(brokers)).toEqual({ replicationFactor, config });
  });

  it('creates them on the real broker with as many replicas as it has brokers', async () => {
    const { kafka, topics } = await kafkaForTest();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const brokers = (await admin.describeCluster()).brokers.length;
      const { topics: described } = await admin.fetchTopicMetadata({ topics: [topics.inbound] });
      expect(described[0]!.partitions.length).toBe(6);
      for (const partition of described[0]!.partitions) expect(partition.replicas).toHaveLength(Math.min(3, brokers));
    } finally {
      await admin.disconnect();
    }
  });
});
