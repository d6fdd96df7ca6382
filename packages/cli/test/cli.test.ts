import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BatchingProducer, readDeadLetters, runConsumer, type RunningConsumer } from '@switchboard/kafka';
import { PermanentError } from '@switchboard/runtime';
import { kafkaForTest, eventually, freshDatabase, readTopic } from '@switchboard/testkit';
import { openTicketStore } from '@switchboard/ticket-store';
import { TOPIC_EXAMPLES, messageId, type RoutedMessage } from '@switchboard/schema';
import { dlqReplay, replayCommand, tailCommand, parseSince, type CliContext } from '../src/index.ts';
import { parseArgs, UsageError } from '../src/args.ts';

describe('switchboard CLI on a real broker', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let ctx: CliContext;
  const lines: string[] = [];
  const running: RunningConsumer[] = [];

  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    ctx = { kafka: env.kafka, topics: env.topics, out: (l) => lines.push(l), err: () => {} };
  });
  afterAll(async () => {
    for (const r of running) await r.stop();
    await producer.disconnect();
  });

  it('tail filters routed messages by category header and prints them', async () => {
    const routed = TOPIC_EXAMPLES.routed as { id: string; category: string };
    await producer.sendJson(env.topics.routed, [
      { key: 'a', value: { ...routed, id: 'msg_other', category: 'refund', text: 'refund please' }, headers: { category: 'refund' } },
      { key: 'b', value: routed, headers: { category: 'transaction' } },
    ]);
    lines.length = 0;
    const shown = await tailCommand(ctx, env.topics.routed, { category: 'transaction', fromBeginning: true, json: true, limit: 1 });
    expect(shown).toBe(1);
    expect(JSON.parse(lines[0]!).id).toBe(routed.id);
  });

  it('dlq replay sends a fixed poison message back through, once', async () => {
    let fixed = false;
    const handled: number[] = [];
    running.push(
      await runConsumer({
        kafka: env.kafka,
        groupId: `${env.prefix}cli-test`,
        topic: env.topics.inbound,
        schema: z.object({ n: z.number() }),
        schemaName: 'N',
        producer,
        dlqTopic: env.topics.dlq,
        handle: async (records) => {
          if (!fixed && records.some((r) => r.value.n === 7)) throw new PermanentError('seven not supported yet');
          handled.push(...records.map((r) => r.value.n));
        },
      }),
    );
    await producer.sendJson(env.topics.inbound, [{ key: 'k', value: { n: 7 } }]);
    await readTopic(env.kafka, env.topics.dlq, (rs) => rs.length >= 1);
    const [letter] = await readDeadLetters(env.kafka, env.topics.dlq);
    expect(letter!.reason).toContain('seven not supported yet');

    fixed = true;
    expect(await dlqReplay(ctx, [letter!.id], false)).toEqual({ replayed: 1, skipped: 0, notReplayable: [] });
    await eventually(() => handled.includes(7), 20_000, 'replayed message handled');
    expect(await dlqReplay(ctx, [], true)).toEqual({ replayed: 0, skipped: 1, notReplayable: [] });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(handled.filter((n) => n === 7)).toHaveLength(1);
  });

  it('replay --since re-feeds the store from the routed topic, idempotently', async () => {
    const own = await kafkaForTest();
    const ownCtx: CliContext = { kafka: own.kafka, topics: own.topics, out: () => {}, err: () => {} };
    const routed = TOPIC_EXAMPLES.routed as RoutedMessage;
    const messages = [0, 1, 2].map((n) => ({ ...routed, id: messageId('email', routed.account, `replay-${n}`), externalId: `replay-${n}`, conversationKey: `replay-${n}` }));
    await producer.sendJson(own.topics.routed, messages.map((m) => ({ key: m.conversationKey, value: m })));
    const database = await freshDatabase();
    try {
      const first = await replayCommand(ownCtx, Date.now() - 3_600_000, { url: database.url });
      expect(first).toEqual({ read: 3, inserted: 3 });
      const again = await replayCommand(ownCtx, Date.now() - 3_600_000, { url: database.url });
      expect(again).toEqual({ read: 3, inserted: 0 });
      const store = await openTicketStore({ url: database.url });
      expect((await store.stats()).messages).toBe(3);
      await store.close();
      expect((await replayCommand(ownCtx, Date.now() + 60_000, { url: database.url })).read).toBe(0);
    } finally {
      await database.drop();
    }
  });

  it('refuses unknown dead-letter ids and options with a readable error', async () => {
    await expect(dlqReplay(ctx, ['nope'], false)).rejects.toThrow(/no dead letter with id "nope"/);
    expect(() => parseArgs(['--colour'], [], [])).toThrow(UsageError);
    expect(() => parseArgs(['--since'], ['since'], [])).toThrow(/--since needs a value/);
  });

  it('reads --since as a date or a duration ago', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('2026-11-24', now)).toBe(Date.parse('2026-11-24'));
    expect(() => parseSince('soon', now)).toThrow(UsageError);
  });
});
