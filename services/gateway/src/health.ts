import type { Admin, Kafka } from 'kafkajs';
import { json, type HttpRoute } from '@switchboard/http';
import { consumerLag, topicSize } from '@switchboard/kafka';
import { addCollector, gauge, renderMetrics, type Logger } from '@switchboard/runtime';
import type { Connector } from '@switchboard/connector-sdk';
import type { TicketStore } from '@switchboard/ticket-store';

const KAFKA_CHECK_TIMEOUT_MS = 1_500;
const KAFKA_CHECK_CACHE_MS = 2_000;
const STORE_CHECK_TIMEOUT_MS = 1_500;

export interface ComponentStatus {
  ready: boolean;
  status: string;
  [detail: string]: unknown;
}

export interface Readiness {
  ready: boolean;
  kafka: ComponentStatus;
  store: ComponentStatus;
  channels: Record<string, ComponentStatus>;
}

export interface HealthOptions {
  kafka: Kafka;
  store: TicketStore;
  /** The connectors started so far (read on each request). */
  connectors: () => readonly Connector[];
  /** When true a channel that is not ready fails readiness; otherwise it is only reported. */
  readyRequiresChannels: boolean;
  logger: Logger;
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Asks the cluster for its brokers (describeCluster) over one admin connection, under a short
 * timeout, and remembers the answer for a moment so a busy probe does not hammer the broker.
 */
export class KafkaProbe {
  private admin: Admin | undefined;
  private cached: { at: number; status: ComponentStatus } | undefined;
  private running: Promise<ComponentStatus> | undefined;

  constructor(private readonly kafka: Kafka) {}

  check(): Promise<ComponentStatus> {
    if (this.cached && Date.now() - this.cached.at < KAFKA_CHECK_CACHE_MS) return Promise.resolve(this.cached.status);
    this.running ??= this.probe().finally(() => (this.running = undefined));
    return this.running;
  }

  private async probe(): Promise<ComponentStatus> {
    let status: ComponentStatus;
    try {
      const admin = (this.admin ??= this.kafka.admin());
      const cluster = await withTimeout(
        admin.connect().then(() => admin.describeCluster()),
        KAFKA_CHECK_TIMEOUT_MS,
        'Kafka',
      );
      status = { ready: true, status: 'reachable', brokers: cluster.brokers.length, controller: cluster.controller };
    } catch (error) {
      // A broken connection is not reused: the next probe starts a fresh one.
      const broken = this.admin;
      this.admin = undefined;
      void broken?.disconnect().catch(() => undefined);
      status = { ready: false, status: `unreachable: ${reasonOf(error)}` };
    }
    this.cached = { at: Date.now(), status };
    return status;
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }
}

export async function readiness(options: HealthOptions, kafkaProbe: KafkaProbe): Promise<Readiness> {
  const storeCheck = withTimeout(options.store.ping(), STORE_CHECK_TIMEOUT_MS, 'the ticket store').then(
    (): ComponentStatus => ({ ready: true, status: 'reachable' }),
    (error: unknown): ComponentStatus => ({ ready: false, status: `unreachable: ${reasonOf(error)}` }),
  );
  const [kafka, store] = await Promise.all([kafkaProbe.check(), storeCheck]);
  const channels: Record<string, ComponentStatus> = {};
  for (const connector of options.connectors()) {
    try {
      const health = connector.health();
      channels[connector.name] = { ...health, ready: health.ready, status: health.status };
    } catch (error) {
      channels[connector.name] = { ready: false, status: `health check failed: ${reasonOf(error)}` };
    }
  }
  const channelsReady = Object.values(channels).every((c) => c.ready);
  const ready = kafka.ready && store.ready && (channelsReady || !options.readyRequiresChannels);
  return { ready, kafka, store, channels };
}

/**
 * `/healthz`: the process answers. `/readyz`: Kafka and the store are reachable (and, with
 * SWITCHBOARD_READY_REQUIRES_CHANNELS, every channel is ready); 503 with each component's state
 * otherwise. A channel that is not ready is always reported, and by default does not fail readiness:
 * one logged-out WeChat bot should not take the API and every other channel's webhooks out of a load
 * balancer. `/metrics`: Prometheus text.
 */
export function healthRoutes(options: HealthOptions): { routes: HttpRoute[]; close: () => Promise<void> } {
  const kafkaProbe = new KafkaProbe(options.kafka);
  const routes: HttpRoute[] = [
    { method: 'GET', path: '/healthz', handle: async () => json(200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      async handle() {
        const state = await readiness(options, kafkaProbe);
        const degraded = Object.values(state.channels).some((c) => !c.ready);
        const status = state.ready ? (degraded ? 'degraded' : 'ready') : 'not ready';
        return json(state.ready ? 200 : 503, { status, ...state });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handle: async () => ({ status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body: await renderMetrics() }),
    },
  ];
  return { routes, close: () => kafkaProbe.close() };
}

export interface LagSource {
  group: string;
  topic: string;
}

const consumerLagGauge = gauge('switchboard_consumer_lag', 'Records a consumer group has yet to process on a topic (end offset minus committed offset).');
const dlqSizeGauge = gauge('switchboard_dlq_size', 'Records in the dead-letter topic (sum over partitions of end minus start offset).');

/**
 * Registers a metrics collector that reads, at each scrape, the lag of `sources` and the size of the
 * dead-letter topic. Returns a function that stops it (the registry keeps collectors for the process).
 */
export function registerPipelineMetrics(kafka: Kafka, sources: () => readonly LagSource[], dlqTopic: string, logger: Logger): () => void {
  let active = true;
  addCollector(async () => {
    if (!active) return;
    const reads = sources().map(async ({ group, topic }) => consumerLagGauge.set({ group, topic }, await consumerLag(kafka, group, topic)));
    reads.push(topicSize(kafka, dlqTopic).then((size) => dlqSizeGauge.set({ topic: dlqTopic }, size)));
    const results = await Promise.allSettled(reads);
    for (const result of results) if (result.status === 'rejected') logger.warn('metric not collected', { error: result.reason });
  });
  return () => {
    active = false;
  };
}
