/**
 * The connector against real peers: Dovecot for IMAP, smtp-server for SMTP, the shared Kafka broker.
 * Each test uses its own Message-ID domain, so it reads only its own records from the topics.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetter, InboundMessage, OutboundMessage, inReplyToOf, messageId, type OutboundMessageInput } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { createContext, hostConnector, type HostedConnector } from '@switchboard/connector-sdk';
import { eventually, kafkaForTest, readAll } from '@switchboard/testkit';
import { createEmailConnector, type EmailConnector } from '../src/index.ts';
import { backfillMailboxes, parseBackfillArgs } from '../src/backfill.ts';
import { parseMessageIds } from '../src/threading.ts';
import { startDovecot, startSmtpCapture, type Dovecot, type SmtpCapture } from '@switchboard/testkit';
import { SUPPORT, SUPPORT_ADDRESS, customerMail, testConfig } from './peers.ts';

let dovecot: Dovecot;
let smtp: SmtpCapture;
let env: Awaited<ReturnType<typeof kafkaForTest>>;
let producer: BatchingProducer;
const dataDir = mkdtempSync(join(tmpdir(), 'sb-email-data-'));
const running = new Set<HostedConnector>();

beforeAll(async () => {
  [dovecot, smtp, env] = await Promise.all([startDovecot([SUPPORT]), startSmtpCapture(), kafkaForTest()]);
  producer = new BatchingProducer(env.kafka);
  await producer.connect();
  const imap = await dovecot.client(SUPPORT);
  await imap.mailboxCreate('Support');
  await imap.logout();
}, 60_000);

afterAll(async () => {
  for (const hosted of running) await hosted.stop().catch(() => undefined);
  await producer?.disconnect().catch(() => undefined);
  await Promise.all([dovecot?.stop(), smtp?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

/** Starts a connector as a fresh process would: checkpoints reloaded from the topic. */
async function start(
  mailboxes: string[] = ['INBOX'],
  pollIntervalMs?: number,
  sessionMaxMs?: number,
): Promise<{ hosted: HostedConnector; connector: EmailConnector }> {
  const connector = createEmailConnector(
    testConfig(dovecot, smtp.port, { mailboxes, ...(pollIntervalMs ? { pollIntervalMs } : {}), ...(sessionMaxMs ? { sessionMaxMs } : {}) }),
  );
  const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
  const hosted = await hostConnector(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir });
  running.add(hosted);
  await eventually(() => connector.health().ready, 10_000, 'connector ready');
  return { hosted, connector };
}

async function stop(hosted: HostedConnector): Promise<void> {
  await hosted.stop();
  running.delete(hosted);
}

async function inbound(domain: string): Promise<InboundMessage[]> {
  const records = await readAll(env.kafka, env.topics.inbound);
  return records.map((r) => InboundMessage.parse(JSON.parse(r.value))).filter((m) => m.externalId.endsWith(`@${domain}`) || m.sender.address?.endsWith(`@${domain}`));
}

async function inboundUntil(domain: string, done: (messages: InboundMessage[]) => boolean, what: string): Promise<InboundMessage[]> {
  return eventually(async () => {
    const messages = await inbound(domain);
    return done(messages) ? messages : undefined;
  }, 20_000, what);
}

const uniqueDomain = (label: string) => `${label}-${randomBytes(3).toString('hex')}.test`;
const countById = (messages: InboundMessage[]) => messages.reduce((m, x) => m.set(x.id, (m.get(x.id) ?? 0) + 1), new Map<string, number>());

