import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { createKafka, ensureTopics, kafkaSettingsFromEnv, readTopicRange, type KafkaSettings } from '@switchboard/kafka';
import { topicNames, type TopicNames } from '@switchboard/schema';

/**
 * Kafka for a test: the broker of KAFKA_BROKERS (set by the global setup, which starts infra/kafka
 * when nothing else is given), with this test's own topics under a unique prefix. There is no skip:
 * a test that needs Kafka and cannot reach it fails.
 */
export async function kafkaForTest(): Promise<{ kafka: Kafka; settings: KafkaSettings; topics: TopicNames; prefix: string }> {
  const prefix = `t-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.`;
  const settings = { ...kafkaSettingsFromEnv(), topicPrefix: prefix };
  const kafka = createKafka(settings, `-test`);
  await ensureTopics(kafka, prefix);
  return { kafka, settings, topics: topicNames(prefix), prefix };
}

export interface ReadRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the beginning until `done(records so far)` holds, or fails after `timeoutMs`
 * with what it saw, so a failing test says what arrived instead of only "timeout".
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  done: (records: ReadRecord[]) => boolean,
  timeoutMs = 20_000,
): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`readTopic(${topic}): condition not met after ${timeoutMs} ms; ${records.length} records: ${records.slice(0, 5).map((r) => r.value.slice(0, 200)).join(' | ')}`)),
        timeoutMs,
      );
      if (done(records)) {
        clearTimeout(timer);
        resolve();
        return;
      }
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
            records.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers, partition, offset: message.offset });
            if (done(records)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Every record of a topic up to its current end. */
export async function readAll(kafka: Kafka, topic: string): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  await readTopicRange(kafka, topic, (message, partition) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
    records.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers, partition, offset: message.offset });
  });
  return records;
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh database on the PostgreSQL server of `serverUrl`, dropped (with its connections) by `drop()`.
 * Fails (never skips) without a server.
 */
export async function freshDatabase(serverUrl = TEST_PG_URL, name = `sb_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a safe database name: ${name}`);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Node's arguments for running one of our TypeScript entry points as its own process, as the start
 * scripts do. tsx's ESM hooks alone, not `--import tsx` or the tsx command: those also hook CommonJS,
 * and tsx's CommonJS hook detaches an ArrayBuffer on the main thread when it loads kafkajs, which
 * slows every typed-array access in the process from then on (docs/benchmarks.md). The ESM hooks
 * run on their own thread.
 */
export const TYPESCRIPT_ENTRY_ARGS: readonly string[] = ['--import', 'tsx/esm'];

export { startDovecot, freePort, type Dovecot, type DovecotUser } from './dovecot.ts';
export { startSmtpCapture, type SmtpCapture, type CapturedMail } from './smtp.ts';
export { routedMessage } from './messages.ts';
export { waitForOutput, copyRepository } from './processes.ts';
export { apiCaller, signIn, startInProcess, TEST_ADMIN, TEST_ADMIN_ENV, type CallInit, type InProcess, type SignedIn } from './people.ts';
export { promoteModelCopy } from './registry.ts';
export { startFakeLedger, type FakeLedger, type FakeTransaction, type FakeRefund, type FakeFreeze } from './fake-ledger.ts';
