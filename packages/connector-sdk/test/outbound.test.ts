import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetter, DeliveryReport, type OutboundMessage } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { PermanentError } from '@switchboard/runtime';
import { eventually, kafkaForTest, readAll } from '@switchboard/testkit';
import { hostConnector, type Connector, type HostedConnector, type SendResult } from '../src/index.ts';

type TestKafka = Awaited<ReturnType<typeof kafkaForTest>>;

/** A connector whose sends are counted per outbound id; `fail` decides what a send throws. */
function countingConnector(name: string, fail: (message: OutboundMessage) => Error | undefined = () => undefined) {
  const sends = new Map<string, number>();
  const connector: Connector = {
    name,
    channels: ['api'],
    start: async () => {},
    stop: async () => {},
    health: () => ({ ready: true, status: 'ok' }),
    async send(message): Promise<SendResult> {
      sends.set(message.id, (sends.get(message.id) ?? 0) + 1);
      const error = fail(message);
      if (error) throw error;
      // A send takes a moment, as a real channel's does: a rebalance can land in the middle of one.
      await new Promise((r) => setTimeout(r, 5));
      return { externalId: `ext-${message.id}` };
    },
  };
  return { connector, sends };
}

function outbound(id: string, conversation: number): OutboundMessage {
  return {
    schemaVersion: 1,
    id,
    kind: 'reply',
    ticketId: `tkt-${conversation}`,
    ticketNumber: `SB-${String(conversation).padStart(6, '0')}`,
    channel: 'api',
    account: 'acct',
    conversationKey: `conv-${conversation}`,
    recipient: { id: `customer-${conversation}` },
    public: false,
    text: `reply ${id}`,
    createdAt: new Date().toISOString(),
    meta: {},
  };
}

describe('outbound through the connector host, on a real broker', () => {
  let env: TestKafka;
  let producer: BatchingProducer;
  const hosted: HostedConnector[] = [];
  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
  });
  // Every test's connectors consume the one outbound topic: each test stops its own.
  afterEach(async () => {
    for (const h of hosted.splice(0)) await h.stop().catch(() => undefined);
  });
  afterAll(() => producer.disconnect());

  const host = async (connector: Connector, extra: { duplicateWindowMs?: number } = {}) => {
    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    const h = await hostConnector(connector, {
      kafka: env.kafka,
      producer,
      topics: env.topics,
      checkpoints,
      dataDir: mkdtempSync(join(tmpdir(), 'sdk-out-')),
      sendBudget: { attempts: 3, initialMs: 10, maxMs: 20, why: 'a short test' },
      ...extra,
    });
    hosted.push(h);
    return h;
  };
  const produce = (messages: OutboundMessage[]) => producer.sendJson(env.topics.outbound, messages.map((m) => ({ key: m.conversationKey, value: m })));
  const reportsOf = async (ids: Set<string>) =>
    (await readAll(env.kafka, env.topics.delivery)).map((r) => DeliveryReport.parse(JSON.parse(r.value))).filter((r) => r.outboundId !== undefined && ids.has(r.outboundId));
  const unique = (what: string) => `${what}-${randomBytes(3).toString('hex')}`;

  it('tries a permanent error once and reports it failed; an unclassified one within the send budget', async () => {
    const { connector, sends } = countingConnector(unique('failing'), (m) => (m.id.startsWith('perm') ? new PermanentError('no such recipient') : new Error('the peer said something odd')));
    await host(connector);
    const ids = new Set([unique('perm'), unique('odd')]);
    await produce([...ids].map((id, i) => outbound(id, i)));
    const reports = await eventually(async () => {
      const found = await reportsOf(ids);
      return found.length === 2 ? found : undefined;
    }, 20_000, 'both reported failed');
    const [perm, odd] = [...ids];
    expect(sends.get(perm!), 'a permanent error: one attempt').toBe(1);
    expect(sends.get(odd!), 'an unclassified error: the whole budget').toBe(3);
    expect(reports.every((r) => r.status === 'failed')).toBe(true);
    expect(reports.find((r) => r.outboundId === perm)!.reason).toBe('no such recipient');
    const letters = (await readAll(env.kafka, env.topics.dlq)).map((r) => DeadLetter.parse(JSON.parse(r.value)));
    expect(letters.filter((l) => l.id === `${connector.name}/outbound/${perm}`)).toHaveLength(1);
  });

  it('sends each id once across two replicas, a rebalance in the middle and ids produced twice', async () => {
    const name = unique('replicated');
    const first = countingConnector(name);
    const second = countingConnector(name);
    const ids = Array.from({ length: 120 }, (_, i) => `r${i}-${name}`);
    const messages = ids.map((id, i) => outbound(id, i % 12));
    await host(first.connector);
    await produce(messages.slice(0, 60));
    // The second replica joins while the first sends: partitions move between them mid-stream.
    await eventually(() => first.sends.size >= 20, 20_000, 'the first replica sending');
    await host(second.connector);
    await produce(messages.slice(60));
    // Produced twice (as a sink does after a crash between producing an acknowledgement and recording it).
    await produce(messages.filter((_, i) => i % 10 === 0));
    await eventually(() => ids.every((id) => (first.sends.get(id) ?? 0) + (second.sends.get(id) ?? 0) >= 1), 60_000, 'every id sent');
    await new Promise((r) => setTimeout(r, 1_500));
    const twice = ids.filter((id) => (first.sends.get(id) ?? 0) + (second.sends.get(id) ?? 0) !== 1);
    expect(twice, 'ids not sent exactly once').toEqual([]);
    expect(first.sends.size, 'both replicas took part').toBeGreaterThan(0);
    expect(second.sends.size, 'both replicas took part').toBeGreaterThan(0);
    const reports = await reportsOf(new Set(ids));
    expect(new Set(reports.filter((r) => r.status === 'sent').map((r) => r.outboundId)).size).toBe(ids.length);
  });

  it('a restarted replica reads back the ledger from its last commit, not its history', async () => {
    const name = unique('restarted');
    const before = countingConnector(name);
    const h = await host(before.connector, { duplicateWindowMs: 0 });
    const ids = Array.from({ length: 80 }, (_, i) => `h${i}-${name}`);
    await produce(ids.map((id, i) => outbound(id, i % 6)));
    await eventually(() => ids.every((id) => before.sends.has(id)), 30_000, 'every id sent');
    await new Promise((r) => setTimeout(r, 500));
    await h.stop();
    const after = countingConnector(name);
    const restarted = await host(after.connector, { duplicateWindowMs: 0 });
    // Each commit stored the ledger position its follower had reached: what is read back is the few
    // entries written after it (the last marks), not the 160 of this connector's history.
    expect(restarted.ledger!.readBack).toBeLessThanOrEqual(6);
    await produce([outbound(`new-${name}`, 1)]);
    await eventually(() => after.sends.has(`new-${name}`), 20_000, 'the new reply sent');
    expect(ids.filter((id) => after.sends.has(id)), 'nothing of before was sent again').toEqual([]);
  });
});
