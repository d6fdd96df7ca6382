import { join } from 'node:path';
import { topicNames } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore, createKafka, ensureTopics, kafkaSettingsFromEnv } from '@switchboard/kafka';
import { HttpServer } from '@switchboard/http';
import { configSpec, createLogger, dataDirFields, httpFields, stopOnSignals } from '@switchboard/runtime';
import { hostConnector, type HostedConnector } from './host.ts';
import type { ConnectorModule } from './modules.ts';

/** What a connector process reads besides its own variables (and Kafka's). */
export const standaloneConfig = configSpec('connector', { ...httpFields, ...dataDirFields });

/**
 * Runs one connector package as its own process (`pnpm --filter <connector> start`): Kafka, the
 * checkpoint store, its connectors, an HTTP server for its webhooks, and a clean stop on SIGTERM.
 */
export async function runConnectorsAlone(module: ConnectorModule, environment: NodeJS.ProcessEnv = process.env): Promise<void> {
  const logger = createLogger(`connector-${module.name}`);
  const config = standaloneConfig.extend(`connector-${module.name}`, module.config.fields).load(environment);
  const connectors = await module.fromEnv(environment);
  if (connectors.length === 0) {
    logger.error('not configured: set its environment variables (see its README)');
    process.exit(2);
  }
  const settings = kafkaSettingsFromEnv(environment);
  const kafka = createKafka(settings, `-${module.name}`);
  const topics = topicNames(settings.topicPrefix);
  await ensureTopics(kafka, settings.topicPrefix);
  const producer = new BatchingProducer(kafka);
  await producer.connect();
  const checkpoints = await CheckpointStore.load(kafka, producer, topics.checkpoints);
  const hosted: HostedConnector[] = [];
  const http = new HttpServer({ host: config.HOST, port: config.PORT, logger });
  for (const connector of connectors) {
    hosted.push(await hostConnector(connector, { kafka, producer, topics, checkpoints, dataDir: join(config.SWITCHBOARD_DATA_DIR, 'connectors'), logger: logger.child(connector.name) }));
    http.mount(connector.routes, connector.upgrades);
  }
  const url = await http.listen();
  logger.info('connector running', { connectors: connectors.map((c) => c.name), url });
  stopOnSignals(async () => {
    await http.close();
    for (const h of hosted.reverse()) await h.stop();
    await producer.disconnect();
  }, logger);
}
