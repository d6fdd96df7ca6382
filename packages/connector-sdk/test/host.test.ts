import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetter, DeliveryReport, InboundMessage, SchemaError, messageId } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { createContext, htmlToText, toIso, type Connector } from '../src/index.ts';

const idle: Connector = { name: 'fake', channels: ['api'], start: async () => {}, stop: async () => {}, health: () => ({ ready: true, status: 'ok' }) };

describe('connector host on a real broker', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
  });
  afterAll(() => producer.disconnect());

  const options = () => ({ kafka: env.kafka, producer, topics: env.topics, dataDir: mkdtempSync(join(tmpdir(), 'sdk-')) });

  it('emits valid envelopes, dead-letters invalid ones with the reason, then records the checkpoint', async () => {
    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    const ctx = createContext(idle, { ...options(), checkpoints }, new AbortController().signal);
    const good = {
      schemaVersion: 1 as const,
      id: messageId('api', 'acct', 'e1'),
      channel: 'api' as const,
      account: 'acct',
      externalId: 'e1',
      conversationKey: 'c1',
      sender: { id: 'u1' },
      text: 'hello',
      sentAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
    };
    await ctx.emit([good, { ...good, id: 'not-an-id', externalId: 'e2' }], { account: 'acct', stream: 'inbox', position: { uid: 7 } });
    const inbound = await readAll(env.kafka, env.topics.inbound);
    expect(inbound.map((r) => InboundMessage.parse(JSON.parse(r.value)).id)).toEqual([good.id]);
    expect(inbound[0]!.key).toBe('c1');
    const [letter] = (await readTopic(env.kafka, env.topics.dlq, (rs) => rs.length >= 1)).map((r) => DeadLetter.parse(JSON.parse(r.value)));
    expect(letter!.reason).toMatch(/^invalid envelope: InboundMessage: id:/);
    expect(JSON.parse(Buffer.from(letter!.originalValue, 'base64').toString()).externalId).toBe('e2');
    expect(ctx.checkpoint('acct', 'inbox')).toEqual({ uid: 7 });
  });

  it("reports a channel's later receipts on the delivery topic, keyed by the outbound id, and refuses other channels' or invalid ones", async () => {
    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    const ctx = createContext(idle, { ...options(), checkpoints }, new AbortController().signal);
    const receipt = { schemaVersion: 1 as const, outboundId: 'reply_receipt_1', ticketId: 'tkt_1', channel: 'api', status: 'read' as const, at: new Date().toISOString() };
    await ctx.reportDelivery(receipt);
    await expect(ctx.reportDelivery({ ...receipt, outboundId: 'reply_receipt_2', channel: 'email' })).rejects.toThrow(/"email" is not one of this connector's channels/);
    await expect(ctx.reportDelivery({ ...receipt, outboundId: 'reply_receipt_3', status: 'opened' as never })).rejects.toBeInstanceOf(SchemaError);
    const records = await readAll(env.kafka, env.topics.delivery);
    expect(records.map((r) => r.key)).toEqual(['reply_receipt_1']);
    expect(DeliveryReport.parse(JSON.parse(records[0]!.value))).toEqual(receipt);
  });

  it('reports a delivery by the channel id of what was sent, and refuses an invalid or foreign one', async () => {
    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    const ctx = createContext(idle, { ...options(), checkpoints }, new AbortController().signal);
    const at = new Date().toISOString();
    await ctx.reportDelivery({ schemaVersion: 1, channel: 'api', status: 'failed', externalId: 'sent-1@api.test', reason: 'returned by the peer', at });
    const byExternalId = <R extends { key: string | null }>(records: R[]) => records.filter((r) => r.key === 'api:sent-1@api.test');
    const [record] = byExternalId(await readTopic(env.kafka, env.topics.delivery, (rs) => byExternalId(rs).length >= 1));
    expect(DeliveryReport.parse(JSON.parse(record!.value))).toEqual({ schemaVersion: 1, channel: 'api', status: 'failed', externalId: 'sent-1@api.test', reason: 'returned by the peer', at });
    await expect(ctx.reportDelivery({ schemaVersion: 1, channel: 'api', status: 'failed', at })).rejects.toThrow(/outboundId/);
    await expect(ctx.reportDelivery({ schemaVersion: 1, channel: 'email', status: 'failed', externalId: 'x@y', at })).rejects.toThrow(/not one of this connector's channels/);
  });
});

describe('text helpers', () => {
  it('turns HTML into readable text', () => {
    expect(htmlToText('<p>Hello <b>Ann</b>,</p><p>see <a href="https://x.example/a">the page</a></p><img src="x.png">')).toBe('Hello Ann,\n\nsee the page [https://x.example/a]');
  });
  it('reads epoch seconds, milliseconds and strings as ISO dates', () => {
    expect(toIso(1_700_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(toIso(1_700_000_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(toIso('not a date', new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});
