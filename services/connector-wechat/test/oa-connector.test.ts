import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostConnector, type ConnectorContext, type HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { createLogger } from '@switchboard/runtime';
import { DeadLetter, InboundMessage, messageId, type OutboundMessage } from '@switchboard/schema';
import { eventually, kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { createWechatConnector, UnroutableOutboundError, type WechatConnector } from '../src/index.ts';
import { APP_ID, ENCODING_AES_KEY, TOKEN, fixture, plaintextCallback, post, safeModeCallback, textMessageXml } from './wechat-peer.ts';

const config = { officialAccount: { token: TOKEN, appId: APP_ID, apiBase: 'http://127.0.0.1:9', maxSkewSeconds: 300, agentMenuKeys: [], journalAfterMs: 4_000, encodingAesKey: ENCODING_AES_KEY } };

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
    expect(all.filter((m) => m.event?.type === 'subscribe')).toHaveLength(1);
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

/** A context whose produce fails or hangs, as when the brokers are gone or stalled. */
function faultyContext(dataDir: string, emit: ConnectorContext['emit'], deadLetters: string[] = []): ConnectorContext {
  return {
    emit,
    deadLetter: async ({ reason }) => void deadLetters.push(reason),
    reportDelivery: async () => undefined,
    checkpoint: () => undefined,
    saveCheckpoint: async () => undefined,
    logger: createLogger('test'),
    signal: new AbortController().signal,
    dataDir,
  };
}

describe('WeChat connector when Kafka does not acknowledge a callback in time', () => {
  const fast = { officialAccount: { ...config.officialAccount, journalAfterMs: 300 } };
  const journalOf = (root: string) => join(root, 'wechat', 'journal', 'official-account');
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
  });
  afterAll(() => producer?.disconnect());

  it('answers "success" only once the journal has the message, and the next start delivers it to Kafka once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-wechat-journal-'));
    const stalled = createWechatConnector(fast);
    const server = new HttpServer();
    server.mount(stalled.routes);
    const base = await server.listen();
    const msgId = `6${Date.now()}`;
    try {
      // Kafka never answers: the process is as good as dead after its answer (a crash is not stopped cleanly).
      await stalled.start(faultyContext(join(root, 'wechat'), () => new Promise(() => undefined)));
      const started = Date.now();
      const response = await post(safeModeCallback(base, textMessageXml('转账失败但钱被扣了', msgId)));
      expect(await response.text()).toBe('success');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(readdirSync(journalOf(root))).toHaveLength(1);
      expect(stalled.health().status).toContain('1 journaled callbacks wait for Kafka');
    } finally {
      await server.close();
    }

    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    const restarted = await hostConnector(createWechatConnector(fast), { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir: root });
    try {
      expect(readdirSync(journalOf(root))).toEqual([]);
      await new Promise((r) => setTimeout(r, 500));
      const records = await readTopic(env.kafka, env.topics.inbound, (rs) => rs.some((r) => r.value.includes(msgId)));
      const produced = records.map((r) => InboundMessage.parse(JSON.parse(r.value))).filter((m) => m.externalId === msgId);
      expect(produced).toHaveLength(1);
      expect(produced[0]).toMatchObject({ id: messageId('wechat', APP_ID, msgId), text: '转账失败但钱被扣了' });
    } finally {
      await restarted.stop();
    }
  }, 60_000);

  it('journals at once when the produce is refused and delivers once Kafka takes it again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-wechat-journal-'));
    const produced: string[] = [];
    let refusals = 2;
    // A refusal is journaled at once, not after the 4 s a late Kafka gets.
    const connector = createWechatConnector(config);
    const server = new HttpServer();
    server.mount(connector.routes);
    const base = await server.listen();
    try {
      await connector.start(
        faultyContext(join(root, 'wechat'), async (messages) => {
          if (refusals-- > 0) throw new Error('broker unavailable');
          produced.push(...messages.map((m) => m.externalId));
        }),
      );
      const started = Date.now();
      const msgId = `5${Date.now()}`;
      expect(await (await post(safeModeCallback(base, textMessageXml('please refund', msgId)))).text()).toBe('success');
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(readdirSync(journalOf(root))).toHaveLength(1);
      await eventually(() => produced.includes(msgId), 20_000, 'the journaled callback produced');
      await eventually(() => readdirSync(journalOf(root)).length === 0, 5_000, 'the journal emptied');
      expect(produced).toEqual([msgId]);
      expect(connector.health().errors).toBe(0);
    } finally {
      await server.close();
      await connector.stop();
    }
  }, 30_000);
});
