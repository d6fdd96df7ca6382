/**
 * Runs the chat connectors alone: Slack (when configured) and the web chat, with their own HTTP
 * server for /slack/events and /chat. `pnpm start` at the root runs them inside the gateway instead.
 */
import { z } from 'zod';
import { BatchingProducer, createKafka, ensureTopics, kafkaSettingsFromEnv } from '@switchboard/kafka';
import { CheckpointStore, hostConnector, type HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { createLogger, env, loadConfig, stopOnSignals, withRetry } from '@switchboard/runtime';
import { topicNames } from '@switchboard/schema';
import { chatConnectorsFromEnv } from './index.ts';

const logger = createLogger('connector-chat');
const server = loadConfig(
  'connector-chat',
  z.object({
    HOST: z.string().default('127.0.0.1').describe('Address the HTTP server listens on.'),
    PORT: env.int(8081, 0, 65_535).describe('Port of /slack/events and /chat when run alone.'),
    DATA_DIR: z.string().default('.data').describe("Folder for connectors' files."),
  }),
);

const connectors = chatConnectorsFromEnv();
if (connectors.length === 0) {
  logger.error('nothing to run: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, or leave WEBCHAT_ENABLED on');
  process.exit(1);
}

const settings = kafkaSettingsFromEnv();
const kafka = createKafka(settings, '-connector-chat');
await ensureTopics(kafka, settings.topicPrefix);
const topics = topicNames(settings.topicPrefix);
const producer = new BatchingProducer(kafka);
await producer.connect();
// Topics created a moment ago may not have a leader yet ("not the leader for that topic-partition").
const checkpoints = await withRetry(() => CheckpointStore.load(kafka, producer, topics.checkpoints), {
  attempts: 6,
  onRetry: (error, attempt) => logger.warn('loading checkpoints failed, retrying', { attempt, error }),
});

const hosted: HostedConnector[] = [];
for (const connector of connectors) hosted.push(await hostConnector(connector, { kafka, producer, topics, checkpoints, dataDir: server.DATA_DIR }));
const http = new HttpServer({ host: server.HOST, port: server.PORT });
for (const connector of connectors) http.mount(connector.routes, connector.upgrades);
const url = await http.listen();
logger.info('connector-chat ready', { url, connectors: connectors.map((c) => c.name), chat: `${url}/chat` });

stopOnSignals(async () => {
  await http.close();
  for (const h of hosted) await h.stop();
  await producer.disconnect();
}, logger);
