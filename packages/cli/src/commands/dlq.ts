import { BatchingProducer, CheckpointStore, readTopicRange } from '@switchboard/kafka';
import { DeadLetter } from '@switchboard/schema';
import type { CliContext } from '../context.ts';
import { UsageError } from '../args.ts';
import { progress } from '../progress.ts';

export const dlqHelp = `switchboard dlq list [--json]
  Lists dead letters: id, stage, reason, when, and whether it was replayed.
switchboard dlq replay (--id <id> ... | --all)
  Sends dead letters back to their source topic, with their original bytes, after a fix. Each is replayed
  once: a ledger in the checkpoint topic remembers what was replayed. Letters without a source topic
  (a connector could not parse what it received) cannot be replayed and are reported.`;

const LEDGER = { connector: 'dlq-replay', account: 'dlq' } as const;

export async function readDeadLetters(ctx: CliContext): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await readTopicRange(ctx.kafka, ctx.topics.dlq, (message) => {
    const parsed = DeadLetter.safeParse(JSON.parse(message.value?.toString() ?? 'null'));
    if (parsed.success) letters.push(parsed.data);
  });
  return letters;
}

export async function dlqList(ctx: CliContext, json: boolean): Promise<void> {
  const letters = await readDeadLetters(ctx);
  const producer = new BatchingProducer(ctx.kafka);
  const ledger = (await CheckpointStore.load(ctx.kafka, producer, ctx.topics.checkpoints)).namespace(LEDGER.connector);
  for (const l of letters) {
    const replayed = ledger.get(LEDGER.account, l.id) !== undefined;
    if (json) ctx.out(JSON.stringify({ ...l, replayed }));
    else ctx.out(`${l.failedAt.slice(0, 19)}  ${l.id}  ${l.stage}  ${replayed ? '[replayed] ' : ''}${l.reason}`);
  }
  if (!json) ctx.err(`${letters.length} dead letter(s)`);
}

export interface ReplayReport {
  replayed: number;
  skipped: number;
  /** Letters that cannot go back anywhere: no source topic (a connector could not parse what it got). */
  notReplayable: { id: string; reason: string }[];
}

export async function dlqReplay(ctx: CliContext, ids: string[], all: boolean): Promise<ReplayReport> {
  if (!all && ids.length === 0) throw new UsageError('dlq replay needs --id <id> or --all');
  const letters = await readDeadLetters(ctx);
  const chosen = all ? letters : letters.filter((l) => ids.includes(l.id));
  for (const id of ids) if (!letters.some((l) => l.id === id)) throw new UsageError(`no dead letter with id "${id}"`);
  const producer = new BatchingProducer(ctx.kafka);
  await producer.connect();
  const ledger = (await CheckpointStore.load(ctx.kafka, producer, ctx.topics.checkpoints)).namespace(LEDGER.connector);
  const bar = progress('replaying', chosen.length, ctx.err);
  let replayed = 0;
  let skipped = 0;
  const notReplayable: ReplayReport['notReplayable'] = [];
  try {
    for (const letter of chosen) {
      bar.tick();
      if (ledger.get(LEDGER.account, letter.id)) {
        skipped++;
        continue;
      }
      if (!letter.sourceTopic) {
        ctx.err(`cannot replay ${letter.id}: it has no source topic (${letter.reason})`);
        notReplayable.push({ id: letter.id, reason: `no source topic (${letter.reason})` });
        skipped++;
        continue;
      }
      await producer.send(letter.sourceTopic, [{ key: letter.key ?? null, value: Buffer.from(letter.originalValue, 'base64'), headers: { ...letter.headers, 'replayed-from-dlq': letter.id } }]);
      await ledger.save(LEDGER.account, letter.id, { replayedAt: new Date().toISOString() });
      replayed++;
    }
  } finally {
    bar.done();
    await producer.disconnect();
  }
  ctx.out(`replayed ${replayed}, skipped ${skipped} (already replayed or not replayable)`);
  return { replayed, skipped, notReplayable };
}
