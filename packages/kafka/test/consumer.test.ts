import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeadLetter } from '@switchboard/schema';
import { kafkaForTest, readAll, readTopic, eventually } from '@switchboard/testkit';
import { isPermanent, PermanentError, TransientError } from '@switchboard/runtime';
import { BatchingProducer, runConsumer, consumerLag, type RunningConsumer } from '../src/index.ts';

const Item = z.object({ n: z.number().int() });

describe('consumer runner on a real broker', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  const running: RunningConsumer[] = [];

  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
  });
  afterAll(async () => {
    for (const c of running) await c.stop();
    await producer.disconnect();
  });

  it('coalesces concurrent sends and keeps per-key order', async () => {
    const sends = Array.from({ length: 200 }, (_, n) => producer.sendJson(env.topics.routed, [{ key: `k${n % 3}`, value: { n } }]));
    await Promise.all(sends);
    const records = await readTopic(env.kafka, env.topics.routed, (rs) => rs.length >= 200);
    expect(records).toHaveLength(200);
    for (const key of ['k0', 'k1', 'k2']) {
      const ns = records.filter((r) => r.key === key).map((r) => (JSON.parse(r.value) as { n: number }).n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
  });

  it('sends more than the broker takes in one request (1 MiB) in several, and never retries a refusal forever', async () => {
    const big = 'x'.repeat(5_000);
    const records = Array.from({ length: 600 }, (_, n) => ({ key: `big${n % 4}`, value: JSON.stringify({ n, big }) }));
    const metadata = await producer.send(env.topics.outbound, records);
    expect(metadata.length).toBeGreaterThan(0);
    expect((await readTopic(env.kafka, env.topics.outbound, (rs) => rs.length >= 600)).length).toBe(600);
    const tooLarge = producer.send(env.topics.outbound, [{ key: 'huge', value: 'y'.repeat(2 * 1024 * 1024) }]);
    await expect(tooLarge).rejects.toThrow();
    expect(isPermanent(await tooLarge.catch((e: unknown) => e)), 'kafkajs flags the refusal retriable: false').toBe(true);
  });

  it('dead-letters bad JSON, schema violations, a record that always fails and a permanent failure at once; retries transient failures; commits', async () => {
    const handled: number[] = [];
    const permanentCalls: number[] = [];
    let transientLeft = 2;
    await producer.send(env.topics.inbound, [
      { key: 'a', value: JSON.stringify({ n: 1 }) },
      { key: 'a', value: '{not json' },
      { key: 'a', value: JSON.stringify({ n: 'two' }) },
      { key: 'a', value: JSON.stringify({ n: 13 }) },
      { key: 'a', value: JSON.stringify({ n: 4 }) },
      { key: 'a', value: JSON.stringify({ n: 66 }) },
    ]);
    const groupId = `${env.prefix}group`;
    running.push(
      await runConsumer({
        kafka: env.kafka,
        groupId,
        topic: env.topics.inbound,
        schema: Item,
        schemaName: 'Item',
        producer,
        dlqTopic: env.topics.dlq,
        unclassifiedBudget: { attempts: 2, initialMs: 10, maxMs: 10, why: 'a short test' },
        handle: async (records) => {
          if (transientLeft > 0) {
            transientLeft--;
            throw new TransientError('store unavailable');
          }
          if (records.some((r) => r.value.n === 13)) throw new Error('thirteen is unlucky');
          if (records.some((r) => r.value.n === 66)) {
            permanentCalls.push(records.length);
            throw new PermanentError('sixty-six can never be stored');
          }
          handled.push(...records.map((r) => r.value.n));
        },
      }),
    );
    const letters = (await readTopic(env.kafka, env.topics.dlq, (rs) => rs.length >= 4)).map((r) => DeadLetter.parse(JSON.parse(r.value)));
    expect(letters.map((l) => l.reason)).toEqual([
      expect.stringMatching(/^invalid JSON/),
      expect.stringMatching(/^schema violation: Item: n:/),
      expect.stringMatching(/^handler failed: thirteen is unlucky/),
      expect.stringMatching(/^handler failed: sixty-six can never be stored/),
    ]);
    expect(letters[3]).toMatchObject({ errorName: 'PermanentError', sourceTopic: env.topics.inbound, offset: '5', key: 'a' });
    expect(Buffer.from(letters[0]!.originalValue, 'base64').toString()).toBe('{not json');
    expect(letters[2]!.offset).toBe('3');
    await eventually(() => handled.includes(4) && handled.includes(1), 20_000, 'good records handled');
    expect(handled.filter((n) => n === 1)).toHaveLength(1);
    await eventually(async () => (await consumerLag(env.kafka, groupId, env.topics.inbound)) === 0, 20_000, 'lag 0');
    expect(await readAll(env.kafka, env.topics.dlq)).toHaveLength(4);
    // Once as part of a batch (which is then split), once alone: never a retry of the same call.
    expect(permanentCalls.filter((n) => n === 1)).toHaveLength(1);
    expect(handled.sort()).toEqual([1, 4]);
  });
});
