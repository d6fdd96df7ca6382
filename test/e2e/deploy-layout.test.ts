/**
 * The production layout of docs/deploying.md, without Docker: the gateway, two routers and two
 * ticket sinks as separate processes, started as their packages' `start` scripts start them, on a
 * shared PostgreSQL database and a Kafka broker reached with TLS and SASL/SCRAM-SHA-512
 * (`KAFKA_SECURE=1` of infra/kafka, on free ports and a data directory of this test). Messages go in
 * through the API; the routers and the sinks share the partitions; a router stopped for a rolling
 * restart and a sink killed with SIGKILL lose nothing; no process logs a secret.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { eventually, freePort, freshDatabase } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');
const kafkaScript = join(repo, 'infra/kafka/kafka.sh');
const API_TOKEN = 'deploy-layout-api-token-0123456789';

interface Service {
  name: string;
  child: ChildProcess;
  output: () => string;
}

let work: string;
let brokerEnv: NodeJS.ProcessEnv;
let serviceEnv: NodeJS.ProcessEnv;
let database: { url: string; drop: () => Promise<void> };
let saslPassword: string;
const services: Service[] = [];

/** A service started as its package's `start` script starts it (`node --import tsx/esm src/main.ts`), without pnpm in between. */
function startService(name: string, folder: string, env: NodeJS.ProcessEnv = {}): Service {
  const cwd = join(repo, 'services', folder);
  const script = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [command, ...args] = script.split(' ');
  const child = spawn(command === 'node' ? process.execPath : command!, args, { cwd, env: { ...serviceEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const service = { name, child, output: () => text };
  services.push(service);
  return service;
}

const waitFor = (service: Service, pattern: RegExp, timeoutMs = 120_000) =>
  eventually(() => pattern.test(service.output()) || (service.child.exitCode !== null ? Promise.reject(new Error(`${service.name} exited: ${service.output().slice(-2_000)}`)) : false), timeoutMs, `${service.name}: ${pattern}`);

function exited(service: Service): Promise<number | null> {
  if (service.child.exitCode !== null) return Promise.resolve(service.child.exitCode);
  return new Promise((resolve) => service.child.once('exit', (code) => resolve(code)));
}

async function post(url: string, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: `${tag}-${i}`, sender: { id: `customer-${tag}-${i}` }, text: `My card payment ${i} failed twice, was I charged?` }),
    });
    expect(response.status).toBe(202);
  }
}

async function storedMessages(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM messages WHERE direction = 'inbound' AND ticket_id IS NOT NULL`);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Partitions each member of a consumer group holds, from the broker. */
async function assignments(group: string): Promise<number[]> {
  // NODE_EXTRA_CA_CERTS is read when a process starts: this one is given the CA directly.
  const kafka = new Kafka({
    clientId: 'deploy-layout-test',
    brokers: [serviceEnv.KAFKA_BROKERS!],
    ssl: { ca: [readFileSync(serviceEnv.NODE_EXTRA_CA_CERTS!, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: 'switchboard', password: saslPassword },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return groups[0]!.members.map((member) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      return Object.values(decoded?.assignment ?? {}).reduce((sum, partitions) => sum + partitions.length, 0);
    });
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'switchboard-layout-'));
  brokerEnv = { KAFKA_SECURE: '1', KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_INTERNAL_PORT: String(await freePort()), KAFKA_DATA_DIR: join(work, 'kafka') };
  const started = spawnSync('bash', [kafkaScript, 'start'], { env: { ...process.env, ...brokerEnv }, encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`the secure broker did not start: ${started.stderr}`);
  const secure = join(work, 'kafka/secure');
  saslPassword = readFileSync(join(secure, 'sasl-password'), 'utf8').trim();
  database = await freshDatabase();
  serviceEnv = {
    PATH: process.env.PATH,
    KAFKA_BROKERS: started.stdout.trim().split('\n').pop(),
    KAFKA_SSL: 'true',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: 'switchboard',
    KAFKA_SASL_PASSWORD: saslPassword,
    NODE_EXTRA_CA_CERTS: join(secure, 'ca.pem'),
    DATABASE_URL: database.url,
    SWITCHBOARD_DATA_DIR: join(work, 'data'),
    LOG_LEVEL: 'info',
  };
}, 180_000);

afterAll(async () => {
  for (const service of services) if (service.child.exitCode === null) service.child.kill('SIGKILL');
  spawnSync('bash', [kafkaScript, 'stop'], { env: { ...process.env, ...brokerEnv }, stdio: 'ignore' });
  await database?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('the services as separate processes on PostgreSQL and a TLS + SASL broker', () => {
  it('share the partitions, survive a rolling restart and a killed sink, and log no secret', async () => {
    const port = await freePort();
    const gateway = startService('gateway', 'gateway', { PORT: String(port), HOST: '127.0.0.1', SWITCHBOARD_API_TOKEN: API_TOKEN });
    const routers = [startService('router-1', 'router'), startService('router-2', 'router')];
    const sinks = [startService('sink-1', 'ticket-sink'), startService('sink-2', 'ticket-sink')];
    await waitFor(gateway, /switchboard gateway ready/);
    await Promise.all([...routers.map((r) => waitFor(r, /"msg":"router started"/)), ...sinks.map((s) => waitFor(s, /"msg":"ticket sink running"/))]);
    const url = `http://127.0.0.1:${port}`;

    await post(url, 200, 'first');
    await eventually(async () => (await storedMessages()) === 200, 120_000, '200 tickets');
    // Two members in each group, the six partitions split between them.
    await eventually(async () => (await assignments('switchboard-router')).sort().join() === '3,3', 60_000, 'routers sharing the partitions');
    await eventually(async () => (await assignments('switchboard-ticket-sink')).sort().join() === '3,3', 60_000, 'sinks sharing the partitions');

    // A rolling restart: one router stops cleanly; the other takes its partitions and nothing is lost.
    routers[0]!.child.kill('SIGTERM');
    expect(await exited(routers[0]!)).toBe(0);
    await post(url, 100, 'during-restart');
    await eventually(async () => (await storedMessages()) === 300, 120_000, '300 tickets');

    // A sink dies without a goodbye: once its session times out the other sink takes over.
    sinks[0]!.child.kill('SIGKILL');
    await exited(sinks[0]!);
    await post(url, 100, 'after-kill');
    await eventually(async () => (await storedMessages()) === 400, 120_000, '400 tickets');
    expect(await assignments('switchboard-ticket-sink')).toEqual([6]);

    for (const service of services) {
      expect(service.output(), service.name).not.toContain(saslPassword);
      expect(service.output(), service.name).not.toContain(API_TOKEN);
      expect(service.output(), service.name).not.toMatch(/"level":"error"/);
    }
  }, 420_000);
});
