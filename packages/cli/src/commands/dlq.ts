import { listDeadLetters, replayDeadLetters, UnknownDeadLetterError, type ReplayResult } from '@switchboard/kafka';
import type { CliContext } from '../context.ts';
import { UsageError } from '../args.ts';
import { progress } from '../progress.ts';

export const dlqHelp = `switchboard dlq list [--json]
  Lists dead letters: id, stage, reason, when, and whether it was replayed.
switchboard dlq replay (--id <id> ... | --all)
  Sends dead letters back to their source topic, with their original bytes, after a fix. Each is replayed
  once: a ledger in the checkpoint topic remembers what was replayed. Letters without a source topic
  (a connector could not parse what it received) cannot be replayed and are reported.`;

export async function dlqList(ctx: CliContext, json: boolean): Promise<void> {
  const listed = await listDeadLetters(ctx);
  for (const { letter: l, replayed } of listed) {
    if (json) ctx.out(JSON.stringify({ ...l, replayed }));
    else ctx.out(`${l.failedAt.slice(0, 19)}  ${l.id}  ${l.stage}  ${replayed ? '[replayed] ' : ''}${l.reason}`);
  }
  if (!json) ctx.err(`${listed.length} dead letter(s)`);
}

export interface ReplayReport {
  replayed: number;
  skipped: number;
  /** Letters that cannot go back anywhere: no source topic (a connector could not parse what it got). */
  notReplayable: { id: string; reason: string }[];
}

/** `dlq replay` over `replayDeadLetters` of @switchboard/kafka: the progress bar and the summary line. */
export async function dlqReplay(ctx: CliContext, ids: string[], all: boolean): Promise<ReplayReport> {
  if (!all && ids.length === 0) throw new UsageError('dlq replay needs --id <id> or --all');
  let bar: ReturnType<typeof progress> | undefined;
  let result: ReplayResult;
  try {
    result = await replayDeadLetters(ctx, {
      ids,
      all,
      onProgress: (done, total) => {
        bar ??= progress('replaying', total, ctx.err);
        if (done > 0) bar.tick();
      },
    });
    for (const { id, reason } of result.notReplayable) ctx.err(`cannot replay ${id}: it has ${reason}`);
  } catch (error) {
    if (error instanceof UnknownDeadLetterError) throw new UsageError(error.message);
    throw error;
  } finally {
    bar?.done();
  }
  const skipped = result.alreadyReplayed.length + result.notReplayable.length;
  ctx.out(`replayed ${result.replayed.length}, skipped ${skipped} (already replayed or not replayable)`);
  return { replayed: result.replayed.length, skipped, notReplayable: result.notReplayable };
}
