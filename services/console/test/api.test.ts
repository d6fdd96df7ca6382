/**
 * The console's endpoints on a real broker and a real PostgreSQL: pipeline stats, channel health,
 * the DLQ list and the replay of one dead letter (once), each asking the gateway's authorization for the
 * permission it needs (here a stand-in that accepts one bearer token and records what was asked), and
 * the replay audited.
 * The dead letters come from the Kafka package's own consumer runner (what the router runs), fed a
 * record that is not JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { HttpServer, requireBearer } from '@switchboard/http';
import { BatchingProducer, runConsumer, type RunningConsumer } from '@switchboard/kafka';
import { InboundMessage, type DeadLetter, type TopicNames } from '@switchboard/schema';
import { openTicketStore, type TicketStore } from '@switchboard/ticket-store';
import { loadChannelRegistry, type Connector } from '@switchboard/connector-sdk';
import { REPO_ROOT } from '@switchboard/runtime';
import { eventually, freshDatabase, kafkaForTest, readAll } from '@switchboard/testkit';
import { createConsole, type OperatorConsole, type DeadLetterEntry, type PipelineStats, type ReplayOutcome } from '../src/index.ts';

const TOKEN = 'console-test-token-0123';
const asked: string[] = [];
const audited: { action: string; target?: string; details?: Record<string, unknown> }[] = [];

let kafka: Kafka;
let topics: TopicNames;
let prefix: string;
let producer: BatchingProducer;
let store: TicketStore;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let router: RunningConsumer;
let operatorConsole: OperatorConsole;
let base: string;
const http = new HttpServer();
const routerGroup = () => `${prefix}console-test-router`;

/** A connector whose health check itself breaks: the panel must still show every other channel. */
/** A connector that is not running yet, as the API channel before it starts. */
const stopped: Connector = {
  name: 'api',
  channels: ['api'],
  start: async () => undefined,
  stop: async () => undefined,
  health: () => ({ ready: false, status: 'stopped', errors: 0 }),
};

const brokenHealth: Connector = {
  name: 'broken',
  channels: ['slack'],
  start: async () => undefined,
  stop: async () => undefined,
  health: () => {
    throw new Error('health exploded');
  },
};

