import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { hostConnector, type Connector, type ConnectorContext, type HostedConnector } from '@switchboard/connector-sdk';
import { createLogger, withRetry } from '@switchboard/runtime';
import { kafkaForTest } from '@switchboard/testkit';

export interface HostedForTest {
  env: Awaited<ReturnType<typeof kafkaForTest>>;
  producer: BatchingProducer;
  hosted: HostedConnector;
  stop(): Promise<void>;
}

/** A connector hosted by the SDK on this test's own topics of the real broker. */
export async function hostForTest(connector: Connector): Promise<HostedForTest> {
  const env = await kafkaForTest();
  const producer = new BatchingProducer(env.kafka);
  await producer.connect();
  // Freshly created topics can answer "not the leader for that topic-partition" for a moment.
  const checkpoints = await withRetry(() => CheckpointStore.load(env.kafka, producer, env.topics.checkpoints), { attempts: 6, initialMs: 200, maxMs: 2_000, why: 'Topics created a moment ago may not have their leader yet.' });
  const hosted = await hostConnector(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir: mkdtempSync(join(tmpdir(), `sb-${connector.name}-`)) });
  return {
    env,
    producer,
    hosted,
    async stop() {
      await hosted.stop();
      await producer.disconnect();
    },
  };
}

/**
 * A connector name of its own for this run. The SDK host names the outbound consumer group
 * `switchboard-outbound-<name>`, outside the test's topic prefix, so test files (and other people's
 * runs on the shared broker) hosting a connector of the same name would join one group and be handed
 * each other's partitions.
 */
export function uniqueName(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/**
 * The context the SDK host would give a connector, without Kafka: `emit` is the test's, so producing can
 * be made to fail or wait on demand (the shared broker cannot be).
 */
export function contextForTest(name: string, emit: ConnectorContext['emit'], dataDir = mkdtempSync(join(tmpdir(), `sb-${name}-`))): ConnectorContext {
  return {
    logger: createLogger(`test.${name}`),
    signal: new AbortController().signal,
    dataDir,
    checkpoint: () => undefined,
    saveCheckpoint: async () => undefined,
    deadLetter: async () => undefined,
    reportDelivery: async () => undefined,
    emit,
  };
}
