import type { DeadLetter } from '@switchboard/schema';
import { dlqTotal, maskSecrets, type Logger } from '@switchboard/runtime';
import type { BatchingProducer } from './producer.ts';

/** Where a dead letter came from, when it was a Kafka record. */
export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
}

export interface DeadLetterEntry {
  /** Unique per letter: `topic/partition/offset`, or `connector/source id`. */
  id: string;
  /** Who gave up: a consumer group or `connector.<name>`. */
  stage: string;
  reason: string;
  error?: unknown;
  /** The bytes as they arrived, kept whole so the letter can be replayed. */
  original: Buffer | string;
  source?: DeadLetterSource;
}

/**
 * The one writer of `cs.messages.dlq.v1`: a record with the reason and the original bytes, keyed by
 * its id, counted by stage. Registered secrets are masked in the reason (an error message may quote
 * a URL or a header); the original bytes are kept as they came, since a replay needs them.
 */
export class DeadLetterWriter {
  constructor(
    private readonly producer: BatchingProducer,
    private readonly topic: string,
    private readonly logger?: Logger,
  ) {}

  async write(entry: DeadLetterEntry): Promise<DeadLetter> {
    const reason = maskSecrets(entry.reason) || 'no reason given';
    const letter: DeadLetter = {
      schemaVersion: 1,
      id: entry.id,
      stage: entry.stage,
      reason,
      errorName: entry.error instanceof Error ? entry.error.name : undefined,
      ...(entry.source
        ? { sourceTopic: entry.source.topic, partition: entry.source.partition, offset: entry.source.offset, key: entry.source.key, headers: entry.source.headers }
        : { headers: {} }),
      originalValue: Buffer.from(entry.original).toString('base64'),
      failedAt: new Date().toISOString(),
    };
    await this.producer.sendJson(this.topic, [{ key: letter.id, value: letter, headers: { reason: reason.slice(0, 200), stage: entry.stage } }]);
    dlqTotal.inc({ stage: entry.stage });
    this.logger?.warn('dead-lettered', { id: letter.id, stage: entry.stage, reason });
    return letter;
  }
}
