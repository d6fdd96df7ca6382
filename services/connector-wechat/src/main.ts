/**
 * Runs the WeChat connector alone: its callbacks on an HTTP server of its own, its messages to Kafka,
 * replies from the outbound topic. (`pnpm start` at the root runs it inside the gateway instead.)
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { CheckpointStore, hostConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer, createKafka, ensureTopics, kafkaSettingsFromEnv } from '@switchboard/kafka';
import { createLogger, env, loadConfig, stopOnSignals } from '@switchboard/runtime';
import { topicNames } from '@switchboard/schema';
import { createWechatConnector } from './connector.ts';
import { wechatConfigFromEnv } from './config.ts';

const serviceEnvSchema = z.object({
  HOST: z.string().default('127.0.0.1').describe('Address the callback server listens on.'),
  PORT: env.int(8080, 0, 65_535).describe('Port of the callback server (WeChat calls /webhooks/wechat).'),
  SWITCHBOARD_DATA_DIR: z.string().default('data').describe("Folder for connectors' files (saved attachments, the bot's session)."),
});

const logger = createLogger('connector-wechat');

async function main(): Promise<void> {
  const service = loadConfig('connector-wechat', serviceEnvSchema);
  const config = wechatConfigFromEnv();
  if (!config) throw new Error('nothing to run: set WECHAT_OA_TOKEN and WECHAT_OA_APPID, or WECHATY_PUPPET');

  const settings = kafkaSettingsFromEnv();
  const kafka = createKafka(settings, '-connector-wechat');
  await ensureTopics(kafka, settings.topicPrefix);
  const topics = topicNames(settings.topicPrefix);
  const producer = new BatchingProducer(kafka);
  await producer.connect();
  const checkpoints = await CheckpointStore.load(kafka, producer, topics.checkpoints);

  const connector = createWechatConnector(config);
  const hosted = await hostConnector(connector, { kafka, producer, topics, checkpoints, dataDir: resolve(service.SWITCHBOARD_DATA_DIR), logger });
  const http = new HttpServer({ host: service.HOST, port: service.PORT, logger: logger.child('http') });
  http.mount(connector.routes);
  const url = await http.listen();
  logger.info('connector-wechat ready', { url, health: connector.health() });

  stopOnSignals(async () => {
    await http.close();
    await hosted.stop();
    await producer.disconnect();
  }, logger);
}

main().catch((error: unknown) => {
  logger.error('connector-wechat failed to start', { error });
  process.exit(1);
});
