/**
 * Email arrival → ticket: what a customer who writes an email waits for until an agent can see the
 * ticket. A real Dovecot (Debian's dovecot-imapd, `@switchboard/testkit`), the email connector as its
 * own process (its `main.ts`, as deployed: IDLE on INBOX with the default settings of its README), the
 * router and the ticket sink as their own processes, on topics and a database of this phase, and an
 * SMTP peer for the acknowledgements the sink sends for new tickets.
 *
 * Mails arrive one by one over IMAP APPEND, at random (exponential) intervals averaging `rate` per
 * second, each a new conversation. A mail's time starts just before its APPEND (so it includes the
 * APPEND itself) and ends at the first poll of the store that sees its message row, which the sink
 * writes in the same transaction as the ticket (`arrivals.ts`).
 */
import { join } from 'node:path';
import { seededRandom } from '@switchboard/runtime';
import { startDovecot, startSmtpCapture } from '@switchboard/testkit';
import { ArrivalWatcher, summarize, type LatencySummary } from './arrivals.ts';
import { freshTopics, runDatabase, startStage, type Run } from './context.ts';
import { log, nowMs, repoRoot } from './harness.ts';
import { generateMessages } from './messages.ts';

export interface EmailOptions {
  mails: number;
  /** Mean arrivals per second. */
  rate: number;
  seed: number;
}

export interface EmailResult {
  /** Arrival in the mailbox → the message and its ticket committed to the store. */
  emailToTicketMs: LatencySummary;
  /** Arrival → the connector read it (its `received_at`): IDLE's notice, the fetch, the parse. */
  untilReadMs: LatencySummary;
  /** Arrival → routed (`routed_at`). */
  untilRoutedMs: LatencySummary;
  samples: number;
  missing: number;
  offeredPerSec: number;
}

const ACCOUNT = { user: 'support', password: 'bench-imap-password-1' };
const ADDRESS = 'support@wallet.example';
const WARM_UP_MAILS = 3;

/** One customer mail as a mail client would write it: plain text, UTF-8, its own Message-ID. */
function customerMail(messageId: string, from: { name: string; address: string }, subject: string, text: string): string {
  return [
    `From: ${from.name} <${from.address}>`,
    `To: Wallet Support <${ADDRESS}>`,
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    '',
  ].join('\r\n');
}

function mails(run: Run, count: number, seed: number): { externalId: string; raw: string }[] {
  const sources = generateMessages({ count: count * 5, seed, runTag: `${run.stamp}-email`, startAt: new Date() }).filter((m) => m.channel === 'email');
  return Array.from({ length: count }, (_, i) => {
    const source = sources[i % sources.length]!;
    const externalId = `bench-${run.stamp}-${i}@customer.example`;
    const from = { name: source.sender.name ?? `Customer ${i}`, address: `customer-${i}@customer.example` };
    return { externalId, raw: customerMail(externalId, from, source.subject ?? 'Question about my account', source.text) };
  });
}

export async function measureEmailToTicket(run: Run, options: EmailOptions): Promise<EmailResult> {
  const dovecot = await startDovecot([ACCOUNT]);
  run.cleanups.push(() => dovecot.stop());
  const smtp = await startSmtpCapture();
  run.cleanups.push(() => smtp.stop());
  const topics = await freshTopics(run, 'email');
  const databaseUrl = await runDatabase(run, 'email');

  const sink = startStage(run, 'sink', 'email', topics, { DATABASE_URL: databaseUrl });
  const router = startStage(run, 'router', 'email', topics);
  const connector = startStage(
    run,
    'connector-email',
    'email',
    topics,
    {
      EMAIL_ADDRESS: ADDRESS,
      EMAIL_IMAP_HOST: dovecot.host,
      EMAIL_IMAP_PORT: String(dovecot.port),
      EMAIL_IMAP_SECURE: 'false',
      EMAIL_IMAP_USER: ACCOUNT.user,
      EMAIL_IMAP_PASSWORD: ACCOUNT.password,
      EMAIL_SMTP_HOST: '127.0.0.1',
      EMAIL_SMTP_PORT: String(smtp.port),
      EMAIL_SMTP_SECURE: 'false',
      PORT: '0',
      SWITCHBOARD_DATA_DIR: join(run.workDir, 'email-data'),
    },
    { entry: join(repoRoot, 'services/connector-email/src/main.ts'), ready: /"msg":"watching mailbox"/ },
  );
  await Promise.all([sink.ready, router.ready, connector.ready]);

  const all = mails(run, WARM_UP_MAILS + options.mails, options.seed);
  const watcher = await ArrivalWatcher.open(databaseUrl, 'external_id', true);
  const imap = await dovecot.client(ACCOUNT);
  const arrivedAt = new Map<string, number>();
  try {
    // The first mails find every process cold (first fetch, first group assignment): not counted.
    for (const mail of all.slice(0, WARM_UP_MAILS)) {
      watcher.expect(mail.externalId);
      await imap.append('INBOX', mail.raw);
    }
    await watcher.settle(120_000);
    if (watcher.waiting > 0) throw new Error(`email: ${watcher.waiting} warm-up mails never became tickets`);

    log(`email: ${options.mails} mails at ${options.rate}/s on average into Dovecot (IDLE), each to its ticket`);
    const random = seededRandom(options.seed);
    const measured = all.slice(WARM_UP_MAILS);
    const started = nowMs();
    let due = started;
    for (const mail of measured) {
      due += (-Math.log(1 - random()) / options.rate) * 1000;
      const wait = due - nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      arrivedAt.set(mail.externalId, nowMs());
      watcher.expect(mail.externalId);
      await imap.append('INBOX', mail.raw);
    }
    const offeredPerSec = measured.length / ((nowMs() - started) / 1000);
    await watcher.settle(120_000);
    return summarizeEmail(arrivedAt, watcher, offeredPerSec);
  } finally {
    await imap.logout().catch(() => undefined);
    await watcher.close();
    await Promise.all([connector.stop(), router.stop(), sink.stop()]);
  }
}

function summarizeEmail(arrivedAt: Map<string, number>, watcher: ArrivalWatcher, offeredPerSec: number): EmailResult {
  const toTicket: number[] = [];
  const untilRead: number[] = [];
  const untilRouted: number[] = [];
  for (const [externalId, arrived] of arrivedAt) {
    const arrival = watcher.arrivals.get(externalId);
    if (!arrival) continue;
    toTicket.push(arrival.seenAt - arrived);
    untilRead.push(arrival.receivedAt - arrived);
    untilRouted.push(arrival.routedAt - arrived);
  }
  return {
    emailToTicketMs: summarize(toTicket),
    untilReadMs: summarize(untilRead),
    untilRoutedMs: summarize(untilRouted),
    samples: toTicket.length,
    missing: arrivedAt.size - toTicket.length,
    offeredPerSec: Math.round(offeredPerSec * 100) / 100,
  };
}
