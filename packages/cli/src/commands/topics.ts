import { topicSize, consumerLag } from '@switchboard/kafka';
import type { CliContext } from '../context.ts';

export const topicsHelp = `switchboard topics [--json]
  Lists Switchboard's topics with their record counts and, per consumer group reading them, the lag.`;

export async function topicsCommand(ctx: CliContext, json: boolean): Promise<void> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const { groups } = await admin.listGroups();
  const described = groups.length ? await admin.describeGroups(groups.map((g) => g.groupId)) : { groups: [] };
  await admin.disconnect();
  const rows: { topic: string; records: number; lag: Record<string, number> }[] = [];
  for (const topic of Object.values(ctx.topics)) {
    if (!existing.has(topic)) continue;
    const lag: Record<string, number> = {};
    for (const group of described.groups) {
      if (group.groupId.startsWith('reader-') || group.groupId.startsWith('checkpoint-reader-')) continue;
      const admin2 = ctx.kafka.admin();
      await admin2.connect();
      const offsets = await admin2.fetchOffsets({ groupId: group.groupId, topics: [topic] }).finally(() => admin2.disconnect());
      if (offsets.some((t) => t.partitions.some((p) => p.offset !== '-1'))) lag[group.groupId] = await consumerLag(ctx.kafka, group.groupId, topic);
    }
    rows.push({ topic, records: await topicSize(ctx.kafka, topic), lag });
  }
  if (json) {
    for (const row of rows) ctx.out(JSON.stringify(row));
    return;
  }
  const width = Math.max(...rows.map((r) => r.topic.length), 5);
  ctx.out(`${'topic'.padEnd(width)}  ${'records'.padStart(9)}  lag by consumer group`);
  for (const row of rows) {
    const lag = Object.entries(row.lag).map(([g, n]) => `${g}=${n}`).join(' ') || '-';
    ctx.out(`${row.topic.padEnd(width)}  ${String(row.records).padStart(9)}  ${lag}`);
  }
}