async function call(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(base + path, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
}

async function getJson<T>(path: string): Promise<T> {
  const response = await call(path);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

const dlqList = () => getJson<{ size: number; total: number; entries: DeadLetterEntry[] }>('/api/v1/console/dlq?limit=50');

async function replay(id: string): Promise<{ status: number; body: ReplayOutcome & { error?: string } }> {
  const response = await call('/api/v1/console/dlq/replay', { method: 'POST', body: { id } });
  return { status: response.status, body: (await response.json()) as ReplayOutcome & { error?: string } };
}

/** Produces a record the consumer cannot parse, and waits for its dead letter to be listed. */
async function poison(key: string, value: string): Promise<DeadLetterEntry> {
  await producer.send(topics.inbound, [{ key, value: Buffer.from(value) }]);
  return eventually(async () => (await dlqList()).entries.find((e) => e.preview === value && !e.replayed && e.sourceTopic === topics.inbound), 20_000, `dead letter of ${key}`);
}

beforeAll(async () => {
  ({ kafka, topics, prefix } = await kafkaForTest());
  database = await freshDatabase();
  store = await openTicketStore({ url: database.url });
  producer = new BatchingProducer(kafka);
  await producer.connect();
  router = await runConsumer({
    kafka,
    groupId: routerGroup(),
    topic: topics.inbound,
    schema: InboundMessage,
    schemaName: 'InboundMessage',
    producer,
    dlqTopic: topics.dlq,
    handle: async () => undefined,
  });
  operatorConsole = createConsole({
    store,
    kafka,
    topics,
    async authorize(request, permission) {
      requireBearer(request, TOKEN);
      asked.push(`${request.method} ${request.path} ${permission}`);
      return { audit: async (action, target, details) => void audited.push({ action, target, details }) };
    },
    channels: await loadChannelRegistry(REPO_ROOT),
    connectors: () => [stopped, brokenHealth],
    lagSources: () => [{ group: routerGroup(), topic: topics.inbound }],
    sampleIntervalMs: 500,
  });
  http.mount(operatorConsole.routes);
  base = await http.listen();
});

afterAll(async () => {
  operatorConsole?.close();
  await http.close();
  await router?.stop();
  await producer?.disconnect();
  await store?.close();
  await database?.drop();
});

describe('console endpoints', () => {
  it('asks the authorization of each endpoint for its permission, and refuses the request it refuses', async () => {
    const endpoints: [string, string][] = [
      ['GET', '/api/v1/console/pipeline'],
      ['GET', '/api/v1/console/channels'],
      ['GET', '/api/v1/console/dlq'],
      ['POST', '/api/v1/console/dlq/replay'],
    ];
    for (const [method, path] of endpoints) {
      for (const token of [null, 'wrong-token']) {
        const response = await call(path, { method, token, ...(method === 'POST' ? { body: { id: 'x' } } : {}) });
        expect(response.status, `${method} ${path} with ${token}`).toBe(401);
        expect(await response.json()).toEqual({ error: 'missing or invalid bearer token' });
      }
    }
    asked.length = 0;
    for (const [method, path] of endpoints) await call(path, { method, ...(method === 'POST' ? { body: { id: 'x' } } : {}) });
    expect(asked).toEqual([
      'GET /api/v1/console/pipeline pipeline.read',
      'GET /api/v1/console/channels pipeline.read',
      'GET /api/v1/console/dlq pipeline.read',
      'POST /api/v1/console/dlq/replay channels.manage',
    ]);
  });

  it('serves the page and its bundled script without a token, with a strict content security policy', async () => {
    const page = await fetch(`${base}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script defer src="console/console.js"></script>');
    const script = await fetch(`${base}/console/console.js`);
    expect(script.status).toBe(200);
    const source = await script.text();
    // The vocabulary comes from the schema at build time; the client code is bundled, not imported.
    expect(source).toContain('fees_fx');
    expect(source).not.toMatch(/\bimport\s/);
    expect((await fetch(`${base}/console/console.css`)).status).toBe(200);
  });

  it("reports each connector's health, and a health check that throws as not ready", async () => {
    const { channels } = await getJson<{ channels: { name: string; ready: boolean; status: string; channels: string[] }[] }>('/api/v1/console/channels');
    expect(channels).toEqual([
      expect.objectContaining({ name: 'api', channels: ['api'], ready: false, status: 'stopped', errors: 0 }),
      { name: 'broken', channels: ['slack'], ready: false, status: 'health check failed: health exploded' },
    ]);
  });

  it('lists a dead letter with its reason and source, replays it to its source topic once, and marks it replayed', async () => {
    const letter = await poison('poison-1', 'not json {');
    expect(letter).toMatchObject({ sourceTopic: topics.inbound, replayable: true, replayed: false, stage: routerGroup() });
    expect(letter.reason.length).toBeGreaterThan(0);

    const first = await replay(letter.id);
    expect(first).toEqual({ status: 200, body: { outcome: 'replayed', id: letter.id } });
    expect(audited).toContainEqual({ action: 'dlq.replay', target: letter.id, details: { outcome: 'replayed' } });
    const again = await replay(letter.id);
    expect(again).toEqual({ status: 200, body: { outcome: 'already-replayed', id: letter.id } });

    // On the source topic: the original and exactly one replay, same bytes and key, marked as a replay.
    const copies = (await readAll(kafka, topics.inbound)).filter((r) => r.value === 'not json {');
    expect(copies).toHaveLength(2);
    expect(copies.map((c) => c.key)).toEqual(['poison-1', 'poison-1']);
    expect(copies.filter((c) => c.headers['replayed-from-dlq'] === letter.id)).toHaveLength(1);

    // Still poison, so the consumer dead-letters the replayed copy as a new letter; the first is marked replayed.
    const after = await eventually(
      async () => {
        const list = await dlqList();
        return list.entries.filter((e) => e.preview === 'not json {').length === 2 ? list : undefined;
      },
      20_000,
      'the replayed copy dead-lettered again',
    );
    expect(after.entries.find((e) => e.id === letter.id)?.replayed).toBe(true);
    expect(after.entries.find((e) => e.id !== letter.id && e.preview === 'not json {')?.replayed).toBe(false);
  });

  it('replays one letter once when two replays of it race', async () => {
    const letter = await poison('poison-2', '{"half": ');
    const outcomes = await Promise.all([replay(letter.id), replay(letter.id)]);
    expect(outcomes.map((o) => o.body.outcome).sort()).toEqual(['already-replayed', 'replayed']);
    const copies = (await readAll(kafka, topics.inbound)).filter((r) => r.headers['replayed-from-dlq'] === letter.id);
    expect(copies).toHaveLength(1);
  });

  it('answers 404 for an unknown id, 409 for a letter with no source topic, 400 for a bad request', async () => {
    expect((await replay('no/such/letter')).status).toBe(404);

    // What a connector dead-letters when it cannot parse what it received: nothing to send back.
    const orphan: DeadLetter = {
      schemaVersion: 1,
      id: 'webchat/web/unparsable-1',
      stage: 'connector.webchat',
      reason: 'invalid envelope: text missing',
      headers: {},
      originalValue: Buffer.from('{"garbled":true}').toString('base64'),
      failedAt: new Date().toISOString(),
    };
    await producer.sendJson(topics.dlq, [{ key: orphan.id, value: orphan }]);
    const listed = await eventually(async () => (await dlqList()).entries.find((e) => e.id === orphan.id), 20_000, 'the orphan letter listed');
    expect(listed).toMatchObject({ replayable: false, replayed: false, preview: '{"garbled":true}' });
    const refused = await replay(orphan.id);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ outcome: 'not-replayable', id: orphan.id });
    expect(refused.body.error).toContain('no source topic');

    expect((await call('/api/v1/console/dlq/replay', { method: 'POST', body: { nope: 1 } })).status).toBe(400);
    expect((await call('/api/v1/console/dlq?limit=0')).status).toBe(400);
    expect((await call('/api/v1/console/dlq?limit=2')).status).toBe(200);
    expect((await dlqList()).entries.length).toBeGreaterThan(2);
    expect(((await getJson<{ entries: unknown[] }>('/api/v1/console/dlq?limit=2')).entries)).toHaveLength(2);
  });

  it('reports rates per topic from the counters, lag per group, the DLQ size and ticket totals', async () => {
    const stats = await eventually(
      async () => {
        const s = await getJson<PipelineStats>('/api/v1/console/pipeline');
        const lag = s.lag.find((l) => l.group === routerGroup());
        return lag?.lag === 0 && s.dlq.size !== null && s.dlq.size >= 5 ? s : undefined;
      },
      20_000,
      'the router caught up and five dead letters counted',
    );
    expect(stats.dlq.topic).toBe(topics.dlq);
    expect(stats.lag).toEqual([{ group: routerGroup(), topic: topics.inbound, lag: 0 }]);
    expect(stats.topics.map((t) => t.role)).toEqual(['inbound', 'routed', 'outbound', 'delivery', 'dlq', 'checkpoints', 'ledger']);
    const inbound = stats.topics.find((t) => t.role === 'inbound')!;
    const dlq = stats.topics.find((t) => t.role === 'dlq')!;
    // Produced here: 2 poison records + 2 replays; consumed by the runner: those 4.
    expect(inbound.produced).toBe(4);
    expect(inbound.consumed).toBe(4);
    expect(dlq.produced).toBe(5);
    // Samples every 500 ms over the last 45 s: the dead letters show as a rate above zero somewhere.
    expect(Math.max(...dlq.producedPerSecond, ...inbound.consumedPerSecond)).toBeGreaterThan(0);
    expect(stats.topics.find((t) => t.role === 'routed')!.producedPerSecond.every((r) => r === 0)).toBe(true);
    expect(stats.tickets).toEqual({ tickets: 0, messages: 0, corrections: 0, byCategory: {} });
    expect(stats.sampleIntervalMs).toBe(500);
  });
});
