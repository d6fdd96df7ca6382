import { randomBytes } from 'node:crypto';
import { CompressionTypes, Partitioners, type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { InboundMessage, RoutedMessage } from '@switchboard/schema';
import { postgresDb } from '@switchboard/db';
import { migrateTicketStore } from '@switchboard/ticket-store';
import { createLogger } from '@switchboard/runtime';
import { machineBusySeconds, nowMs, waitUntil } from './harness.ts';

/** The consumer settings of @switchboard/kafka's runConsumer, so the baseline fetches batches of the same size. */
const CONSUMER_SETTINGS = { sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 100 } as const;
/** runConsumer hands at most this many records to a handler at once; the baseline forwards chunks of the same size. */
const CHUNK = 2_000;
/** As the pipeline's producer: requests stay under the broker's default 1 MiB record-batch limit. */
const MAX_REQUEST_BYTES = 900 * 1024;
/** As runConsumer's default. */
const PARTITIONS_CONCURRENTLY = 3;

function underRequestLimit<T extends { value: Buffer | null; key: Buffer | null }>(messages: T[]): T[][] {
  const parts: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = (m.value?.length ?? 0) + (m.key?.length ?? 0) + 70;
    if (current.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

export interface Relay {
  /** Records forwarded and acknowledged so far. */
  forwarded(): number;
  stop(): Promise<void>;
}

/**
 * A plain kafkajs consumer with `runConsumer`'s fetch settings that hands each partition's records to
 * `handle` in chunks of the same size, committing the chunk's offset after it.
 */
async function consumeInChunks(kafka: Kafka, topic: string, groupPrefix: string, handle: (chunk: KafkaMessage[]) => Promise<void>): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: `${groupPrefix}-${randomBytes(4).toString('hex')}`, allowAutoTopicCreation: false, ...CONSUMER_SETTINGS });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: PARTITIONS_CONCURRENTLY,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
      for (let start = 0; start < batch.messages.length; start += CHUNK) {
        if (!isRunning() || isStale()) return;
        const chunk = batch.messages.slice(start, start + CHUNK);
        await handle(chunk);
        const last = chunk[chunk.length - 1]!;
        resolveOffset(last.offset);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
        await heartbeat();
      }
    },
  });
  return consumer;
}

/**
 * Consumes `from` (`consumeInChunks`) and produces every record unchanged to `to` with an idempotent
 * acks=all producer. No parsing, no validation, no work: one Kafka hop and nothing else.
 */
export async function startRelay(kafka: Kafka, from: string, to: string): Promise<Relay> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let forwarded = 0;
  const consumer = await consumeInChunks(kafka, from, 'bench-relay', async (chunk) => {
    for (const part of underRequestLimit(chunk)) {
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [{ topic: to, messages: part.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) }],
      });
    }
    forwarded += chunk.length;
  });
  return {
    forwarded: () => forwarded,
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/**
 * The Kafka limit: one relay (`startRelay`) in this process. Returns records per second from
 * "consuming" to the last record acknowledged.
 */
export async function kafkaPassthrough(kafka: Kafka, from: string, to: string, expected: number, timeoutMs: number): Promise<number> {
  const relay = await startRelay(kafka, from, to);
  try {
    const started = nowMs();
    await waitUntil(async () => relay.forwarded() >= expected, 'kafka pass-through', timeoutMs, 20, () => `${relay.forwarded()}/${expected}`);
    return expected / ((nowMs() - started) / 1000);
  } finally {
    await relay.stop();
  }
}

const MESSAGE_COLUMNS = [
  'id', 'direction', 'conversation_id', 'channel', 'account', 'conversation_key', 'external_id', 'sender', 'subject', 'text',
  'attachments', 'meta', 'auto_submitted', 'sent_at', 'received_at', 'category', 'confidence', 'triage', 'priority', 'language',
  'redactions', 'explanation', 'classifier_version', 'routed_at',
] as const;

/** Routing fields for the raw limit's messages, which are not routed: plausible, not classified. */
function withPlausibleRouting(m: InboundMessage): RoutedMessage {
  return {
    ...m,
    category: 'transaction',
    confidence: 0.87,
    triage: false,
    priority: 'normal',
    language: 'en',
    redactions: [],
    explanation: { priorityRules: ['default'], features: ['transfer', 'arrived', 'landlord'] },
    classifierVersion: 'bench',
    routedAt: m.receivedAt,
  };
}

/** A row as the store writes one for a routed message. */
function messageRow(m: RoutedMessage): unknown[] {
  return [
    m.id, 'inbound', `cv_${m.conversationKey}`, m.channel, m.account, m.conversationKey, m.externalId, JSON.stringify(m.sender),
    m.subject ?? null, m.text, JSON.stringify(m.attachments), JSON.stringify(m.meta), null, m.sentAt, m.receivedAt,
    m.category, m.confidence, m.triage, m.priority, m.language, JSON.stringify(m.redactions), JSON.stringify(m.explanation),
    m.classifierVersion, m.routedAt,
  ];
}

/** Text-format COPY field: NULL as \N; backslash, newline, carriage return and tab escaped. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return String(value).replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

function copyText(rows: readonly RoutedMessage[]): string {
  return rows.map((m) => messageRow(m).map(copyField).join('\t')).join('\n') + '\n';
}

const copyInto = (table: string) => copyFrom(`COPY ${table} (${MESSAGE_COLUMNS.join(', ')}) FROM STDIN`);

export interface PgInsertRates {
  /** One multi-row `INSERT … VALUES` per batch, a parameter per column. */
  values: number;
  /** One `COPY … FROM STDIN` per batch (text format). */
  copy: number;
  /** The faster of the two: the limit the sink is compared with. */
  best: number;
  /** CPU time of the whole machine (client and server) per row written by COPY, in microseconds. */
  copyMachineMicrosPerRow: number;
}

