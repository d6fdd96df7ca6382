/**
 * The email peers the tests run against: a real Dovecot (dovecot.ts) for IMAP and nodemailer's
 * smtp-server capturing what the connector sends, plus a builder of customer mail as clients write it.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { emailConfig, type EmailConfig } from '../src/config.ts';
import type { Dovecot, DovecotUser } from './dovecot.ts';

export const SUPPORT: DovecotUser = { user: 'support', password: 'imap-secret-pw' };
export const SUPPORT_ADDRESS = 'support@wallet.test';

export interface CapturedMail {
  raw: string;
  parsed: ParsedMail;
  from: string;
  to: string[];
}

export interface SmtpCapture {
  port: number;
  mails: CapturedMail[];
  stop(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              raw: raw.toString('utf8'),
              parsed,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('smtp-server has no port'));
    });
  });
  return { port, mails, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export function testConfig(dovecot: Dovecot, smtpPort: number, overrides: { mailboxes?: string[]; pollIntervalMs?: number } = {}): EmailConfig {
  return emailConfig(
    [
      {
        address: SUPPORT_ADDRESS,
        displayName: 'Wallet Support',
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: SUPPORT.user, password: SUPPORT.password, mailboxes: overrides.mailboxes ?? ['INBOX'] },
        smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
      },
    ],
    { pollIntervalMs: overrides.pollIntervalMs ?? 1_000, idleDelayMs: 200, reconnect: { initialMs: 100, maxMs: 1_000 }, fetchBatch: 10, maxMessageBytes: 64 * 1024 },
  );
}

export interface CustomerMailOptions {
  messageId?: string;
  from?: string;
  subject?: string;
  text: string;
  inReplyTo?: string;
  references?: string[];
  date?: Date;
  headers?: Record<string, string>;
}

/** A plain customer mail as a client writes it (CRLF, RFC 5322 date). */
export function customerMail(options: CustomerMailOptions): string {
  const lines = [
    `From: ${options.from ?? 'Alice Chen <alice@customer.test>'}`,
    `To: Wallet Support <${SUPPORT_ADDRESS}>`,
    `Subject: ${options.subject ?? 'My card payment failed'}`,
    `Date: ${(options.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    ...(options.messageId ? [`Message-ID: <${options.messageId}>`] : []),
    ...(options.inReplyTo ? [`In-Reply-To: <${options.inReplyTo}>`] : []),
    ...(options.references?.length ? [`References: ${options.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    options.text,
    '',
  ];
  return lines.join('\r\n');
}
