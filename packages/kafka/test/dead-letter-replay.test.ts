import { beforeAll, describe, expect, it } from 'vitest';
import { kafkaForTest, readAll } from '@switchboard/testkit';
import { BatchingProducer, DeadLetterWriter, listDeadLetters, replayDeadLetters, UnknownDeadLetterError } from '../src/index.ts';

type TestKafka = Awaited<ReturnType<typeof kafkaForTest>>;

/** Two letters as the pipeline writes them: a consumer's (with its source record) and a connector's (none). */
async function writeLetters(env: TestKafka): Promise<void> {
  const producer = new BatchingProducer(env.kafka);
  await producer.connect();
  const writer = new DeadLetterWriter(producer, env.topics.dlq);
  await writer.write({
    id: `${env.topics.inbound}/0/4`,
    stage: 'router',
    reason: 'bad value',
    original: '{"n":4}',
    source: { topic: env.topics.inbound, partition: 0, offset: '4', key: 'conv-4', headers: { channel: 'api' } },
  });
  await writer.write({ id: 'connector.email/uid-9', stage: 'connector.email', reason: 'unparseable MIME', original: 'garbage' });
  await producer.disconnect();
}

describe('dead-letter listing and replay on a real broker', () => {
  let env: TestKafka;
  beforeAll(async () => {
    env = await kafkaForTest();
    await writeLetters(env);
  });

  it('replays a letter once, with its key, bytes and headers, and the ledger shows it in the listing', async () => {
    const deps = { kafka: env.kafka, topics: env.topics };
    const before = await listDeadLetters(deps);
    // The DLQ has several partitions: log order across them is not fixed.
    expect(before.map((l) => [l.letter.id, l.replayed]).sort()).toEqual([
      ['connector.email/uid-9', false],
      [`${env.topics.inbound}/0/4`, false],
    ]);

    const progress: [number, number][] = [];
    const first = await replayDeadLetters(deps, { all: true, onProgress: (done, total) => progress.push([done, total]) });
    expect(first).toEqual({
      replayed: [`${env.topics.inbound}/0/4`],
      alreadyReplayed: [],
      notReplayable: [{ id: 'connector.email/uid-9', reason: 'no source topic (unparseable MIME)' }],
    });
    expect(progress).toEqual([[0, 2], [1, 2], [2, 2]]);
    const back = await readAll(env.kafka, env.topics.inbound);
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ key: 'conv-4', value: '{"n":4}', headers: { channel: 'api', 'replayed-from-dlq': `${env.topics.inbound}/0/4` } });

    const again = await replayDeadLetters(deps, { ids: [`${env.topics.inbound}/0/4`] });
    expect(again).toEqual({ replayed: [], alreadyReplayed: [`${env.topics.inbound}/0/4`], notReplayable: [] });
    expect(await readAll(env.kafka, env.topics.inbound)).toHaveLength(1);
    const after = new Map((await listDeadLetters(deps)).map((l) => [l.letter.id, l.replayed]));
    expect(after).toEqual(new Map([[`${env.topics.inbound}/0/4`, true], ['connector.email/uid-9', false]]));
  });

  it('refuses unknown ids before sending anything', async () => {
    const deps = { kafka: env.kafka, topics: env.topics };
    const error = await replayDeadLetters(deps, { ids: ['nope', 'connector.email/uid-9'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownDeadLetterError);
    expect((error as UnknownDeadLetterError).ids).toEqual(['nope']);
    await expect(replayDeadLetters(deps, { all: true, ids: ['nope'] })).rejects.toThrow(/no dead letter with id "nope"/);
  });
});
