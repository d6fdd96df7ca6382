import { fetchOffsetsRetrying, readTopicRange } from '@switchboard/kafka';
import { RoutedMessage } from '@switchboard/schema';
import type { CliContext } from '../context.ts';
import { UsageError } from '../args.ts';
import { progress } from '../progress.ts';

export const replayHelp = `switchboard replay --since <time> [--database-url url] [--data-dir dir]
  Re-feeds the ticket store from the routed topic, from <time> (ISO date/time, or "2h", "30m", "1d" ago)
  to now. Idempotent: messages already stored are left as they are. The store is DATABASE_URL, or the
  embedded PGlite under SWITCHBOARD_DATA_DIR (default .data).`;

export function parseSince(value: string, now = Date.now()): number {
  const relative = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(relative[1]) * unit;
  }
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute)) throw new UsageError(`--since: "${value}" is neither a date/time nor a duration like 2h`);
  return absolute;
}

export async function replayCommand(ctx: CliContext, since: number, store: { url?: string; dataDir?: string }): Promise<{ read: number; inserted: number }> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  const fromTime = await admin.fetchTopicOffsetsByTimestamp(ctx.topics.routed, since).finally(() => admin.disconnect());
  const startOffsets = new Map(fromTime.map((p) => [p.partition, p.offset]));
  // Loaded here, not at the top: the other commands should not pay for loading a database driver.
  const { openTicketStore } = await import('@switchboard/ticket-store');
  const ticketStore = await openTicketStore(store);
  const admin2 = ctx.kafka.admin();
  await admin2.connect();
  const ends = await fetchOffsetsRetrying(admin2, ctx.topics.routed).finally(() => admin2.disconnect());
  const total = ends.reduce((sum, p) => {
    const start = BigInt(startOffsets.get(p.partition) ?? p.high);
    return sum + Number(BigInt(p.high) - (start < 0n ? BigInt(p.high) : start));
  }, 0);
  const bar = progress('replaying routed messages', total, ctx.err);
  let batch: RoutedMessage[] = [];
  let inserted = 0;
  let read = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    inserted += (await ticketStore.writeRouted(batch)).inserted.length;
    bar.tick(batch.length);
    batch = [];
  };
  try {
    // An offset of -1 means no record at or after `since` in that partition: nothing to read there.
    const usable = new Map([...startOffsets].filter(([, offset]) => offset !== '-1'));
    if (usable.size > 0) {
      for (const p of ends) if (!usable.has(p.partition)) usable.set(p.partition, p.high);
      await readTopicRange(
        ctx.kafka,
        ctx.topics.routed,
        async (message) => {
          read++;
          const parsed = RoutedMessage.safeParse(JSON.parse(message.value?.toString() ?? 'null'));
          if (parsed.success) batch.push(parsed.data);
          if (batch.length >= 500) await flush();
        },
        { startOffsets: usable },
      );
    }
    await flush();
  } finally {
    bar.done();
    await ticketStore.close();
  }
  ctx.out(`read ${read} routed message(s) since ${new Date(since).toISOString()}; ${inserted} were missing from the store and are now in it`);
  return { read, inserted };
}
