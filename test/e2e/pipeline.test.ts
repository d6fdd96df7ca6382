/**
 * The whole pipeline, in one process as `pnpm start` runs it, on the real Kafka broker, the real
 * PostgreSQL server and a real Dovecot: email and API messages become tickets, duplicates stay single,
 * poison lands in the DLQ while the rest flows, replies and acknowledgements go out by SMTP and thread.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetter } from '@switchboard/schema';
import { setLogSink } from '@switchboard/runtime';
import { BatchingProducer } from '@switchboard/kafka';
import { loadAllInOneConfig, startAllInOne } from '@switchboard/all-in-one';
import type { RunningGateway } from '@switchboard/gateway';
import { apiCaller, eventually, freshDatabase, kafkaForTest, readTopic, startDovecot, startSmtpCapture, TEST_ADMIN, TEST_ADMIN_ENV, type Dovecot, type SmtpCapture } from '@switchboard/testkit';

const SUPPORT = { user: 'support', password: 'imap-pw-e2e-3141592' };
const SUPPORT_ADDRESS = 'support@wallet.test';
const API_TOKEN = 'e2e-api-token-2718281828';
const SLACK_SECRET = 'e2e-slack-signing-secret-1618';
const SLACK_TOKEN = 'xoxb-e2e-slack-bot-token-1414';
const SECRETS = [API_TOKEN, SUPPORT.password, SLACK_SECRET, SLACK_TOKEN, TEST_ADMIN.password];

function customerMail(o: { messageId: string; subject: string; text: string; inReplyTo?: string; references?: string[] }): string {
  return [
    'From: Ann Lee <ann@customer.test>',
    `To: Wallet Support <${SUPPORT_ADDRESS}>`,
    `Subject: ${o.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${o.messageId}>`,
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []),
    ...(o.references ? [`References: ${o.references.map((r) => `<${r}>`).join(' ')}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    o.text,
    '',
  ].join('\r\n');
}

interface TicketView {
  ticket: { id: string; number: string; channel: string; category: string; priority: string; language: string; messageCount: number; status: string; subject?: string; customer: { address?: string } };
  messages: { id: string; direction: string; text: string; kind?: string; deliveryState?: string; externalId: string | null }[];
}

describe('Switchboard end to end', () => {
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let switchboard: RunningGateway;
  let producer: BatchingProducer;
  let dropDb: () => Promise<void>;
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  const logs: string[] = [];

  let call: Awaited<ReturnType<typeof apiCaller>>;
  /** The machine token on the message API, the test admin's personal token on the rest. */
  const api = async (path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
    const res = await call(path, { ...(init.method ? { method: init.method } : {}), ...(init.body !== undefined ? { raw: init.body } : {}), ...(init.headers ? { headers: init.headers } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const tickets = async (query = '') => (await api(`/api/v1/tickets${query}`)).body.tickets as TicketView['ticket'][];
  const ticket = async (id: string) => (await api(`/api/v1/tickets/${id}`)).body as unknown as TicketView;
  const ticketWithMessage = (needle: string) =>
    eventually(async () => {
      for (const t of await tickets()) {
        const view = await ticket(t.id);
        if (view.messages.some((m) => m.text.includes(needle))) return view;
      }
      return undefined;
    }, 45_000, `a ticket with "${needle}"`);

  beforeAll(async () => {
    setLogSink((line) => logs.push(line), 'debug');
    [dovecot, smtp, env] = await Promise.all([startDovecot([SUPPORT]), startSmtpCapture(), kafkaForTest()]);
    const db = await freshDatabase();
    dropDb = db.drop;
    const config = loadAllInOneConfig({
      ...process.env,
      PORT: '0',
      SWITCHBOARD_TOPIC_PREFIX: env.prefix,
      DATABASE_URL: db.url,
      SWITCHBOARD_API_TOKEN: API_TOKEN,
      ...TEST_ADMIN_ENV,
      SWITCHBOARD_DATA_DIR: `${dovecot.dir}/data`,
      EMAIL_ADDRESS: SUPPORT_ADDRESS,
      EMAIL_IMAP_HOST: '127.0.0.1',
      EMAIL_IMAP_PORT: String(dovecot.port),
      EMAIL_IMAP_SECURE: 'false',
      EMAIL_IMAP_USER: SUPPORT.user,
      EMAIL_IMAP_PASSWORD: SUPPORT.password,
      EMAIL_SMTP_HOST: '127.0.0.1',
      EMAIL_SMTP_PORT: String(smtp.port),
      EMAIL_SMTP_SECURE: 'false',
      EMAIL_POLL_INTERVAL_MS: '500',
      EMAIL_IDLE_DELAY_MS: '200',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SWITCHBOARD_ACK_CHANNELS: 'email',
    });
    switchboard = await startAllInOne(config);
    call = await apiCaller(switchboard.url, API_TOKEN);
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await switchboard?.stop();
    await Promise.allSettled([dovecot?.stop(), smtp?.stop(), dropDb?.()]);
    setLogSink((line) => process.stderr.write(line + '\n'));
    // Kept for whoever debugs a failure: the run's whole log (secrets masked).
    const artifacts = join(import.meta.dirname, '../artifacts');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'e2e.log'), logs.join('\n') + '\n');
  }, 60_000);

  it('turns an email appended to the mailbox into a ticket with the right fields, acknowledged once by threaded mail', async () => {
    const mail = customerMail({ messageId: 'fraud-1@customer.test', subject: 'Unknown payments on my card', text: 'Someone used my card 4111 1111 1111 1111 for purchases I did not make. Please block it!' });
    await dovecot.append(SUPPORT, [mail]);
    const view = await ticketWithMessage('purchases I did not make');
    expect(view.ticket).toMatchObject({ channel: 'email', category: 'security', priority: 'urgent', language: 'en', messageCount: 1, status: 'open', subject: 'Unknown payments on my card' });
    expect(view.ticket.customer.address).toBe('ann@customer.test');
    expect(view.messages[0]!.text).toContain('[card ****1111]');
    expect(view.messages[0]!.text).not.toContain('4111 1111 1111 1111');

    const ack = await eventually(() => smtp.mails.find((m) => m.parsed.subject?.includes(view.ticket.number)), 30_000, 'the acknowledgement by SMTP');
    expect(ack.to).toEqual(['ann@customer.test']);
    expect(ack.parsed.inReplyTo).toBe('<fraud-1@customer.test>');
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    await eventually(async () => (await ticket(view.ticket.id)).messages.find((m) => m.kind === 'ack')?.deliveryState === 'sent', 30_000, 'the ack marked sent');
  });

  it('stores a duplicate delivery of the same email once, on one ticket', async () => {
    const mail = customerMail({ messageId: 'refund-1@customer.test', subject: 'Refund', text: 'I returned the shoes two weeks ago, where is my refund? ref dup-check' });
    await dovecot.append(SUPPORT, [mail, mail]);
    const view = await ticketWithMessage('ref dup-check');
    await new Promise((r) => setTimeout(r, 2_000));
    const again = await ticket(view.ticket.id);
    expect(again.messages.filter((m) => m.text.includes('ref dup-check'))).toHaveLength(1);
    const matching = (await tickets()).filter((t) => t.subject === 'Refund');
    expect(matching).toHaveLength(1);
  });

  it('joins a reply with a changed subject to its ticket, and sends an agent reply that threads, marked sent', async () => {
    const first = await ticketWithMessage('purchases I did not make');
    const reply = customerMail({
      messageId: 'fraud-2@customer.test',
      subject: 'still waiting!!',
      text: 'Any news? Another charge appeared this morning.',
      inReplyTo: 'fraud-1@customer.test',
      references: ['fraud-1@customer.test'],
    });
    await dovecot.append(SUPPORT, [reply]);
    await eventually(async () => (await ticket(first.ticket.id)).ticket.messageCount === 2, 30_000, 'the reply on the same ticket');

    const sent = await api(`/api/v1/tickets/${first.ticket.id}/replies`, { method: 'POST', headers: { 'idempotency-key': 'e2e-reply-1' }, body: JSON.stringify({ text: 'We blocked your card and opened a dispute.' }) });
    expect(sent.status).toBe(202);
    const out = await eventually(() => smtp.mails.find((m) => m.parsed.text?.includes('We blocked your card')), 30_000, 'the agent reply by SMTP');
    expect(out.parsed.inReplyTo).toBe('<fraud-2@customer.test>');
    expect(String(out.parsed.headers.get('references'))).toContain('<fraud-1@customer.test>');
    expect(out.parsed.headers.get('auto-submitted')).toBeUndefined();
    await eventually(async () => (await ticket(first.ticket.id)).messages.find((m) => m.text.includes('We blocked your card'))?.deliveryState === 'sent', 30_000, 'the reply marked sent');
  });

  it('turns a message posted to the API into a ticket, once however often it is posted', async () => {
    const body = JSON.stringify({ externalId: 'e2e-api-1', sender: { id: 'cust-9', name: 'Bo' }, text: '我的转账显示成功但是对方没有收到钱' });
    const [a, b] = await Promise.all([api('/api/v1/messages', { method: 'POST', body }), api('/api/v1/messages', { method: 'POST', body })]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.id).toBe(b.body.id);
    const view = await ticketWithMessage('对方没有收到钱');
    expect(view.ticket).toMatchObject({ channel: 'api', category: 'transaction', language: 'zh-Hans', messageCount: 1 });
  });

  it('dead-letters a poison message with its reason and keeps the pipeline flowing', async () => {
    await producer.send(env.topics.inbound, [{ key: 'poison', value: '{"this is": not json' }]);
    const letters = await readTopic(env.kafka, env.topics.dlq, (rs) => rs.some((r) => Buffer.from(DeadLetter.parse(JSON.parse(r.value)).originalValue, 'base64').toString().includes('not json')));
    const letter = DeadLetter.parse(JSON.parse(letters.find((r) => r.value.includes('invalid JSON'))!.value));
    expect(letter.reason).toMatch(/^invalid JSON/);
    expect(letter.sourceTopic).toBe(env.topics.inbound);
    const after = JSON.stringify({ externalId: 'e2e-api-after-poison', sender: { id: 'cust-10' }, text: 'How do I change my phone number in the app? after-poison' });
    expect((await api('/api/v1/messages', { method: 'POST', body: after })).status).toBe(202);
    await ticketWithMessage('after-poison');
  });

  it('never writes a configured secret to the logs, even on refused requests', async () => {
    expect((await fetch(`${switchboard.url}/api/v1/tickets`, { headers: { authorization: `Bearer ${API_TOKEN}x` } })).status).toBe(401);
    expect((await fetch(`${switchboard.url}/slack/events`, { method: 'POST', body: '{}', headers: { 'x-slack-signature': 'v0=bad', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) } })).status).toBe(401);
    expect(logs.length).toBeGreaterThan(10);
    for (const secret of SECRETS) expect(logs.filter((line) => line.includes(secret)), `a log line holds ${secret.slice(0, 6)}…`).toEqual([]);
  });
});
