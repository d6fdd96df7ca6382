import { createKafka, ensureTopics, kafkaSettingsFromEnv, BatchingProducer } from '@switchboard/kafka';
import { loadChannelRegistry } from '@switchboard/connector-sdk';
import { createLogger, REPO_ROOT, stopOnSignals } from '@switchboard/runtime';
import { topicNames } from '@switchboard/schema';
import { openTicketStore } from '@switchboard/ticket-store';
import { resolveAckChannels, ticketSinkConfigFromEnv } from './config.ts';
import { startTicketSink } from './sink.ts';

const logger = createLogger('ticket-sink');

async function main(): Promise<void> {
  const config = ticketSinkConfigFromEnv();
  const channels = await loadChannelRegistry(REPO_ROOT);
  const ackChannels = resolveAckChannels(config.ackChannels, channels);
  const settings = kafkaSettingsFromEnv();
  const kafka = createKafka(settings, '-ticket-sink');
  await ensureTopics(kafka, settings.topicPrefix);
  const store = await openTicketStore({
    url: config.databaseUrl,
    dataDir: config.pgliteDir,
    reopenWindowHours: config.reopenWindowHours,
    logger: logger.child('store'),
  });
  const producer = new BatchingProducer(kafka);
  await producer.connect();
  const sink = await startTicketSink({
    kafka,
    producer,
    topics: topicNames(settings.topicPrefix),
    store,
    channels,
    ackChannels,
    ackMaxAgeHours: config.ackMaxAgeHours,
    logger,
  });
  logger.info('ticket sink running', {
    database: config.databaseUrl ? 'postgres' : `pglite:${config.pgliteDir}`,
    ackChannels,
    topicPrefix: settings.topicPrefix,
  });
  stopOnSignals(async () => {
    await sink.stop();
    await producer.disconnect();
    await store.close();
  }, logger);
}

main().catch((error: unknown) => {
  logger.error('ticket sink failed to start', { error });
  process.exit(1);
});
