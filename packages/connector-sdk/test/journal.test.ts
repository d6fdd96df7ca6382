import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage, messageId, type InboundMessageInput } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { createLogger } from '@switchboard/runtime';
import { kafkaForTest, readTopic, TYPESCRIPT_ENTRY_ARGS } from '@switchboard/testkit';
import { createContext, DurableInbox, type Connector, type DurableInboxOptions, type JournalEntry } from '../src/index.ts';

const logger = createLogger('journal-test');
const folder = () => mkdtempSync(join(tmpdir(), 'sb-journal-'));
const entries = (dir: string) => readdirSync(dir).sort();
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const entry = (id: string): JournalEntry => ({ id, receivedAt: '2026-12-07T08:00:00.000Z', payload: `<xml><MsgId>${id}</MsgId></xml>` });

function inbox(dir: string, overrides: Partial<DurableInboxOptions> = {}): { inbox: DurableInbox; delivered: JournalEntry[]; unreadable: string[] } {
  const delivered: JournalEntry[] = [];
  const unreadable: string[] = [];
  const opened = DurableInbox.open({
    dir,
    logger,
    journalAfterMs: 100,
    retryMs: 50,
    redeliver: async (e) => void delivered.push(e),
    unreadable: async (raw, reason) => void unreadable.push(`${reason}: ${raw.toString()}`),
    ...overrides,
  });
  return { inbox: opened, delivered, unreadable };
}

describe('the durable inbox of a webhook', () => {
  it('answers at once when Kafka acknowledges in time, writing nothing', async () => {
    const dir = folder();
    const { inbox: journal } = inbox(dir);
    expect(await journal.accept(entry('m1'), async () => undefined)).toBe('produced');
    expect(entries(dir)).toEqual([]);
    await journal.close();
  });

  it('writes the entry when Kafka is late, and removes it once the produce finishes after all', async () => {
    const dir = folder();
    const { inbox: journal, delivered } = inbox(dir, { retryMs: 10_000 });
    let finish!: () => void;
    const started = Date.now();
    expect(await journal.accept(entry('m2'), () => new Promise<void>((resolve) => (finish = resolve)))).toBe('journaled');
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(entries(dir)).toHaveLength(1);
    expect(journal.pending).toBe(1);
    finish();
    await expect.poll(() => entries(dir)).toEqual([]);
    expect(journal.pending).toBe(0);
    expect(delivered).toEqual([]);
    await journal.close();
  });

  it('journals at once when the produce is refused, then delivers the entry again until Kafka takes it', async () => {
    const dir = folder();
    let failures = 2;
    const delivered: JournalEntry[] = [];
    const { inbox: journal } = inbox(dir, {
      journalAfterMs: 5_000,
      redeliver: async (e) => {
        if (failures-- > 0) throw new Error('broker unavailable');
        delivered.push(e);
      },
    });
    const started = Date.now();
    expect(await journal.accept(entry('m3'), async () => Promise.reject(new Error('broker unavailable')))).toBe('journaled');
    expect(Date.now() - started).toBeLessThan(4_000);
    await expect.poll(() => delivered, { timeout: 5_000 }).toEqual([entry('m3')]);
    await expect.poll(() => entries(dir)).toEqual([]);
    await journal.close();
  });

  it('refuses when the disk cannot take the entry either, so the source is not told "received"', async () => {
    const dir = folder();
    const { inbox: journal } = inbox(dir);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a folder any more');
    await expect(journal.accept(entry('m4'), () => new Promise(() => undefined))).rejects.toThrow(/ENOTDIR|ENOENT/);
    await journal.close();
  });

  it('replays what an earlier run left in arrival order; drops a partial write (never acknowledged); keeps a torn file as bad input', async () => {
    const dir = folder();
    const first = inbox(dir, { retryMs: 60_000, closeWaitMs: 50 });
    for (const id of ['a', 'b', 'c']) await first.inbox.accept(entry(id), () => new Promise(() => undefined));
    await first.inbox.close();
    writeFileSync(join(dir, '999999999999999-000001-deadbeef0000.json.partial'), '{"id":"half');
    writeFileSync(join(dir, '000000000000001-000001-torn00000000.json'), '{"id":"torn", "rece');

    const second = inbox(dir);
    expect(await second.inbox.start()).toBe(0);
    expect(second.delivered.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(second.delivered[0]).toEqual(entry('a'));
    expect(second.unreadable).toEqual([expect.stringMatching(/^unreadable journal file 000000000000001-000001-torn00000000\.json: .*\{"id":"torn", "rece$/)]);
    expect(entries(dir)).toEqual([]);
    await second.inbox.close();
  });

  it('closes promptly while a produce hangs, leaving the entry for the next start', async () => {
    const dir = folder();
    const { inbox: journal } = inbox(dir, { closeWaitMs: 200 });
    await journal.accept(entry('m5'), () => new Promise(() => undefined));
    const started = Date.now();
    await journal.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(entries(dir)).toHaveLength(1);
  });
});

describe('the durable inbox across a crash (kill -9 between the journal write and the produce), on a real broker', () => {
  const connector: Connector = { name: 'journal-crash', channels: ['api'], start: async () => {}, stop: async () => {}, health: () => ({ ready: true, status: 'ok' }) };
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
  });
  afterAll(() => producer?.disconnect());

  it('delivers the journaled message to Kafka exactly once at the next start', async () => {
    const dir = folder();
    const externalId = `crash-${Date.now().toString(36)}`;
    const message: InboundMessageInput = {
      schemaVersion: 1,
      id: messageId('api', 'journal', externalId),
      channel: 'api',
      account: 'journal',
      externalId,
      conversationKey: `journal:${externalId}`,
      sender: { id: 'customer-1' },
      text: 'my transfer never arrived',
      sentAt: '2026-12-07T08:00:00.000Z',
      receivedAt: '2026-12-07T08:00:00.000Z',
    };
    const child = spawn(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, join(import.meta.dirname, 'fixtures/journal-child.ts'), dir, externalId, JSON.stringify(message)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await expect.poll(() => out, { timeout: 30_000 }).toBe('journaled\n');
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(entries(dir)).toHaveLength(1);

    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    const ctx = createContext(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir: folder() }, new AbortController().signal);
    const restarted = DurableInbox.open({ dir, logger, redeliver: (e) => ctx.emit([JSON.parse(e.payload) as InboundMessageInput]), unreadable: async () => undefined });
    expect(await restarted.start()).toBe(0);
    await restarted.close();
    expect(entries(dir)).toEqual([]);
    await later(500);
    const records = await readTopic(env.kafka, env.topics.inbound, (rs) => rs.some((r) => r.value.includes(externalId)));
    const produced = records.filter((r) => r.value.includes(externalId)).map((r) => InboundMessage.parse(JSON.parse(r.value)));
    expect(produced).toHaveLength(1);
    expect(produced[0]).toMatchObject({ id: message.id, text: 'my transfer never arrived' });
  }, 60_000);
});
