import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '@switchboard/kafka';
import { HttpServer } from '@switchboard/http';
import { createLogger } from '@switchboard/runtime';
import { freshDatabase, kafkaForTest } from '@switchboard/testkit';
import { openTicketStore, type TicketStore } from '@switchboard/ticket-store';
import type { Connector } from '@switchboard/connector-sdk';
import { createApiChannel } from '@switchboard/connector-api';
import { healthRoutes, type HealthOptions } from '../src/index.ts';

const logger = createLogger('readiness-test');
let database: { url: string; drop: () => Promise<void> };
let store: TicketStore;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  store = await openTicketStore({ url: database.url });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await store.close();
  await database.drop();
});

async function readyz(options: HealthOptions): Promise<{ status: number; body: Record<string, any> }> {
  const http = new HttpServer({ logger });
  const health = healthRoutes(options);
  http.mount(health.routes);
  const url = await http.listen();
  cleanups.push(async () => {
    await http.close();
    await health.close();
  });
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** A channel that was never started: not ready, as a logged-out bot would be. */
const idleChannel = (): Connector[] => [createApiChannel({ token: 'unused-token', maxBodyBytes: 1024 })];

describe('/readyz', () => {
  it('answers 503 naming Kafka when no broker answers', async () => {
    const nowhere = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'readiness-test', ssl: false, topicPrefix: '' });
    const started = Date.now();
    const { status, body } = await readyz({ kafka: nowhere, store, connectors: () => [], readyRequiresChannels: false, logger });
    expect(status).toBe(503);
    expect(body.status).toBe('not ready');
    expect(body.kafka.ready).toBe(false);
    expect(body.kafka.status).toMatch(/^unreachable/);
    expect(body.store.ready).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  describe('with a reachable broker', () => {
    let kafka: Awaited<ReturnType<typeof kafkaForTest>>['kafka'];
    beforeAll(async () => {
      ({ kafka } = await kafkaForTest());
    });

    it('reports a channel that is not ready without failing readiness by default', async () => {
      const { status, body } = await readyz({ kafka, store, connectors: idleChannel, readyRequiresChannels: false, logger });
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'degraded', ready: true, kafka: { ready: true }, store: { ready: true }, channels: { api: { ready: false, status: 'stopped' } } });
    });

    it('fails readiness on a channel that is not ready when channels are required', async () => {
      const { status, body } = await readyz({ kafka, store, connectors: idleChannel, readyRequiresChannels: true, logger });
      expect(status).toBe(503);
      expect(body.channels.api.ready).toBe(false);
    });

    it('answers 503 naming the store when the database is gone', async () => {
      const other = await freshDatabase();
      const closed = await openTicketStore({ url: other.url });
      await closed.close();
      const { status, body } = await readyz({ kafka, store: closed, connectors: () => [], readyRequiresChannels: false, logger });
      await other.drop();
      expect(status).toBe(503);
      expect(body.store.ready).toBe(false);
      expect(body.kafka.ready).toBe(true);
    });
  });
});
