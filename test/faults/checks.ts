import pg from 'pg';
import type { Kafka } from 'kafkajs';
import { consumerLag, topicSize } from '@switchboard/kafka';
import { readAll } from '@switchboard/testkit';
import { consumerGroup, type TopicNames } from '@switchboard/schema';

/**
 * The run's messages: produced ones carry `meta.faultsRun`; mailed ones have Message-IDs `<runId>-<n>@…`.
 * Counting distinct external ids, a message stored twice under two ids would show as a duplicate.
 */
const OF_RUN = `(meta->>'faultsRun' = $1 OR external_id LIKE $1 || '-%')`;

export interface StoreCounts {
  stored: number;
  distinctIds: number;
  tickets: number;
  /** Tickets whose message_count differs from the messages actually on them. */
  wrongCounts: number;
  /** Conversations with more than one ticket (a duplicate ticket). */
  duplicateTickets: number;
}

export async function storeCounts(client: pg.Client, runId: string): Promise<StoreCounts> {
  const messages = await client.query<{ stored: string; distinct_ids: string }>(
    `SELECT count(*) AS stored, count(DISTINCT external_id) AS distinct_ids FROM messages WHERE direction = 'inbound' AND ${OF_RUN}`,
    [runId],
  );
  const tickets = await client.query<{ tickets: string; wrong: string }>(
    `SELECT count(*) AS tickets,
            count(*) FILTER (WHERE t.message_count <> (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'inbound')) AS wrong
       FROM tickets t JOIN conversations c ON c.id = t.conversation_id
      WHERE c.conversation_key LIKE $1`,
    [`%${runId}%`],
  );
  const dupes = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT t.conversation_id FROM tickets t JOIN conversations c ON c.id = t.conversation_id
       WHERE c.conversation_key LIKE $1 GROUP BY t.conversation_id HAVING count(*) > 1) d`,
    [`%${runId}%`],
  );
  return {
    stored: Number(messages.rows[0]!.stored),
    distinctIds: Number(messages.rows[0]!.distinct_ids),
    tickets: Number(tickets.rows[0]!.tickets),
    wrongCounts: Number(tickets.rows[0]!.wrong),
    duplicateTickets: Number(dupes.rows[0]!.n),
  };
}

/**
 * Conversations whose messages were stored out of order: by storage time, the sequence numbers of a
 * conversation must rise (a conversation is one Kafka key, so one partition, so one ordered stream).
 */
export async function reorderedConversations(client: pg.Client, runId: string): Promise<number> {
  const rows = await client.query<{ conversation_key: string; seqs: number[] }>(
    `SELECT conversation_key, array_agg((meta->>'seq')::int ORDER BY stored_at, sent_at) AS seqs
       FROM messages WHERE direction = 'inbound' AND meta ? 'seq' AND ${OF_RUN} GROUP BY conversation_key`,
    [runId],
  );
  return rows.rows.filter((r) => r.seqs.some((s, i) => i > 0 && s < r.seqs[i - 1]!)).length;
}

export async function pipelineLag(kafka: Kafka, topics: TopicNames): Promise<number> {
  const [router, sink] = await Promise.all([
    consumerLag(kafka, consumerGroup(topics, 'switchboard-router'), topics.inbound),
    consumerLag(kafka, consumerGroup(topics, 'switchboard-ticket-sink'), topics.routed),
  ]);
  return router + sink;
}

export function dlqSize(kafka: Kafka, topics: TopicNames): Promise<number> {
  return topicSize(kafka, topics.dlq);
}

/**
 * What the customers were answered automatically: every ticket of the run on an acknowledged channel
 * has its acknowledgement recorded, and the outbound topic holds exactly one acknowledgement id per
 * such ticket and none for any other. The same id produced twice (a crash between produce and record)
 * is allowed: the connector sends an id once. Two different ids for one ticket would be two answers.
 */
export async function ackProblems(client: pg.Client, kafka: Kafka, topics: TopicNames, runId: string, ackChannels: readonly string[]): Promise<string[]> {
  const tickets = await client.query<{ id: string; channel: string; ack_outbound_id: string | null }>(
    `SELECT t.id, t.channel, t.ack_outbound_id FROM tickets t JOIN conversations c ON c.id = t.conversation_id WHERE c.conversation_key LIKE $1`,
    [`%${runId}%`],
  );
  const owed = new Set(tickets.rows.filter((t) => ackChannels.includes(t.channel)).map((t) => t.id));
  const problems: string[] = [];
  if (ackChannels.length > 0 && owed.size === 0) problems.push(`no ticket of the run on ${ackChannels.join(', ')}: the acknowledgements went unchecked`);
  const unrecorded = tickets.rows.filter((t) => owed.has(t.id) && t.ack_outbound_id === null).length;
  if (unrecorded) problems.push(`${unrecorded} of ${owed.size} tickets owed an acknowledgement have none recorded`);
  const idsByTicket = new Map<string, Set<string>>();
  for (const record of await readAll(kafka, topics.outbound)) {
    const outbound = JSON.parse(record.value) as { id: string; kind: string; ticketId: string };
    if (outbound.kind !== 'ack') continue;
    idsByTicket.set(outbound.ticketId, (idsByTicket.get(outbound.ticketId) ?? new Set()).add(outbound.id));
  }
  const unexpected = [...idsByTicket.keys()].filter((id) => !owed.has(id)).length;
  if (unexpected) problems.push(`${unexpected} tickets acknowledged that are owed none`);
  const answeredTwice = [...idsByTicket.values()].filter((ids) => ids.size > 1).length;
  if (answeredTwice) problems.push(`${answeredTwice} tickets acknowledged under two different ids`);
  const neverProduced = [...owed].filter((id) => !idsByTicket.has(id)).length;
  if (neverProduced) problems.push(`${neverProduced} of ${owed.size} tickets owed an acknowledgement have none on the outbound topic`);
  return problems;
}
