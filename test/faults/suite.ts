import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Kafka } from 'kafkajs';
import { BatchingProducer, createKafka, ensureTopics, kafkaSettingsFromEnv, topicSize } from '@switchboard/kafka';
import { topicNames, type InboundMessage, type TopicNames } from '@switchboard/schema';
import { freePort, freshDatabase, startDovecot, type Dovecot, type DovecotUser } from '@switchboard/testkit';
import { withRetry } from '@switchboard/runtime';
import { ServiceProcess } from './processes.ts';
import { workload, poison } from './workload.ts';
import { ackProblems, dlqSize, pipelineLag, reorderedConversations, storeCounts } from './checks.ts';
import { OfficialAccountFeed } from './wechat-oa.ts';

const repo = join(import.meta.dirname, '../..');

export interface ScenarioResult {
  name: string;
  sent: number;
  stored: number;
  lost: number;
  duplicated: number;
  dlq: number;
  expectedDlq: number;
  recoverySec: number;
  problems: string[];
  /** What a scenario measured besides the counts (start times), printed under the table. */
  notes?: string[];
}

interface Env {
  runId: string;
  brokers: string;
  kafka: Kafka;
  topics: TopicNames;
  databaseUrl: string;
  db: pg.Client;
  logDir: string;
  services: ServiceProcess[];
  serviceEnv: NodeJS.ProcessEnv;
}

interface FaultHelpers {
  router: ServiceProcess[];
  sink: ServiceProcess[];
  progress: () => Promise<number>;
  /** Only for scenarios whose messages come in by email. */
  dovecot?: Dovecot;
  /** Only for scenarios whose messages come in as Official Account callbacks. */
  wechat?: OfficialAccountFeed;
}

type Fault = (env: Env, helpers: FaultHelpers) => Promise<void>;

