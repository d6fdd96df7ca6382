/**
 * `pnpm --filter @switchboard/connector-email backfill --since YYYY-MM-DD`: re-reads a window of the
 * configured mailboxes into Kafka (same env as the connector), then exits.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '@switchboard/connector-sdk';
import { BatchingProducer, CheckpointStore, createKafka, ensureTopics, kafkaSettingsFromEnv } from '@switchboard/kafka';
import { topicNames } from '@switchboard/schema';
import { createLogger } from '@switchboard/runtime';
import { emailConfigFromEnv } from './config.ts';
import { createEmailConnector } from './connector.ts';
import { backfillMailboxes, parseBackfillArgs } from './backfill.ts';

const logger = createLogger('connector-email.backfill');
const options = parseBackfillArgs(process.argv.slice(2));
const config = emailConfigFromEnv(process.env);
if (!config) {
  logger.error('email is not configured: set EMAIL_ACCOUNTS or EMAIL_ADDRESS (see the README)');
  process.exit(2);
}
const settings = kafkaSettingsFromEnv(process.env);
const kafka = createKafka(settings, '-email-backfill');
await ensureTopics(kafka, settings.topicPrefix);
const producer = new BatchingProducer(kafka);
await producer.connect();
try {
  const topics = topicNames(settings.topicPrefix);
  const checkpoints = await CheckpointStore.load(kafka, producer, topics.checkpoints);
  const dataDir = join(process.env.SWITCHBOARD_DATA_DIR ?? '.data', 'connectors');
  mkdirSync(dataDir, { recursive: true });
  const connector = createEmailConnector(config);
  const context = createContext(connector, { kafka, producer, topics, checkpoints, dataDir, logger }, new AbortController().signal);
  const counts = await backfillMailboxes(connector, context, options);
  logger.info('backfill done', { counts });
} finally {
  await producer.disconnect();
}
