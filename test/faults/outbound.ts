/**
 * Outbound scenarios: replies on cs.messages.outbound.v1 sent by the email connector, run as its own
 * process (one or two replicas in one consumer group), to a real SMTP server (smtp-server) that
 * counts what arrives. Each reply carries its id in its text, so a reply sent twice shows as a
 * duplicate and one never sent as lost.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { BatchingProducer, consumerLag, createKafka, ensureTopics, kafkaSettingsFromEnv } from '@switchboard/kafka';
import { consumerGroup, topicNames, type OutboundMessage, type TopicNames } from '@switchboard/schema';
import { startDovecot, startSmtpCapture, type Dovecot, type SmtpCapture } from '@switchboard/testkit';
import { ServiceProcess } from './processes.ts';
import { dlqSize } from './checks.ts';
import type { ScenarioResult } from './suite.ts';

const MAIL_USER = { user: 'support', password: 'faults-outbound-password' };
const MAIL_ADDRESS = 'support@wallet.test';
const REPLY_ID = /\[reply (\S+)\]/;

export interface OutboundHarness {
  runId: string;
  kafka: Kafka;
  topics: TopicNames;
  replicas: ServiceProcess[];
  /** Produces replies `from`..`to-1` (ids `<runId>-r<n>`) in `slices` slices, `gapMs` apart, as the sink and agents would. */
  produce(from: number, to: number, pace?: { slices: number; gapMs: number }): Promise<void>;
  /** Distinct replies the SMTP server has received so far. */
  delivered(): number;
  /** Replies produced so far (the highest `to` given to `produce`). */
  produced(): number;
  /**
   * Produces the next replies whenever fewer than `backlog` wait, up to `upTo`, until `done` holds:
   * a fault then meets replies still flowing, however long a process takes to start.
   */
  keepFlowing(done: () => boolean, upTo: number, backlog?: number): Promise<void>;
  /** Waits until every reply up to `count` arrived and the connector's group has no lag. */
  settle(count: number, timeoutMs?: number): Promise<void>;
  /** Starts replica `i` and resolves when it says it runs: how long that took, ms. */
  start(i: number): Promise<number>;
  /** Resolves when reply `n` has arrived: ms since `since`. */
  arrived(n: number, since: number): Promise<number>;
  /** The `readBack` the latest start of replica `i` logged. */
  readBack(i: number): number | undefined;
  notes: string[];
  /** What the scenario found wrong besides lost and duplicated replies. */
  problems: string[];
}

