import type { Kafka, Producer, IHeaders, RecordMetadata } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { messagesTotal } from '@switchboard/runtime';
import { untilStopDeadline } from './shutdown.ts';

export interface OutRecord {
  key: string | null;
  /** Tombstone (compacted topics) when null. */
  value: string | Buffer | null;
  headers?: Record<string, string>;
  /** A partition chosen by the caller instead of by the key. */
  partition?: number;
}

interface Pending {
  topic: string;
  records: OutRecord[];
  bytes: number;
  resolve: (meta: RecordMetadata[]) => void;
  reject: (error: unknown) => void;
}

export interface ProducerOptions {
  /** Extra wait for more records before a send; 0 sends whatever queued during the last send. */
  lingerMs?: number;
  /** Upper bound of records in one request. */
  maxBatchRecords?: number;
  /**
   * Upper bound of the bytes of one request. Kafka refuses a record batch over `message.max.bytes`
   * (1 MiB by default) for good, so a large send leaves in several requests under it.
   */
  maxBatchBytes?: number;
  /** Kafka transactional id: makes `transaction()` available (connector batch + checkpoint). */
  transactionalId?: string;
}

/**
 * An idempotent (acks=all) producer that coalesces concurrent `send` calls into one request.
 * Sends leave one at a time: while one request is in flight, new records queue and leave together
 * in the next. That keeps kafkajs' idempotent sequence numbers in order and gives batching for free
 * under load (kafkajs sends one request per `send` call and does no batching of its own).
 */
export class BatchingProducer {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private readonly lingerMs: number;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;

  constructor(kafka: Kafka, options: ProducerOptions = {}) {
    this.lingerMs = options.lingerMs ?? 0;
    this.maxBatchRecords = options.maxBatchRecords ?? 5_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 900 * 1024;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Murmur2, as the Java client: a conversation lands on the same partition whoever produces it.
      createPartitioner: Partitioners.DefaultPartitioner,
      ...(options.transactionalId ? { transactionalId: options.transactionalId } : {}),
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /** Resolves once every record is acknowledged by all in-sync replicas. */
  send(topic: string, records: OutRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return Promise.resolve([]);
    const parts = this.split(records).map(
      (part) =>
        new Promise<RecordMetadata[]>((resolve, reject) => {
          this.queue.push({ topic, records: part, bytes: part.reduce((sum, r) => sum + sizeOf(r), 0), resolve, reject });
        }),
    );
    this.flushing ??= this.drain();
    return Promise.all(parts).then((metadata) => metadata.flat());
  }

  /** Cuts records into parts under the byte bound; a single larger record goes alone (and Kafka says why). */
  private split(records: OutRecord[]): OutRecord[][] {
    const parts: OutRecord[][] = [];
    let current: OutRecord[] = [];
    let bytes = 0;
    for (const record of records) {
      const size = sizeOf(record);
      if (current.length > 0 && bytes + size > this.maxBatchBytes) {
        parts.push(current);
        current = [];
        bytes = 0;
      }
      current.push(record);
      bytes += size;
    }
    if (current.length > 0) parts.push(current);
    return parts;
  }

  sendJson(topic: string, items: { key: string | null; value: unknown; headers?: Record<string, string>; partition?: number }[]): Promise<RecordMetadata[]> {
    return this.send(
      topic,
      items.map((item) => ({
        key: item.key,
        value: JSON.stringify(item.value),
        ...(item.headers ? { headers: item.headers } : {}),
        ...(item.partition !== undefined ? { partition: item.partition } : {}),
      })),
    );
  }

  /** The underlying kafkajs producer, for transactions (connector batch + checkpoint in one write). */
  get raw(): Producer {
    return this.producer;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        if (this.lingerMs > 0) await new Promise((r) => setTimeout(r, this.lingerMs));
        const batch = this.takeBatch();
        try {
          const metadata = await this.producer.sendBatch({
            acks: -1,
            compression: CompressionTypes.None,
            topicMessages: batch.map((p) => ({ topic: p.topic, messages: p.records.map(toMessage) })),
          });
          for (const p of batch) {
            messagesTotal.inc({ topic: p.topic, direction: 'out' }, p.records.length);
            p.resolve(metadata.filter((m) => m.topicName === p.topic));
          }
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    let bytes = 0;
    while (
      this.queue.length > 0 &&
      (batch.length === 0 || (count + this.queue[0]!.records.length <= this.maxBatchRecords && bytes + this.queue[0]!.bytes <= this.maxBatchBytes))
    ) {
      const next = this.queue.shift()!;
      count += next.records.length;
      bytes += next.bytes;
      batch.push(next);
    }
    return batch;
  }

  /** Waits for the sends in flight (until the stop deadline, when one is set), then disconnects. */
  async disconnect(): Promise<void> {
    if (this.flushing) await untilStopDeadline(this.flushing, 'producer: sends in flight');
    await untilStopDeadline(this.producer.disconnect(), 'producer');
  }
}

function toMessage(record: OutRecord): { key: string | null; value: string | Buffer | null; headers?: IHeaders; partition?: number } {
  return {
    key: record.key,
    value: record.value,
    ...(record.headers ? { headers: record.headers } : {}),
    ...(record.partition !== undefined ? { partition: record.partition } : {}),
  };
}

function sizeOf(record: OutRecord): number {
  let size = (record.value === null ? 0 : Buffer.byteLength(record.value)) + (record.key ? Buffer.byteLength(record.key) : 0) + 70;
  for (const [name, value] of Object.entries(record.headers ?? {})) size += name.length + Buffer.byteLength(value) + 10;
  return size;
}
