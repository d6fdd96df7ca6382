import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostConnector, type ConnectorContext, type HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { createLogger } from '@switchboard/runtime';
import { DeadLetter, InboundMessage, messageId, type OutboundMessage } from '@switchboard/schema';
import { kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { createWechatConnector, UnroutableOutboundError, type WechatConnector } from '../src/index.ts';
import { APP_ID, ENCODING_AES_KEY, TOKEN, fixture, plaintextCallback, post, safeModeCallback, textMessageXml } from './wechat-peer.ts';

const config = { officialAccount: { token: TOKEN, appId: APP_ID, apiBase: 'http://127.0.0.1:9', maxSkewSeconds: 300, encodingAesKey: ENCODING_AES_KEY } };

describe('WeChat connector, Official Account part, on Kafka', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let hosted: HostedConnector;
  let connector: WechatConnector;
  const server = new HttpServer();
  let base = '';
  const run = Date.now().toString(36);

  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    connector = createWechatConnector(config);
    server.mount(connector.routes);
    base = await server.listen();
    expect(connector.health().ready).toBe(false);
    expect((await post(safeModeCallback(base, textMessageXml('too early', `${Date.now()}1`)))).status).toBe(503);
    hosted = await hostConnector(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir: mkdtempSync(join(tmpdir(), 'sb-wechat-oa-')) });
  });

  afterAll(async () => {
    await server.close();
    await hosted?.stop();
    await producer?.disconnect();
  });

  it('is ready once started', () => {
    expect(connector.health()).toMatchObject({ ready: true, status: 'officialAccount: listening for callbacks' });
  });

  it("turns WeChat's retries of one MsgId (new nonce each time) into one message", async () => {
    const msgId = `7${Date.now()}`;
    const xml = textMessageXml(`retry-${run} 提现失败`, msgId);
    for (let i = 0; i < 3; i++) {
      const response = await post(safeModeCallback(base, xml));
      expect(await response.text()).toBe('success');
    }
    const subscribe = fixture('oa-subscribe.xml').replace('1764000070', String(Math.floor(Date.now() / 1000)));
    await post(safeModeCallback(base, subscribe));
    await post(safeModeCallback(base, subscribe));

    const records = await readTopic(env.kafka, env.topics.inbound, (rs) => rs.some((r) => r.value.includes('"subscribe"')));
    await new Promise((r) => setTimeout(r, 500));
    const all = (await readAll(env.kafka, env.topics.inbound)).map((r) => InboundMessage.parse(JSON.parse(r.value)));
    expect(records.length).toBeGreaterThan(0);
    const texts = all.filter((m) => m.externalId === msgId);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ id: messageId('wechat', APP_ID, msgId), text: `retry-${run} 提现失败`, conversationKey: `oa:${APP_ID}:oXk2t5Ecj3K8Wm9nQ4rLp1vB7dY0` });
    expect(all.filter((m) => m.meta.event === 'subscribe')).toHaveLength(1);
  });

  it('refuses an XXE callback with 400: nothing on the inbound topic, the XML kept in the DLQ', async () => {
    const response = await post(safeModeCallback(base, fixture('oa-xxe.xml')));
    expect(response.status).toBe(400);
    const letters = await readTopic(env.kafka, env.topics.dlq, (rs) => rs.length >= 1);
    const letter = DeadLetter.parse(JSON.parse(letters[0]!.value));
    expect(letter.reason).toMatch(/DOCTYPE/);
    expect(Buffer.from(letter.originalValue, 'base64').toString('utf8')).toBe(fixture('oa-xxe.xml'));
    const inbound = await readAll(env.kafka, env.topics.inbound);
    expect(inbound.filter((r) => r.value.includes('24581302561048583'))).toHaveLength(0);
  });

  it('refuses a plaintext callback when safe mode is configured', async () => {
    expect((await post(plaintextCallback(base, textMessageXml('plain', '1')))).status).toBe(401);
  });

  it('says clearly why an outbound message cannot be routed', async () => {
    const message = { conversationKey: 'slack:C1', text: 'x' } as OutboundMessage;
    await expect(connector.send(message)).rejects.toThrow(UnroutableOutboundError);
    await expect(connector.send({ ...message, conversationKey: `oa:${APP_ID}:o1` })).rejects.toThrow(/WECHAT_OA_APPSECRET/);
  });
});

describe('WeChat connector when Kafka refuses a callback it already answered', () => {
  it('dead-letters the XML instead of losing it', async () => {
    const deadLetters: { reason: string; raw: string }[] = [];
    // Fault injection: a context whose produce fails, as when every broker is gone.
    const context: ConnectorContext = {
      emit: async () => {
        throw new Error('broker unavailable');
      },
      deadLetter: async ({ reason, raw }) => void deadLetters.push({ reason, raw: raw.toString() }),
      reportDelivery: async () => undefined,
      checkpoint: () => undefined,
      saveCheckpoint: async () => undefined,
      logger: createLogger('test'),
      signal: new AbortController().signal,
      dataDir: tmpdir(),
    };
    const connector = createWechatConnector(config);
    const server = new HttpServer();
    server.mount(connector.routes);
    const base = await server.listen();
    try {
      await connector.start(context);
      const xml = textMessageXml('please refund', `8${Date.now()}`);
      expect(await (await post(safeModeCallback(base, xml))).text()).toBe('success');
      await connector.stop(); // waits for the background emit and its retries
      expect(deadLetters).toHaveLength(1);
      expect(deadLetters[0]!.raw).toBe(xml);
      expect(deadLetters[0]!.reason).toContain('broker unavailable');
      expect(connector.health().errors).toBe(1);
    } finally {
      await server.close();
    }
  });
});
