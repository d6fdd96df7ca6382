import type { Kafka } from 'kafkajs';
import { consumerLag, topicSize } from '@switchboard/kafka';
import { messagesTotal, type Logger } from '@switchboard/runtime';
import type { TopicNames } from '@switchboard/schema';
import type { TicketStats, TicketStore } from '@switchboard/ticket-store';

/** A consumer group and the topic whose lag it has (the gateway's `LagSource`). */
export interface LagSource {
  group: string;
  topic: string;
}

/** The counter values of one moment: `switchboard_messages_total` per topic and direction. */
export interface CounterSample {
  at: number;
  /** `<topic>\u001f<in|out>` → total so far. */
  values: Map<string, number>;
}

export interface TopicRates {
  role: string;
  topic: string;
  /** Totals since this process started. */
  produced: number;
  consumed: number;
  /** Records per second between successive samples, oldest first; the last is the current rate. */
  producedPerSecond: number[];
  consumedPerSecond: number[];
}

const DIRECTIONS = ['out', 'in'] as const;
const slot = (topic: string, direction: 'in' | 'out') => `${topic}\u001f${direction}`;

/** Reads the process's message counters for every topic of this instance (other prefixes are ignored). */
export function readCounters(topics: TopicNames, at = Date.now()): CounterSample {
  const values = new Map<string, number>();
  for (const topic of Object.values(topics)) for (const direction of DIRECTIONS) values.set(slot(topic, direction), messagesTotal.get({ topic, direction }));
  return { at, values };
}

/**
 * Per-topic rates from successive counter samples. A counter that went down (the process restarted
 * its registry) counts as zero for that interval rather than a negative rate.
 */
export function ratesFrom(samples: readonly CounterSample[], topics: TopicNames): TopicRates[] {
  const rateSeries = (topic: string, direction: 'in' | 'out') => {
    const series: number[] = [];
    for (let i = 1; i < samples.length; i++) {
      const before = samples[i - 1]!;
      const after = samples[i]!;
      const seconds = (after.at - before.at) / 1000;
      const delta = (after.values.get(slot(topic, direction)) ?? 0) - (before.values.get(slot(topic, direction)) ?? 0);
      series.push(seconds > 0 && delta > 0 ? round(delta / seconds) : 0);
    }
    return series;
  };
  const latest = samples.at(-1);
  return Object.entries(topics).map(([role, topic]) => ({
    role,
    topic,
    produced: latest?.values.get(slot(topic, 'out')) ?? 0,
    consumed: latest?.values.get(slot(topic, 'in')) ?? 0,
    producedPerSecond: rateSeries(topic, 'out'),
    consumedPerSecond: rateSeries(topic, 'in'),
  }));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Samples the counters on a timer so the console shows the last few minutes of rates as soon as it
 * opens. Reading in-process counters costs nothing; the timer does not keep the process alive.
 */
export class CounterSampler {
  private readonly samples: CounterSample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly topics: TopicNames,
    readonly intervalMs: number,
    private readonly keep: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    this.samples.push(readCounters(this.topics));
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /** The history, ending with a fresh sample so the current rate is at most one interval old. */
  rates(): TopicRates[] {
    return ratesFrom([...this.samples, readCounters(this.topics)], this.topics);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface LagReading extends LagSource {
  /** Null when the broker could not be asked; `error` says why. */
  lag: number | null;
  error?: string;
}

export interface KafkaReadings {
  lag: LagReading[];
  dlq: { topic: string; size: number | null; error?: string };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Consumer lag and DLQ size, read from the broker at most once per `cacheMs` however many consoles
 * are open, one read at a time.
 */
export class KafkaReader {
  private cached: { at: number; readings: KafkaReadings } | undefined;
  private running: Promise<KafkaReadings> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly dlqTopic: string,
    private readonly lagSources: () => readonly LagSource[],
    private readonly cacheMs: number,
  ) {}

  read(): Promise<KafkaReadings> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return Promise.resolve(this.cached.readings);
    this.running ??= this.fetch().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Forgets the cached reading: after a replay the next read shows its effect. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetch(): Promise<KafkaReadings> {
    const lag = Promise.all(
      this.lagSources().map(async (source): Promise<LagReading> => {
        try {
          return { ...source, lag: await consumerLag(this.kafka, source.group, source.topic) };
        } catch (error) {
          return { ...source, lag: null, error: reasonOf(error) };
        }
      }),
    );
    const dlq = topicSize(this.kafka, this.dlqTopic).then(
      (size) => ({ topic: this.dlqTopic, size }),
      (error: unknown) => ({ topic: this.dlqTopic, size: null, error: reasonOf(error) }),
    );
    const readings = { lag: await lag, dlq: await dlq };
    this.cached = { at: Date.now(), readings };
    return readings;
  }
}

export interface PipelineStats {
  at: string;
  sampleIntervalMs: number;
  topics: TopicRates[];
  lag: LagReading[];
  dlq: KafkaReadings['dlq'];
  tickets: TicketStats | null;
}

export async function pipelineStats(sampler: CounterSampler, reader: KafkaReader, store: TicketStore, logger: Logger): Promise<PipelineStats> {
  const [readings, tickets] = await Promise.all([
    reader.read(),
    store.stats().catch((error: unknown) => {
      logger.warn('ticket stats not read', { error });
      return null;
    }),
  ]);
  return { at: new Date().toISOString(), sampleIntervalMs: sampler.intervalMs, topics: sampler.rates(), lag: readings.lag, dlq: readings.dlq, tickets };
}