/**
 * The PostgreSQL limit: every message row written into a copy of the store's `messages` table (same
 * columns, defaults, checks and indexes; no foreign keys), on one connection, one transaction per
 * batch, batches as large as the sink's, twice: by multi-row INSERT and by COPY (a table each). COPY is
 * usually the faster, and the faster is the limit. Returns rows per second of each.
 */
export async function pgInsertRate(databaseUrl: string, messages: readonly InboundMessage[], batchSize = CHUNK): Promise<PgInsertRates> {
  const db = postgresDb(databaseUrl, createLogger('bench.pg'));
  await migrateTicketStore(db);
  await db.exec('CREATE TABLE bench_raw_values (LIKE messages INCLUDING ALL); CREATE TABLE bench_raw_copy (LIKE messages INCLUDING ALL)');
  await db.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const width = MESSAGE_COLUMNS.length;
  const timed = async (table: string, writeBatch: (batch: readonly InboundMessage[]) => Promise<unknown>) => {
    const started = nowMs();
    const busyBefore = machineBusySeconds();
    for (let i = 0; i < messages.length; i += batchSize) await writeBatch(messages.slice(i, i + batchSize));
    const rate = messages.length / ((nowMs() - started) / 1000);
    const machineMicrosPerRow = ((machineBusySeconds() - busyBefore) * 1e6) / messages.length;
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
    if (Number(rows[0]!.n) !== messages.length) throw new Error(`pg baseline stored ${rows[0]!.n} of ${messages.length} rows in ${table}`);
    return { rate, machineMicrosPerRow };
  };
  try {
    const values = await timed('bench_raw_values', (batch) => {
      const placeholders = batch.map((_, row) => `(${MESSAGE_COLUMNS.map((__, col) => `$${row * width + col + 1}`).join(', ')})`).join(', ');
      return client.query(`INSERT INTO bench_raw_values (${MESSAGE_COLUMNS.join(', ')}) VALUES ${placeholders}`, batch.flatMap((m) => messageRow(withPlausibleRouting(m))));
    });
    const copy = await timed('bench_raw_copy', async (batch) => {
      const text = copyText(batch.map(withPlausibleRouting));
      await client.query('BEGIN');
      await pipeline(Readable.from([text]), client.query(copyInto('bench_raw_copy')));
      await client.query('COMMIT');
    });
    // Both wrote the same rows, or the faster one did not do the same work (COPY's escaping, say).
    const columns = MESSAGE_COLUMNS.join(', ');
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ((SELECT ${columns} FROM bench_raw_values EXCEPT SELECT ${columns} FROM bench_raw_copy)
         UNION ALL (SELECT ${columns} FROM bench_raw_copy EXCEPT SELECT ${columns} FROM bench_raw_values)) AS differing`,
    );
    if (rows[0]!.n !== '0') throw new Error(`pg baseline: ${rows[0]!.n} rows differ between INSERT and COPY`);
    return { values: values.rate, copy: copy.rate, best: Math.max(values.rate, copy.rate), copyMachineMicrosPerRow: copy.machineMicrosPerRow };
  } finally {
    await client.end();
  }
}

/**
 * The least any sink must do, as a limit for ours: consume the routed topic (`consumeInChunks`), parse
 * each record and write its message row by COPY, one transaction per chunk on a connection of its own
 * per partition handled at once. No validation, no tickets, no acknowledgements. Rows per second from
 * "consuming" to the last chunk committed, and machine CPU per row.
 */
export async function minimalSinkRate(kafka: Kafka, topic: string, databaseUrl: string, expected: number, timeoutMs: number) {
  const db = postgresDb(databaseUrl, createLogger('bench.pg'));
  await migrateTicketStore(db);
  await db.exec('CREATE TABLE bench_minimal_sink (LIKE messages INCLUDING ALL)');
  await db.close();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: PARTITIONS_CONCURRENTLY });
  let written = 0;
  const consumer = await consumeInChunks(kafka, topic, 'bench-minimal-sink', async (chunk) => {
    const text = copyText(chunk.map((record) => JSON.parse(record.value!.toString()) as RoutedMessage));
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await pipeline(Readable.from([text]), client.query(copyInto('bench_minimal_sink')));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    written += chunk.length;
  });
  try {
    const started = nowMs();
    const busyBefore = machineBusySeconds();
    await waitUntil(async () => written >= expected, 'minimal sink', timeoutMs, 20, () => `${written}/${expected}`);
    const seconds = (nowMs() - started) / 1000;
    const machineMicrosPerRow = ((machineBusySeconds() - busyBefore) * 1e6) / expected;
    const { rows } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM bench_minimal_sink');
    if (Number(rows[0]!.n) !== expected) throw new Error(`minimal sink stored ${rows[0]!.n} of ${expected} rows`);
    return { rowsPerSec: expected / seconds, machineMicrosPerRow };
  } finally {
    await consumer.disconnect();
    await pool.end();
  }
}
