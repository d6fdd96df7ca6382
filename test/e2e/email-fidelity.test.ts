/**
 * Real-world mail through the whole pipeline (`startAllInOne` on the real broker, PostgreSQL, Dovecot
 * and an SMTP capture): a bounce of an agent's reply marks that reply failed on its ticket with the
 * report's status and diagnostic, on the reply's own conversation; a spoofed sender, an address with
 * spaces and spam open tickets that say so, and none of them is acknowledged.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllInOneConfig, startAllInOne } from '@switchboard/all-in-one';
import type { RunningGateway } from '@switchboard/gateway';
import { eventually, startDovecot, startInProcess, startSmtpCapture, type Dovecot, type InProcess, type SmtpCapture } from '@switchboard/testkit';

const SUPPORT = { user: 'support', password: 'imap-pw-fidelity-5772' };
const SUPPORT_ADDRESS = 'support@wallet.test';
const API_TOKEN = 'fidelity-api-token-1123581321';

interface Message {
  id: string;
  direction: string;
  text: string;
  kind?: string;
  autoSubmitted?: string;
  deliveryState?: string;
  deliveryReason?: string;
  externalId: string | null;
  sender: { suspect?: { code: string; reason: string } };
}
interface TicketView {
  ticket: { id: string; number: string; subject?: string; spam?: { reason: string }; customer: { address?: string; suspect?: { reason: string }; unusableAddress?: { reason: string } } };
  messages: Message[];
}

function mail(headers: Record<string, string>, text: string): string {
  return [...Object.entries({ To: `Wallet Support <${SUPPORT_ADDRESS}>`, Date: new Date().toUTCString(), 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=UTF-8', ...headers }).map(([k, v]) => `${k}: ${v}`), '', text, ''].join('\r\n');
}

/** What an MTA sends back when the recipient does not exist (RFC 3464), with the message that bounced attached whole. */
function bounceOf(sent: string, recipient: string): string {
  return [
    'Return-Path: <>',
    'From: "" (Mail Delivery System)',
    `To: ${SUPPORT_ADDRESS}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <dsn-${randomBytes(4).toString('hex')}@mx.wallet.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="report-b1"',
    '',
    '--report-b1',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `Your message to ${recipient} could not be delivered: the mailbox does not exist.`,
    '',
    '--report-b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.wallet.test',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
    '',
    '--report-b1',
    'Content-Type: message/rfc822',
    '',
    sent.replace(/\r?\n/g, '\r\n').trimEnd(),
    '',
    '--report-b1--',
    '',
  ].join('\r\n');
}

describe('real-world mail end to end', () => {
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let switchboard: InProcess<RunningGateway>;

  const api = async (path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
    const res = await switchboard.call(path, { ...(init.method ? { method: init.method } : {}), ...(init.body !== undefined ? { raw: init.body } : {}), ...(init.headers ? { headers: init.headers } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const ticket = async (id: string) => (await api(`/api/v1/tickets/${id}`)).body as unknown as TicketView;
  const ticketWith = (needle: string) =>
    eventually(async () => {
      for (const t of (await api('/api/v1/tickets?limit=500')).body.tickets as { id: string }[]) {
        const view = await ticket(t.id);
        if (view.messages.some((m) => m.text.includes(needle))) return view;
      }
      return undefined;
    }, 45_000, `a ticket with "${needle}"`);

  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([startDovecot([SUPPORT]), startSmtpCapture()]);
    switchboard = await startInProcess((env) => startAllInOne(loadAllInOneConfig(env)), API_TOKEN, {
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
      SWITCHBOARD_ACK_CHANNELS: 'email',
    });
  }, 120_000);

  afterAll(async () => {
    await switchboard?.close();
    await Promise.allSettled([dovecot?.stop(), smtp?.stop()]);
  }, 60_000);

  it('a bounce of an agent reply joins the ticket and marks the reply failed with the status and diagnostic', async () => {
    const customer = 'anna.k@customer.test';
    await dovecot.append(SUPPORT, [mail({ From: `Anna K <${customer}>`, Subject: 'Top-up missing', 'Message-ID': '<anna-topup-1@customer.test>' }, 'My top-up of 80 EUR from yesterday is missing. ref bounce-e2e')]);
    const opened = await ticketWith('ref bounce-e2e');
    // The acknowledgement went out and was sent: the ticket is otherwise as usual.
    await eventually(async () => (await ticket(opened.ticket.id)).messages.find((m) => m.kind === 'ack')?.deliveryState === 'sent', 30_000, 'the ack sent');

    const queued = await api(`/api/v1/tickets/${opened.ticket.id}/replies`, { method: 'POST', body: JSON.stringify({ text: 'The top-up is on its way. ref agent-reply' }), headers: { 'idempotency-key': 'fidelity-1' } });
    expect(queued.status).toBe(202);
    const replyId = queued.body.id as string;
    const sent = await eventually(() => smtp.mails.find((m) => m.parsed.text?.includes('ref agent-reply')), 30_000, 'the reply at the SMTP server');
    await eventually(async () => (await ticket(opened.ticket.id)).messages.find((m) => m.id === replyId)?.deliveryState === 'sent', 30_000, 'the reply marked sent');

    await dovecot.append(SUPPORT, [bounceOf(sent.raw, customer)]);
    const failed = await eventually(async () => {
      const view = await ticket(opened.ticket.id);
      return view.messages.find((m) => m.id === replyId)?.deliveryState === 'failed' ? view : undefined;
    }, 45_000, 'the reply marked failed by the bounce');
    const reply = failed.messages.find((m) => m.id === replyId)!;
    expect(reply.deliveryReason).toBe(`5.1.1 smtp; 550 5.1.1 User unknown (${customer})`);
    expect(reply.externalId).toBe(sent.parsed.messageId!.replace(/[<>]/g, ''));
    // The bounce itself is on the ticket, as automatic mail; it opened no ticket of its own.
    const bounce = failed.messages.find((m) => m.autoSubmitted === 'bounce');
    expect(bounce?.text).toContain('could not be delivered');
    const subjects = ((await api('/api/v1/tickets?limit=500')).body.tickets as { subject?: string }[]).map((t) => t.subject);
    expect(subjects).not.toContain('Undelivered Mail Returned to Sender');
  }, 150_000);

  it('a spoofed sender, an address with spaces and spam open marked tickets, and none is acknowledged', async () => {
    await dovecot.append(SUPPORT, [
      mail({ From: '=?utf-8?B?c3VwcG9ydA==?=@bank.example', Subject: 'Account locked', 'Message-ID': '<spoof-e2e-1@mailer.example>' }, 'Your account is locked, send your card number. ref spoof-e2e'),
      mail({ From: 'Help Desk <help desk team@shop.example>', Subject: 'Refund for order 4471', 'Message-ID': '<spaces-e2e-1@shop.example>' }, 'Please refund order 4471. ref spaces-e2e'),
      mail({ From: 'Deals <promo@deals.example>', Subject: 'You won', 'Message-ID': '<spam-e2e-1@deals.example>', 'X-Spam-Flag': 'YES', 'X-Spam-Status': 'Yes, score=11.0 required=5.0 tests=BAYES_99' }, 'Claim your prize. ref spam-e2e'),
      mail({ From: 'Bo Lind <bo@customer.test>', Subject: 'Card declined', 'Message-ID': '<control-e2e-1@customer.test>' }, 'My card was declined at the shop. ref control-e2e'),
    ]);
    const [spoofed, spaced, spam, control] = await Promise.all(['ref spoof-e2e', 'ref spaces-e2e', 'ref spam-e2e', 'ref control-e2e'].map(ticketWith));
    expect(spoofed!.ticket.customer.address).toBe('=?utf-8?B?c3VwcG9ydA==?=@bank.example');
    expect(spoofed!.ticket.customer.suspect?.reason).toContain('"support@bank.example"');
    expect(spoofed!.messages[0]!.sender.suspect?.code).toBe('encoded-word-in-address');
    expect(spaced!.ticket.customer).toMatchObject({ address: 'help desk team@shop.example', unusableAddress: { reason: expect.stringContaining('local part has spaces') } });
    expect(spam!.ticket.spam?.reason).toBe('X-Spam-Flag: YES; X-Spam-Status: Yes, score=11.0 required=5.0');
    expect(((await api('/api/v1/tickets?spam=true')).body.tickets as { id: string }[]).map((t) => t.id)).toEqual([spam!.ticket.id]);

    // The control ticket's acknowledgement is out: the sink has passed the others by.
    await eventually(() => smtp.mails.find((m) => m.parsed.subject?.includes(control!.ticket.number)), 30_000, 'the control ticket acknowledged');
    for (const view of [spoofed!, spaced!, spam!]) {
      expect(smtp.mails.filter((m) => m.parsed.subject?.includes(view.ticket.number))).toEqual([]);
      expect((await ticket(view.ticket.id)).messages.filter((m) => m.direction === 'outbound')).toEqual([]);
    }
    expect(smtp.mails.flatMap((m) => m.to)).not.toContain('team@shop.example');
    expect(smtp.mails.flatMap((m) => m.to)).not.toContain('support@bank.example');

    const refused = await api(`/api/v1/tickets/${spaced!.ticket.id}/replies`, { method: 'POST', body: JSON.stringify({ text: 'Which order?' }) });
    expect(refused).toMatchObject({ status: 409, body: { code: 'no-reply-address' } });
  }, 150_000);
});