export interface OutboundScenario {
  name: string;
  description: string;
  replicas: number;
  /** How long the SMTP server takes to accept a mail (a real relay takes tens of ms or more). */
  smtpAcceptDelayMs?: number;
  /** Runs the fault and waits for the replies: how many were produced (distinct ids), and how long the last recovery took. */
  run(h: OutboundHarness, messages: number): Promise<{ produced: number; recoverySec: number }>;
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function reply(runId: string, n: number): OutboundMessage {
  const conversation = n % 40;
  return {
    schemaVersion: 1,
    id: `${runId}-r${n}`,
    kind: 'reply',
    ticketId: `tkt-${runId}-${conversation}`,
    ticketNumber: `SB-${String(conversation + 1).padStart(6, '0')}`,
    channel: 'email',
    account: MAIL_ADDRESS,
    conversationKey: `email:${runId}-c${conversation}@faults.test`,
    recipient: { id: `customer-${conversation}@customer.test`, address: `customer-${conversation}@customer.test` },
    public: false,
    subject: `case ${conversation}`,
    text: `Thank you for waiting, here is what we found. [reply ${runId}-r${n}]`,
    createdAt: new Date().toISOString(),
    meta: {},
  };
}

/** Deliveries per reply id, from what the SMTP server holds; each mail read once, however often asked. */
function deliveryCounter(smtp: SmtpCapture): () => Map<string, number> {
  const counts = new Map<string, number>();
  let read = 0;
  return () => {
    for (; read < smtp.mails.length; read++) {
      const id = REPLY_ID.exec(smtp.mails[read]!.parsed.text ?? '')?.[1];
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };
}

function occurrences(path: string, needle: string): number {
  try {
    return readFileSync(path, 'utf8').split(needle).length - 1;
  } catch {
    return 0;
  }
}

function lastReadBack(path: string): number | undefined {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('outbound ledger following'));
  const last = lines[lines.length - 1];
  return last ? (JSON.parse(last) as { readBack?: number }).readBack : undefined;
}

export async function runOutboundScenario(scenario: OutboundScenario, messages: number, logRoot: string): Promise<ScenarioResult> {
  const runId = `${scenario.name}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const logDir = mkdtempSync(join(logRoot, `${scenario.name}-`));
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const prefix = `f-${runId}.`;
  const kafka = createKafka({ ...kafkaSettingsFromEnv({ ...process.env, KAFKA_BROKERS: brokers }), topicPrefix: prefix }, '-faults');
  await ensureTopics(kafka, prefix);
  const topics = topicNames(prefix);
  const dovecot: Dovecot = await startDovecot([MAIL_USER]);
  const smtp = await startSmtpCapture({ acceptDelayMs: scenario.smtpAcceptDelayMs ?? 0 });
  const countDeliveries = deliveryCounter(smtp);
  const producer = new BatchingProducer(kafka);
  await producer.connect();
  const replicas = Array.from({ length: scenario.replicas }, (_, i) => {
    const env: NodeJS.ProcessEnv = {
      KAFKA_BROKERS: brokers,
      SWITCHBOARD_TOPIC_PREFIX: prefix,
      PORT: '0',
      SWITCHBOARD_DATA_DIR: join(logDir, `data-${i}`),
      EMAIL_ADDRESS: MAIL_ADDRESS,
      EMAIL_IMAP_HOST: '127.0.0.1',
      EMAIL_IMAP_PORT: String(dovecot.port),
      EMAIL_IMAP_SECURE: 'false',
      EMAIL_IMAP_USER: MAIL_USER.user,
      EMAIL_IMAP_PASSWORD: MAIL_USER.password,
      EMAIL_SMTP_HOST: '127.0.0.1',
      EMAIL_SMTP_PORT: String(smtp.port),
      EMAIL_SMTP_SECURE: 'false',
    };
    return new ServiceProcess(`connector-email-${i}`, 'services/connector-email/src/main.ts', env, join(logDir, `connector-email-${i}.log`));
  });
  const group = consumerGroup(topics, 'switchboard-outbound-email');
  const problems: string[] = [];
  let producedUpTo = 0;
  const h: OutboundHarness = {
    runId,
    problems,
    kafka,
    topics,
    replicas,
    notes: [],
    async produce(from, to, pace = { slices: Math.ceil((to - from) / 200), gapMs: 20 }) {
      producedUpTo = Math.max(producedUpTo, to);
      const slice = Math.max(1, Math.ceil((to - from) / pace.slices));
      for (let n = from; n < to; n += slice) {
        const batch = Array.from({ length: Math.min(slice, to - n) }, (_, k) => reply(runId, n + k));
        await producer.sendJson(topics.outbound, batch.map((m) => ({ key: m.conversationKey, value: m })));
        await new Promise((r) => setTimeout(r, pace.gapMs));
      }
    },
    delivered: () => countDeliveries().size,
    produced: () => producedUpTo,
    async keepFlowing(done, upTo, backlog = 60) {
      while (!done()) {
        const next = Math.min(upTo, producedUpTo + 20);
        if (next > producedUpTo && producedUpTo - h.delivered() < backlog) await h.produce(producedUpTo, next);
        else await new Promise((r) => setTimeout(r, 100));
      }
    },
    // A loaded machine sends a few dozen replies a second: the wait grows with the count.
    async settle(count, timeoutMs = 120_000 + 100 * count) {
      await waitFor(async () => h.delivered() >= count && (await consumerLag(kafka, group, topics.outbound)) === 0, timeoutMs, `${count} replies delivered and lag 0`);
    },
    async start(i) {
      const replica = replicas[i]!;
      const before = occurrences(replica.logPath, 'connector running');
      const started = Date.now();
      replica.start();
      await waitFor(() => occurrences(replica.logPath, 'connector running') > before, 60_000, `${replica.name} to run`);
      return Date.now() - started;
    },
    async arrived(n, since) {
      await waitFor(() => countDeliveries().has(`${runId}-r${n}`), 60_000, `reply ${n}`);
      return Date.now() - since;
    },
    readBack: (i) => lastReadBack(replicas[i]!.logPath),
  };

  let result: ScenarioResult | undefined;
  try {
    let outcome = { produced: 0, recoverySec: 0 };
    try {
      outcome = await scenario.run(h, messages);
    } catch (error) {
      problems.push((error as Error).message);
      outcome.produced = h.produced();
    }
    // A last look a moment later: a reply arriving now would be a duplicate.
    await new Promise((r) => setTimeout(r, 1_500));
    const counts = countDeliveries();
    const ids = Array.from({ length: outcome.produced }, (_, n) => `${runId}-r${n}`);
    const lost = ids.filter((id) => !counts.has(id)).length;
    const duplicated = [...counts.values()].reduce((sum, c) => sum + c - 1, 0);
    const dlq = await dlqSize(kafka, topics);
    if (dlq !== 0) problems.push(`DLQ holds ${dlq}, expected 0`);
    result = { name: scenario.name, sent: outcome.produced, stored: counts.size, lost, duplicated, dlq, expectedDlq: 0, recoverySec: outcome.recoverySec, problems, notes: h.notes };
    return result;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await Promise.all(replicas.map((r) => r.close()));
    await smtp.stop();
    await dovecot.stop();
    if (result && result.problems.length + result.lost + result.duplicated > 0) console.error(`logs of ${scenario.name}: ${logDir}`);
  }
}