export interface Scenario {
  name: string;
  description: string;
  instances?: number;
  /** Its own broker, for faults that kill the broker. */
  ownBroker?: boolean;
  /** Where the messages enter: produced as connectors would (default), mailed to a real IMAP server, or posted to the WeChat connector as callbacks. */
  source?: 'kafka' | 'imap' | 'wechat-oa';
  poison?: boolean;
  fault: Fault;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Waits until `progress()` reaches a share of the messages, so the fault lands mid-stream. */
const atShare = (share: number, total: number, progress: () => Promise<number>) => waitFor(async () => (await progress()) >= Math.floor(total * share), 120_000, `${share * 100}% progress`);

export const SCENARIOS: Scenario[] = [
  {
    name: 'router-kill9',
    description: 'kill -9 of the router in the middle of a batch, then restart',
    fault: async (_env, { router, progress }) => {
      await atShare(0.3, TOTAL.value, progress);
      await router[0]!.kill9();
      router[0]!.start();
    },
  },
  {
    name: 'sink-kill9',
    description: 'kill -9 of the ticket sink after some rows are written, before the offset commit, then restart',
    fault: async (_env, { sink, progress }) => {
      await atShare(0.3, TOTAL.value, progress);
      await sink[0]!.kill9();
      sink[0]!.start();
    },
  },
  {
    name: 'kafka-kill9',
    description: 'the Kafka broker killed with kill -9 and restarted while producers and consumers run',
    ownBroker: true,
    fault: async (env, { progress }) => {
      await atShare(0.3, TOTAL.value, progress);
      const pid = Number(readFileSync(join(env.logDir, 'kafka', 'run', 'kafka.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 3_000));
      await startBroker(env.logDir);
    },
  },
  {
    name: 'postgres-terminate',
    description: "PostgreSQL connections of the sink terminated (pg_terminate_backend) while it writes",
    fault: async (env, { progress }) => {
      await atShare(0.2, TOTAL.value, progress);
      for (let i = 0; i < 3; i++) {
        await env.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
        await new Promise((r) => setTimeout(r, 700));
      }
    },
  },
  {
    name: 'imap-restart',
    description: 'the IMAP server restarted while the email connector idles and while it fetches; then UIDVALIDITY changed',
    source: 'imap',
    fault: async (env, { progress, dovecot }) => {
      await dovecot!.restart();
      await atShare(0.4, TOTAL.value, progress);
      await dovecot!.restart();
      await atShare(1, TOTAL.value, progress);
      // As after a server migration: a new UIDVALIDITY, and the connections drop. Every mail is read
      // and produced again; none may be stored twice.
      await dovecot!.changeUidValidity(MAIL_USER);
      await dovecot!.restart(200);
      await waitFor(async () => (await topicSize(env.kafka, env.topics.inbound)) >= 2 * TOTAL.value, 120_000, 'the resync to produce every mail again');
    },
  },
  {
    name: 'scale-out-kill',
    description: 'two instances each of router and sink in one consumer group; one of each killed, the survivors take over',
    instances: 2,
    fault: async (_env, { router, sink, progress }) => {
      await atShare(0.3, TOTAL.value, progress);
      await Promise.all([router[1]!.kill9(), sink[0]!.kill9()]);
    },
  },
  {
    name: 'sink-sigterm',
    description: 'SIGTERM to the sink under load: it finishes the batch in hand, commits and exits within 10 s; restarted, nothing lost',
    fault: async (_env, { sink, progress }) => {
      await atShare(0.3, TOTAL.value, progress);
      const exitMs = await sink[0]!.stop('SIGTERM');
      if (exitMs > 10_000) throw new Error(`the sink took ${exitMs} ms to exit after SIGTERM`);
      sink[0]!.start();
    },
  },
  {
    name: 'wechat-oa-kill9',
    description: 'the WeChat connector killed with kill -9 right after answering a callback: with Kafka up, then with the broker stalled (the answer came from its journal); restarted',
    source: 'wechat-oa',
    ownBroker: true,
    fault: async (env, { wechat }) => {
      const oa = wechat!;
      await waitFor(async () => oa.answered >= Math.floor(TOTAL.value * 0.25), 120_000, 'a quarter of the callbacks answered');
      await oa.killRightAfterAnswers(1);
      oa.connector.start();
      await oa.ready();
      const broker = Number(readFileSync(join(env.logDir, 'kafka', 'run', 'kafka.pid'), 'utf8'));
      process.kill(broker, 'SIGSTOP');
      let journaled: number;
      try {
        // Answers now come from the journal, after the connector waited 4 s for Kafka.
        await oa.killRightAfterAnswers(5);
        journaled = oa.journaled();
      } finally {
        process.kill(broker, 'SIGCONT');
      }
      if (journaled < 5) throw new Error(`${journaled} callbacks in the journal when the connector was killed, 5 expected: the journal went untested`);
      oa.connector.start();
      await oa.ready();
    },
  },
  {
    name: 'poison',
    description: 'bad JSON, a schema violation and a message the sink cannot store mixed into the stream',
    poison: true,
    fault: async () => {},
  },
];

const MAIL_USER: DovecotUser = { user: 'support', password: 'faults-imap-password' };
const MAIL_ADDRESS = 'support@wallet.test';

/** The workload as customers' mail: a Message-ID per message, References to its conversation's root. */
function asMail(message: InboundMessage, runId: string): string {
  const conversation = message.conversationKey.split(':').pop();
  return [
    `From: Customer <${message.sender.id}@customer.test>`,
    `To: <${MAIL_ADDRESS}>`,
    `Subject: case ${conversation}`,
    `Date: ${new Date(message.sentAt).toUTCString()}`,
    `Message-ID: <${message.externalId}@faults.test>`,
    `References: <${runId}-${conversation}-root@faults.test>`,
    'Content-Type: text/plain; charset=UTF-8',
    '',
    message.text,
    '',
  ].join('\r\n');
}

/** Shared by the scenarios' fault functions: the size of the current run. */
const TOTAL = { value: 0 };

/**
 * Customers keep mailing while the server restarts: a slice that met the restart is appended again
 * once the server is back. Some of its mails may then be in the mailbox twice, as when a sender's
 * server retries; their Message-IDs, so their ids, are the same.
 */
function appendThroughRestarts(dovecot: Dovecot, messages: InboundMessage[], runId: string): Promise<void> {
  return withRetry(() => dovecot.append(MAIL_USER, messages.map((m) => asMail(m, runId))), {
    attempts: 30,
    initialMs: 200,
    maxMs: 2_000,
    why: 'The scenario restarts Dovecot for ~1 s at a time; a minute of tries outlasts any restart.',
  });
}

/** A broker of the scenario's own, on free ports, so killing it touches no other test. */
async function brokerEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  const existing = join(dir, 'kafka', 'ports.json');
  if (existsSync(existing)) return JSON.parse(readFileSync(existing, 'utf8')) as NodeJS.ProcessEnv;
  const ports = { KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: join(dir, 'kafka') };
  mkdirSync(ports.KAFKA_DATA_DIR, { recursive: true });
  writeFileSync(existing, JSON.stringify(ports));
  return ports;
}

async function startBroker(dir: string): Promise<string> {
  const out = execFileSync('bash', [join(repo, 'infra/kafka/kafka.sh'), 'start'], {
    encoding: 'utf8',
    env: { ...process.env, ...(await brokerEnv(dir)) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.trim().split('\n').pop()!;
}

async function stopBroker(dir: string): Promise<void> {
  execFileSync('bash', [join(repo, 'infra/kafka/kafka.sh'), 'stop'], { env: { ...process.env, ...(await brokerEnv(dir)) }, stdio: 'ignore' });
}

export async function runScenario(scenario: Scenario, messages: number, logRoot: string): Promise<ScenarioResult> {
  TOTAL.value = messages;
  const runId = `${scenario.name}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const logDir = mkdtempSync(join(logRoot, `${scenario.name}-`));
  const database = await freshDatabase();
  try {
    return await runScenarioIn(scenario, messages, runId, logDir, database.url);
  } finally {
    // Here, not in runScenarioIn: a scenario that fails early still stops its broker and drops its database.
    if (scenario.ownBroker) await stopBroker(logDir).catch(() => undefined);
    await database.drop();
  }
}

async function runScenarioIn(scenario: Scenario, messages: number, runId: string, logDir: string, databaseUrl: string): Promise<ScenarioResult> {
  const brokers = scenario.ownBroker ? await startBroker(logDir) : (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
  const prefix = `f-${runId}.`;
  const settings = { ...kafkaSettingsFromEnv({ ...process.env, KAFKA_BROKERS: brokers }), topicPrefix: prefix };
  const kafka = createKafka(settings, '-faults');
  await ensureTopics(kafka, prefix);
  const topics = topicNames(prefix);
  const db = new pg.Client({ connectionString: databaseUrl });
  // The workload's messages carry fixed dates: every email ticket is owed its acknowledgement, whatever today is.
  const serviceEnv: NodeJS.ProcessEnv = { KAFKA_BROKERS: brokers, SWITCHBOARD_TOPIC_PREFIX: prefix, DATABASE_URL: databaseUrl, SWITCHBOARD_ACK_MAX_AGE_HOURS: '1000000' };
  const env: Env = { runId, brokers, kafka, topics, databaseUrl, db, logDir, services: [], serviceEnv };
  const instances = scenario.instances ?? 1;
  const router = Array.from({ length: instances }, (_, i) => new ServiceProcess(`router-${i}`, 'services/router/src/main.ts', serviceEnv, join(logDir, `router-${i}.log`)));
  const sink = Array.from({ length: instances }, (_, i) => new ServiceProcess(`sink-${i}`, 'services/ticket-sink/src/main.ts', serviceEnv, join(logDir, `sink-${i}.log`)));
  env.services.push(...router, ...sink);
  const viaImap = scenario.source === 'imap';
  const dovecot = viaImap ? await startDovecot([MAIL_USER]) : undefined;
  if (dovecot) {
    // No SMTP peer here: acknowledgements are not what this scenario counts.
    serviceEnv.SWITCHBOARD_ACK_CHANNELS = '';
    env.services.push(
      new ServiceProcess(
        'connector-email',
        'services/connector-email/src/main.ts',
        {
          ...serviceEnv,
          PORT: '0',
          SWITCHBOARD_DATA_DIR: join(logDir, 'data'),
          EMAIL_ADDRESS: MAIL_ADDRESS,
          EMAIL_IMAP_HOST: '127.0.0.1',
          EMAIL_IMAP_PORT: String(dovecot.port),
          EMAIL_IMAP_SECURE: 'false',
          EMAIL_IMAP_USER: MAIL_USER.user,
          EMAIL_IMAP_PASSWORD: MAIL_USER.password,
          EMAIL_POLL_INTERVAL_MS: '1000',
          EMAIL_IDLE_DELAY_MS: '200',
        },
        join(logDir, 'connector-email.log'),
      ),
    );
  }
  const wechat = scenario.source === 'wechat-oa' ? new OfficialAccountFeed(logDir, serviceEnv) : undefined;
  if (wechat) {
    serviceEnv.SWITCHBOARD_ACK_CHANNELS = '';
    env.services.push(wechat.connector);
  }
  const producer = new BatchingProducer(kafka);
  const problems: string[] = [];
  let result: ScenarioResult | undefined;
  try {
    // The sink creates the schema: start it first and wait until it has, so counting can begin.
    for (const s of sink) s.start();
    await waitFor(async () => {
      await db.connect().catch(() => undefined);
      return (await db.query(`SELECT to_regclass('messages') IS NOT NULL AS ok`)).rows[0].ok === true;
    }, 60_000, 'the sink to migrate the store');
    for (const r of router) r.start();
    for (const connector of env.services.filter((p) => p.name.startsWith('connector-'))) connector.start();
    await wechat?.ready();

    const batch = workload(messages, Math.max(10, Math.floor(messages / 20)), runId);
    const injected = scenario.poison ? poison(runId) : [];
    await producer.connect();
    const progress = async () => (await storeCounts(db, runId)).distinctIds;
    const produced = (async () => {
      // Offered in slices so the fault lands while messages are still arriving.
      const slice = Math.max(50, Math.floor(messages / 20));
      for (let i = 0; i < batch.length; i += slice) {
        if (dovecot) await appendThroughRestarts(dovecot, batch.slice(i, i + slice), runId);
        else if (wechat) await wechat.post(batch.slice(i, i + slice));
        else await producer.sendJson(topics.inbound, batch.slice(i, i + slice).map((m) => ({ key: m.conversationKey, value: m })));
        if (injected.length && i === slice) await producer.send(topics.inbound, injected.map((p) => ({ key: p.key, value: p.value })));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // Observed now, awaited below: a failure while the fault runs must not go unhandled.
    produced.catch(() => undefined);
    await scenario.fault(env, { router, sink, progress, ...(dovecot ? { dovecot } : {}), ...(wechat ? { wechat } : {}) });
    const faultAt = Date.now();
    await produced;
    await waitFor(async () => (await progress()) >= messages && (await pipelineLag(kafka, topics)) === 0, 180_000, 'every message stored and lag 0').catch((e: Error) => problems.push(e.message));
    const recoverySec = (Date.now() - faultAt) / 1000;
    // A last look a moment later: anything still arriving now would be a duplicate or a late loss.
    await new Promise((r) => setTimeout(r, 1_000));
    const counts = await storeCounts(db, runId);
    const reordered = await reorderedConversations(db, runId);
    const dlq = await dlqSize(kafka, topics);
    if (counts.wrongCounts) problems.push(`${counts.wrongCounts} tickets with a wrong message count`);
    if (counts.duplicateTickets) problems.push(`${counts.duplicateTickets} conversations with a duplicate ticket`);
    if (reordered) problems.push(`${reordered} conversations stored out of order`);
    if (dlq !== injected.length) problems.push(`DLQ holds ${dlq}, expected ${injected.length}`);
    problems.push(...(await ackProblems(db, kafka, topics, runId, serviceEnv.SWITCHBOARD_ACK_CHANNELS === '' ? [] : ['email'])));
    result = {
      name: scenario.name,
      sent: messages,
      stored: counts.distinctIds,
      lost: messages - counts.distinctIds,
      duplicated: counts.stored - counts.distinctIds,
      dlq,
      expectedDlq: injected.length,
      recoverySec: Math.round(recoverySec * 10) / 10,
      problems,
    };
    return result;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await Promise.all(env.services.map((s) => s.close()));
    await db.end().catch(() => undefined);
    await dovecot?.stop();
    if (result && result.problems.length + result.lost + result.duplicated > 0) console.error(`logs of ${scenario.name}: ${logDir}`);
  }
}

export function tmpLogRoot(): string {
  return mkdtempSync(join(tmpdir(), 'switchboard-faults-'));
}