describe('email connector on Dovecot', () => {
  it('picks up, after a restart, every mail that arrived while it was down, each once', async () => {
    const domain = uniqueDomain('downtime');
    const first = await start();
    await dovecot.append(SUPPORT, [customerMail({ messageId: `before@${domain}`, from: `Ann <ann@${domain}>`, text: 'before the downtime' })]);
    await inboundUntil(domain, (ms) => ms.length === 1, 'the first mail');
    await stop(first.hosted);

    await dovecot.append(
      SUPPORT,
      [1, 2, 3].map((n) => customerMail({ messageId: `during-${n}@${domain}`, from: `Ann <ann@${domain}>`, text: `written during the downtime #${n}` })),
    );
    const second = await start();
    const messages = await inboundUntil(domain, (ms) => ms.length >= 4, 'the three mails of the downtime');
    await new Promise((r) => setTimeout(r, 1_500));
    const settled = await inbound(domain);
    expect(settled).toHaveLength(4);
    expect([...countById(settled).values()]).toEqual([1, 1, 1, 1]);
    expect(messages.map((m) => m.externalId).sort()).toEqual([`before@${domain}`, ...[1, 2, 3].map((n) => `during-${n}@${domain}`)].sort());
    expect(settled.find((m) => m.externalId === `during-2@${domain}`)!.meta).toMatchObject({ mailbox: 'INBOX', uidValidity: expect.any(String), uid: expect.any(Number) });
    await stop(second.hosted);
  }, 60_000);

  it('resyncs after UIDVALIDITY changed: mails seen before keep their ids, new ones are added', async () => {
    const domain = uniqueDomain('uidvalidity');
    const mails = [1, 2].map((n) => customerMail({ messageId: `seen-${n}@${domain}`, from: `Bo <bo@${domain}>`, text: `seen before #${n}` }));
    const first = await start(['Support']);
    await dovecot.append(SUPPORT, mails, 'Support');
    const before = await inboundUntil(domain, (ms) => ms.length === 2, 'the mails before the change');
    await stop(first.hosted);

    // The mailbox is rebuilt (new UIDVALIDITY, UIDs from 1 again) with the old mail and one new one.
    await dovecot.recreateMailbox(SUPPORT, 'Support');
    await dovecot.append(SUPPORT, [...mails, customerMail({ messageId: `new@${domain}`, from: `Bo <bo@${domain}>`, text: 'new after the change' })], 'Support');
    const second = await start(['Support']);
    const after = await inboundUntil(domain, (ms) => ms.some((m) => m.externalId === `new@${domain}`) && ms.length >= 5, 'resynced mailbox');
    const ids = new Set(after.map((m) => m.id));
    expect(ids).toEqual(new Set([...before.map((m) => m.id), messageId('email', SUPPORT_ADDRESS, `new@${domain}`)]));
    expect(second.connector.health().details).toMatchObject({ [`${SUPPORT_ADDRESS}/Support`]: { resyncs: 1 } });
    await stop(second.hosted);
  }, 60_000);

  it('resyncs when the mailbox is rebuilt while the connector is connected', async () => {
    const domain = uniqueDomain('live-rebuild');
    const mail = customerMail({ messageId: `kept@${domain}`, from: `Hal <hal@${domain}>`, text: 'there before the rebuild' });
    // Dovecot usually ends the session of a deleted mailbox; when it does not, the renewal finds the new one.
    const { hosted, connector } = await start(['Support'], undefined, 4_000);
    await dovecot.append(SUPPORT, [mail], 'Support');
    const [before] = await inboundUntil(domain, (ms) => ms.length === 1, 'the mail before the rebuild');
    const resyncsBefore = (connector.health().details as Record<string, { resyncs: number }>)[`${SUPPORT_ADDRESS}/Support`]!.resyncs;
    await dovecot.recreateMailbox(SUPPORT, 'Support');
    await dovecot.append(SUPPORT, [mail, customerMail({ messageId: `fresh@${domain}`, from: `Hal <hal@${domain}>`, text: 'after the rebuild' })], 'Support');
    const after = await inboundUntil(domain, (ms) => ms.some((m) => m.externalId === `fresh@${domain}`), 'the mail after the rebuild');
    expect(after.filter((m) => m.externalId === `kept@${domain}`).every((m) => m.id === before!.id)).toBe(true);
    await eventually(() => (connector.health().details as Record<string, { resyncs: number }>)[`${SUPPORT_ADDRESS}/Support`]!.resyncs === resyncsBefore + 1, 10_000, 'one resync');
    await stop(hosted);
  }, 60_000);

  it('renews its IMAP session after sessionMaxMs, as no error, and keeps receiving mail', async () => {
    const domain = uniqueDomain('renewal');
    const { hosted, connector } = await start(['Support'], undefined, 1_000);
    const details = () => (connector.health().details as Record<string, { sessions: number; errors: number }>)[`${SUPPORT_ADDRESS}/Support`]!;
    await eventually(() => details().sessions >= 3, 15_000, 'two renewals');
    await dovecot.append(SUPPORT, [customerMail({ messageId: `after@${domain}`, from: `Uma <uma@${domain}>`, text: 'after the renewals' })], 'Support');
    const received = await inboundUntil(domain, (ms) => ms.length === 1, 'the mail after the renewals');
    expect(received[0]!.externalId).toBe(`after@${domain}`);
    expect(details().errors).toBe(0);
    await stop(hosted);
  }, 60_000);

  it('hears new mail through IDLE, long before the next poll', async () => {
    const domain = uniqueDomain('idle');
    const { hosted } = await start(['INBOX'], 60_000);
    // Let the first sync finish and the connection settle into IDLE.
    await new Promise((r) => setTimeout(r, 600));
    const appended = Date.now();
    await dovecot.append(SUPPORT, [customerMail({ messageId: `idle@${domain}`, from: `Gus <gus@${domain}>`, text: 'pushed by IDLE' })]);
    await inboundUntil(domain, (ms) => ms.length === 1, 'the mail announced by IDLE');
    expect(Date.now() - appended).toBeLessThan(10_000);
    await stop(hosted);
  }, 60_000);

  it('reconnects after the server drops the connection and carries on', async () => {
    const domain = uniqueDomain('reconnect');
    const { hosted, connector } = await start();
    await dovecot.kick(SUPPORT);
    await dovecot.append(SUPPORT, [customerMail({ messageId: `after-kick@${domain}`, from: `Cy <cy@${domain}>`, text: 'after the drop' })]);
    await inboundUntil(domain, (ms) => ms.length === 1, 'the mail after the reconnect');
    await eventually(() => connector.health().ready, 10_000, 'ready again');
    expect(connector.health().errors, 'the drop was noticed').toBeGreaterThan(0);
    await stop(hosted);
  }, 60_000);

  it('duplicate delivery gives the same id; bad and oversized mail never block the mailbox', async () => {
    const domain = uniqueDomain('dupes');
    const fixtures = join(import.meta.dirname, 'fixtures');
    const { hosted } = await start();
    const duplicate = customerMail({ messageId: `twice@${domain}`, from: `Di <di@${domain}>`, text: 'delivered twice' });
    const malformed = readFileSync(join(fixtures, 'malformed.eml'));
    const oversized = readFileSync(join(fixtures, 'oversized.eml'), 'utf8').replace('oversized-0001@bigfiles.example', `big@${domain}`);
    const attachment = readFileSync(join(fixtures, 'attachment-pdf.eml'), 'utf8').replace('attach-0001@company.example', `pdf@${domain}`);
    await dovecot.append(SUPPORT, [duplicate, malformed, duplicate, oversized, attachment, customerMail({ messageId: `last@${domain}`, from: `Di <di@${domain}>`, text: 'after the bad one' })]);
    const messages = await inboundUntil(domain, (ms) => ms.some((m) => m.externalId === `last@${domain}`), 'the mail after the bad ones');

    const twice = messages.filter((m) => m.externalId === `twice@${domain}`);
    expect(twice).toHaveLength(2);
    expect(new Set(twice.map((m) => m.id)).size).toBe(1);

    const big = messages.find((m) => m.externalId === `big@${domain}`)!;
    expect(big.meta.original).toMatchObject({ reason: 'message-too-large', limit: 64 * 1024 });
    expect(big.text).toMatch(/^Here are all my scans\.[\s\S]*kept as original\.eml/);
    // The whole message, streamed from IMAP into the attachment store: as Dovecot holds it, byte for byte.
    const original = readFileSync(join(dataDir, 'email', big.attachments[0]!.storageRef!));
    expect(big.attachments[0]).toMatchObject({ name: 'original.eml', size: original.length, sha256: createHash('sha256').update(original).digest('hex') });
    expect(original.toString('utf8')).toContain(`big@${domain}`);
    expect(original.length).toBeGreaterThan(96 * 1024);

    const pdf = messages.find((m) => m.externalId === `pdf@${domain}`)!;
    expect(pdf.attachments[0]!.storageRef).toBeDefined();
    const stored = join(dataDir, 'email', pdf.attachments[0]!.storageRef!);
    expect(existsSync(stored)).toBe(true);
    expect(readFileSync(stored).subarray(0, 8).toString()).toBe('%PDF-1.4');

    const letters = (await readAll(env.kafka, env.topics.dlq)).map((r) => DeadLetter.parse(JSON.parse(r.value)));
    // Dovecot stores the garbage as given, apart from line endings: compare the visible text.
    const letter = letters.find((l) => l.id.startsWith(`email/${SUPPORT_ADDRESS}/INBOX/`) && Buffer.from(l.originalValue, 'base64').includes('garbage without any header'));
    expect(letter, 'the malformed mail is in the DLQ with its bytes').toBeDefined();
    expect(letter!.reason).toMatch(/unparseable email: no sender address/);
    await stop(hosted);
  }, 60_000);

  it('threads: our reply carries the customer’s chain, and their answer with a new subject joins the conversation', async () => {
    const domain = uniqueDomain('thread');
    const { hosted, connector } = await start();
    await dovecot.append(SUPPORT, [customerMail({ messageId: `question@${domain}`, from: `Eve <eve@${domain}>`, subject: 'Card payment failed', text: 'My card was declined at the shop.' })]);
    const [question] = await inboundUntil(domain, (ms) => ms.length === 1, 'the question');

    const outbound = (kind: 'reply' | 'ack', id: string): OutboundMessage =>
      OutboundMessage.parse({
        schemaVersion: 1,
        id,
        kind,
        ticketId: 'ticket-1',
        ticketNumber: 'SB-000123',
        channel: 'email',
        account: question!.account,
        conversationKey: question!.conversationKey,
        recipient: question!.sender,
        inReplyTo: inReplyToOf(question!),
        subject: question!.subject,
        text: kind === 'ack' ? 'We received your message: ticket SB-000123.' : 'Please try again now, the block is lifted.',
        createdAt: new Date().toISOString(),
      } satisfies OutboundMessageInput);

    const ack = await connector.send(outbound('ack', `ack-${domain}`));
    const reply = await connector.send(outbound('reply', `reply-${domain}`));
    expect(ack.externalId).toMatch(/^sb\.SB-000123\.[0-9a-f]{20}@wallet\.test$/);
    const sent = await eventually(() => {
      const mine = smtp.mails.filter((m) => m.to.includes(`eve@${domain}`));
      return mine.length === 2 ? mine : undefined;
    }, 10_000, 'both mails at the SMTP server');
    const ackMail = sent.find((m) => m.parsed.messageId === `<${ack.externalId}>`)!;
    const replyMail = sent.find((m) => m.parsed.messageId === `<${reply.externalId}>`)!;
    expect(ackMail.parsed.inReplyTo).toBe(`<question@${domain}>`);
    expect(parseMessageIds(ackMail.parsed.references)).toEqual([`question@${domain}`]);
    expect(ackMail.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ackMail.parsed.subject).toBe('Re: Card payment failed [#SB-000123]');
    expect(ackMail.from).toBe(SUPPORT_ADDRESS);
    expect(replyMail.parsed.headers.get('auto-submitted')).toBeUndefined();
    expect(replyMail.parsed.text).toContain('the block is lifted');

    // Eve answers our reply from her client, changing the subject.
    const answer = customerMail({
      messageId: `answer@${domain}`,
      from: `Eve <eve@${domain}>`,
      subject: 'Another question about fees',
      text: 'Works now, thanks. Why was I charged a fee?',
      inReplyTo: reply.externalId!,
      references: [...parseMessageIds(replyMail.parsed.references), reply.externalId!],
    });
    // And a webmail answer that dropped the headers but kept the subject token.
    const stripped = customerMail({ messageId: `stripped@${domain}`, from: `Eve <eve@${domain}>`, subject: 'Re: Card payment failed [#SB-000123]', text: 'One more thing.' });
    await dovecot.append(SUPPORT, [answer, stripped]);
    const messages = await inboundUntil(domain, (ms) => ms.length >= 3, 'the answers');
    expect(messages.map((m) => m.externalId).sort()).toEqual([`answer@${domain}`, `question@${domain}`, `stripped@${domain}`]);
    const joined = messages.find((m) => m.externalId === `answer@${domain}`)!;
    expect(joined.conversationKey).toBe(question!.conversationKey);
    expect(joined.meta.threading).toMatchObject({ reason: 'references-root', ticketRef: 'SB-000123' });
    const byToken = messages.find((m) => m.externalId === `stripped@${domain}`)!;
    expect(byToken.conversationKey).toBe('ticket:SB-000123');
    expect(byToken.meta).toMatchObject({ threading: { reason: 'subject-token' } });
    expect(byToken.thread).toEqual({ namedTicket: 'SB-000123' });
    await stop(hosted);
  }, 60_000);

  it('backfill re-reads a window without new ids and without moving the cursor', async () => {
    const domain = uniqueDomain('backfill');
    const { hosted } = await start();
    await dovecot.append(SUPPORT, [1, 2].map((n) => customerMail({ messageId: `old-${n}@${domain}`, from: `Fay <fay@${domain}>`, text: `old mail ${n}` })));
    const before = await inboundUntil(domain, (ms) => ms.length === 2, 'the mails');
    await stop(hosted);

    const cursorBefore = (await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints)).namespace('email').get(SUPPORT_ADDRESS, 'INBOX');
    const connector = createEmailConnector(testConfig(dovecot, smtp.port));
    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    const context = createContext(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir }, new AbortController().signal);
    const options = parseBackfillArgs(['--since', new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)]);
    const counts = await backfillMailboxes(connector, context, options);
    expect(counts[`${SUPPORT_ADDRESS}/INBOX`]).toBeGreaterThanOrEqual(2);

    const after = await inboundUntil(domain, (ms) => ms.length === 4, 'the backfilled mails');
    expect(new Set(after.map((m) => m.id))).toEqual(new Set(before.map((m) => m.id)));
    expect(checkpoints.namespace('email').get(SUPPORT_ADDRESS, 'INBOX')).toEqual(cursorBefore);
    expect(() => parseBackfillArgs(['--since', 'yesterday'])).toThrow(/usage: backfill --since YYYY-MM-DD/);
  }, 60_000);
});
