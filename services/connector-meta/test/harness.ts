/**
 * The Meta connector hosted on the real broker, with the fake Graph API as Meta: what the connector
 * tests share. Ids and tokens look like Meta's; every one of them is made up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryReport, type OutboundMessage } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { RETRY_BUDGETS } from '@switchboard/runtime';
import { HttpServer } from '@switchboard/http';
import { hostConnector, type HostedConnector } from '@switchboard/connector-sdk';
import { kafkaForTest, readTopic } from '@switchboard/testkit';
import { conversationKeyOf, MetaConnector, WEBHOOK_PATH, type MetaConfig } from '../src/index.ts';
import { FakeGraph } from './fake-graph.ts';

export const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const VERIFY_TOKEN = 'wallet-verify-token-77';
export const PAGE = { pageId: '104582371938211', igId: '17841405793187218', token: 'EAAGPageTokenForTheTests0000000001' };
export const NUMBER = { phoneNumberId: '106540352242922', token: 'EAAGWhatsAppTokenForTheTests000001', templates: [{ name: 'support_reply', language: 'en_US', parameters: 2 }] };
export const PSID = '6543210987654321';
export const IGSID = '912345678901234';
export const WA_ID = '16505551234';

export function metaConfig(graphBase: string, overrides: Partial<MetaConfig> = {}): MetaConfig {
  return {
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    graphBase,
    pageAccessToken: PAGE.token,
    whatsapp: { accessToken: NUMBER.token, phoneNumberId: NUMBER.phoneNumberId, template: { name: 'support_reply', language: 'en_US', parameters: ['ticket', 'text'] } },
    ...overrides,
  };
}

export async function startFakeGraph(): Promise<FakeGraph> {
  const fake = new FakeGraph();
  fake.addPage(PAGE);
  fake.addNumber(NUMBER);
  await fake.listen();
  return fake;
}

/** An outbound reply to a Meta customer, as the reply API builds it. */
export function outbound(channel: 'messenger' | 'instagram' | 'whatsapp', id: string, text: string, replyMode?: string): OutboundMessage {
  const account = channel === 'messenger' ? PAGE.pageId : channel === 'instagram' ? PAGE.igId : NUMBER.phoneNumberId;
  const customer = channel === 'messenger' ? PSID : channel === 'instagram' ? IGSID : WA_ID;
  return {
    schemaVersion: 1,
    id,
    kind: 'reply',
    ticketId: `tkt_${id}`,
    ticketNumber: 'SB-000042',
    channel,
    account,
    conversationKey: conversationKeyOf(channel, account, customer),
    recipient: { id: customer },
    public: false,
    text,
    createdAt: new Date().toISOString(),
    ...(replyMode ? { replyMode } : {}),
    meta: {},
  };
}

export interface Harness {
  fake: FakeGraph;
  connector: MetaConnector;
  /** The webhook's URL. */
  url: string;
  env: Awaited<ReturnType<typeof kafkaForTest>>;
  /** The connector's own data folder (kept files are under it). */
  dataDir: string;
  /** Queues `message` on the outbound topic. */
  publish(message: OutboundMessage): Promise<void>;
  /** The delivery reports of `outboundId` once there are `count` of them. */
  reportsOf(outboundId: string, count: number): Promise<DeliveryReport[]>;
  stop(): Promise<void>;
}

export async function startHarness(config: (graphBase: string) => MetaConfig = metaConfig): Promise<Harness> {
  const fake = await startFakeGraph();
  const env = await kafkaForTest();
  const producer = new BatchingProducer(env.kafka);
  await producer.connect();
  const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
  // This machine is offline: the fixtures' links to Meta's CDN fail at once, as an unreachable host does.
  const offline: typeof fetch = (url, init) => (new URL(String(url)).hostname === '127.0.0.1' ? fetch(url, init) : Promise.reject(new TypeError('fetch failed')));
  const connector = new MetaConnector(config(fake.base), { fetch: offline });
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-meta-'));
  const server = new HttpServer();
  server.mount(connector.routes);
  const url = `${await server.listen()}${WEBHOOK_PATH}`;
  fake.webhook = { url, appSecret: APP_SECRET };
  const hosted: HostedConnector = await hostConnector(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir, sendBudget: { ...RETRY_BUDGETS['connector.send'], attempts: 3, initialMs: 50 } });
  return {
    fake,
    connector,
    url,
    env,
    dataDir: join(dataDir, connector.name),
    publish: (message) => producer.sendJson(env.topics.outbound, [{ key: message.conversationKey, value: message }]).then(() => undefined),
    async reportsOf(outboundId, count) {
      const mine = (records: { value: string }[]) => records.map((r) => DeliveryReport.parse(JSON.parse(r.value))).filter((r) => r.outboundId === outboundId);
      return mine(await readTopic(env.kafka, env.topics.delivery, (records) => mine(records).length >= count, 30_000));
    },
    async stop() {
      await hosted.stop();
      await producer.disconnect();
      await server.close();
      await fake.close();
    },
  };
}
