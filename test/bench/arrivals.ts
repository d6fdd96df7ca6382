/**
 * When messages reach the store, as a person reading it would see them: a poller asks PostgreSQL every
 * POLL_MS for the messages it waits for, and a message's arrival is the start of the first query that
 * sees its row (so after the commit of the transaction that wrote it and its ticket). It overstates by
 * at most one poll interval plus one query. And an offered load: messages produced at a steady rate,
 * each stamped (`meta.benchSentAt`) just before its send.
 */
import pg from 'pg';
import type { BatchingProducer } from '@switchboard/kafka';
import type { InboundMessage } from '@switchboard/schema';
import { nowMs, percentile } from './harness.ts';

export const POLL_MS = 10;

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface Arrival {
  /** When the first query that saw the row started (ms since the epoch, sub-ms precision). */
  seenAt: number;
  /** `meta.benchSentAt` of the row, when the offered load stamped it. */
  stamp?: number;
  /** The writing transaction's start (`stored_at`): a lower bound of its commit. */
  storedAt: number;
  /** The router's stamp (`routed_at`). */
  routedAt: number;
  /** The connector's stamp (`received_at`: when it read the message from its channel). */
  receivedAt: number;
}

/** Watches the store's inbound messages by `id` or by `external_id` (what a connector knows before the id exists). */
export class ArrivalWatcher {
  readonly arrivals = new Map<string, Arrival>();
  private pending: string[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private failure: unknown;

  private constructor(
    private readonly client: pg.Client,
    private readonly column: 'id' | 'external_id',
    private readonly withTicket: boolean,
  ) {}

  /** `withTicket`: a row counts only once it belongs to a ticket. */
  static async open(databaseUrl: string, column: 'id' | 'external_id' = 'id', withTicket = false): Promise<ArrivalWatcher> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const watcher = new ArrivalWatcher(client, column, withTicket);
    watcher.running = true;
    watcher.loop = watcher.poll();
    return watcher;
  }

  expect(key: string): void {
    this.pending.push(key);
  }

  get waiting(): number {
    return this.pending.length;
  }

  /** Resolves once nothing is awaited any more, or after `timeoutMs` (then `waiting` says how many never came). */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = nowMs() + timeoutMs;
    while (this.pending.length > 0 && nowMs() < deadline) {
      if (this.failure) throw this.failure;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.client.end();
  }

  private async poll(): Promise<void> {
    while (this.running) {
      try {
        if (this.pending.length > 0) await this.look(this.pending.slice(0, 5_000));
      } catch (error) {
        this.failure = error;
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async look(asked: string[]): Promise<void> {
    const pollStart = nowMs();
    const { rows } = await this.client.query<{ key: string; stamp: string | null; stored: string; routed: string; received: string }>(
      `SELECT ${this.column} AS key, (meta->>'benchSentAt') AS stamp, (extract(epoch FROM stored_at) * 1000)::text AS stored,
         (extract(epoch FROM routed_at) * 1000)::text AS routed, (extract(epoch FROM received_at) * 1000)::text AS received
       FROM messages WHERE direction = 'inbound' AND ${this.column} = ANY($1::text[])${this.withTicket ? ' AND ticket_id IS NOT NULL' : ''}`,
      [asked],
    );
    if (rows.length === 0) return;
    for (const row of rows) {
      this.arrivals.set(row.key, {
        seenAt: pollStart,
        ...(row.stamp !== null ? { stamp: Number(row.stamp) } : {}),
        storedAt: Number(row.stored),
        routedAt: Number(row.routed),
        receivedAt: Number(row.received),
      });
    }
    this.pending = this.pending.filter((key) => !this.arrivals.has(key));
  }
}

/**
 * Produces `messages` at `rate` per second (a tick every 10 ms sends what is due), each stamped just
 * before its send; `onSent` hears each message with its stamp. Resolves when the last one is sent,
 * or earlier when `signal` aborts.
 */
export async function offerAtRate(
  producer: BatchingProducer,
  topic: string,
  messages: readonly InboundMessage[],
  rate: number,
  onSent: (message: InboundMessage, stamp: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  let sendError: unknown;
  let sent = 0;
  const started = nowMs();
  while (sent < messages.length && !signal?.aborted) {
    if (sendError) throw sendError;
    const due = Math.min(messages.length, Math.floor((rate * (nowMs() - started)) / 1000));
    if (due > sent) {
      const records = messages.slice(sent, due).map((m) => {
        const stamp = nowMs();
        onSent(m, stamp);
        return { key: m.conversationKey, value: JSON.stringify({ ...m, meta: { ...m.meta, benchSentAt: stamp } }) };
      });
      sent = due;
      producer.send(topic, records).catch((error: unknown) => (sendError = error));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round1(percentile(sorted, 50)), p95: round1(percentile(sorted, 95)), p99: round1(percentile(sorted, 99)), max: round1(sorted[sorted.length - 1] ?? Number.NaN) };
}

export interface LatencyResult {
  latencyMs: LatencySummary;
  lowerBoundMs: LatencySummary;
  untilRoutedMs: LatencySummary;
  samples: number;
  missing: number;
  offered: number;
}

/**
 * Latency of the pipeline under an offered load: `messages` at `rate`, each message's latency its
 * arrival in the store minus its stamp (see the module's comment for what that overstates).
 */
export async function measureLatency(producer: BatchingProducer, topic: string, databaseUrl: string, messages: InboundMessage[], rate: number): Promise<LatencyResult> {
  const watcher = await ArrivalWatcher.open(databaseUrl);
  const sentAt = new Map<string, number>();
  try {
    await offerAtRate(producer, topic, messages, rate, (m, stamp) => {
      sentAt.set(m.id, stamp);
      watcher.expect(m.id);
    });
    await watcher.settle(120_000);
  } finally {
    await watcher.close();
  }
  const latencies: number[] = [];
  const lowerBounds: number[] = [];
  const untilRouted: number[] = [];
  for (const [id, arrival] of watcher.arrivals) {
    if (arrival.stamp !== sentAt.get(id)) throw new Error(`message ${id} came back with benchSentAt ${arrival.stamp}, sent ${sentAt.get(id)}`);
    latencies.push(arrival.seenAt - arrival.stamp!);
    lowerBounds.push(arrival.storedAt - arrival.stamp!);
    untilRouted.push(arrival.routedAt - arrival.stamp!);
  }
  return {
    latencyMs: summarize(latencies),
    lowerBoundMs: summarize(lowerBounds),
    untilRoutedMs: summarize(untilRouted),
    samples: latencies.length,
    missing: watcher.waiting,
    offered: rate,
  };
}
