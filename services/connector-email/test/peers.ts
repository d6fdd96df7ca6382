/**
 * The email peers the tests run against (a real Dovecot and an smtp-server capture, from the testkit),
 * the support mailbox, and a builder of customer mail as clients write it.
 */
import { emailConfig, type EmailConfig } from '../src/config.ts';
import type { Dovecot, DovecotUser } from '@switchboard/testkit';

export const SUPPORT: DovecotUser = { user: 'support', password: 'imap-secret-pw' };
export const SUPPORT_ADDRESS = 'support@wallet.test';

export function testConfig(dovecot: Dovecot, smtpPort: number, overrides: { mailboxes?: string[]; pollIntervalMs?: number; sessionMaxMs?: number } = {}): EmailConfig {
  return emailConfig(
    [
      {
        address: SUPPORT_ADDRESS,
        displayName: 'Wallet Support',
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: SUPPORT.user, password: SUPPORT.password, mailboxes: overrides.mailboxes ?? ['INBOX'] },
        smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
      },
    ],
    { pollIntervalMs: overrides.pollIntervalMs ?? 1_000, idleDelayMs: 200, sessionMaxMs: overrides.sessionMaxMs ?? 60_000, reconnect: { initialMs: 100, maxMs: 1_000 }, fetchBatch: 10, maxMessageBytes: 64 * 1024 },
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
