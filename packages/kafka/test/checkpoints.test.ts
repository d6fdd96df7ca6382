import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaForTest, readAll } from '@switchboard/testkit';
import { BatchingProducer, CheckpointStore } from '../src/index.ts';

describe('checkpoint store on a real broker', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
  });
  afterAll(() => producer.disconnect());

  it('reloads the latest position of each key after a restart, per namespace', async () => {
    const first = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    const email = first.namespace('email');
    await email.save('acct', 'inbox', { uid: 8 });
    await email.save('acct', 'inbox', { uid: 9 });
    await email.save('other', 'inbox', { uid: 1 });
    await first.namespace('twitter').save('acct', 'inbox', { sinceId: '5' });
    const reloaded = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    expect(reloaded.namespace('email').get('acct', 'inbox')).toEqual({ uid: 9 });
    expect(reloaded.namespace('email').get('other', 'inbox')).toEqual({ uid: 1 });
    expect(reloaded.namespace('twitter').get('acct', 'inbox')).toEqual({ sinceId: '5' });
    expect(reloaded.namespace('email').get('nobody', 'inbox')).toBeUndefined();
    expect(() => reloaded.namespace('a/b')).toThrow(/without "\/"/);
  });

  it('tombstones the per-reply `sent:` keys earlier versions kept, so they stop costing every start', async () => {
    const legacy = Array.from({ length: 50 }, (_, i) => ({
      key: `email/support@wallet.test/sent:out-${i}`,
      value: { connector: 'email', account: 'support@wallet.test', stream: `sent:out-${i}`, position: { sentAt: new Date().toISOString() }, updatedAt: new Date().toISOString() },
    }));
    await producer.sendJson(env.topics.checkpoints, legacy);
    const store = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    expect(store.namespace('email').get('support@wallet.test', 'sent:out-3')).toBeUndefined();
    const records = await readAll(env.kafka, env.topics.checkpoints);
    const tombstoned = new Set(records.filter((r) => r.value === '' || r.value === null).map((r) => r.key));
    for (const { key } of legacy) expect(tombstoned.has(key), key).toBe(true);
    // A second load finds each legacy key ended by its tombstone and writes nothing more.
    await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    expect((await readAll(env.kafka, env.topics.checkpoints)).length).toBe(records.length);
  });
});
