import nodemailer, { type Transporter } from 'nodemailer';
import type { Connector, ConnectorContext, ConnectorHealth, SendResult } from '@switchboard/connector-sdk';
import type { OutboundMessage } from '@switchboard/schema';
import type { EmailAccountConfig, EmailConfig } from './config.ts';
import { MailboxWatcher } from './mailbox.ts';
import { buildOutgoingMail } from './outbound.ts';
import { PermanentError } from '@switchboard/runtime';

export class UnknownEmailAccountError extends PermanentError {
  override readonly name = 'UnknownEmailAccountError';
}

/**
 * The email channel: one watcher per configured mailbox (IMAP → envelopes → Kafka, cursor as a
 * checkpoint) and replies through each account's SMTP server.
 */
export class EmailConnector implements Connector {
  readonly name = 'email';
  readonly channels = ['email'] as const;
  private watchers: MailboxWatcher[] = [];
  private running: Promise<void>[] = [];
  private abort: AbortController | undefined;
  private readonly transports = new Map<string, Transporter>();
  private sendErrors = 0;

  constructor(readonly config: EmailConfig) {}

  /** Our own addresses (every account's and the configured extras): mail from them is never a customer's. */
  get ownAddresses(): Set<string> {
    return new Set([...this.config.accounts.map((a) => a.address), ...this.config.ownAddresses].map((a) => a.toLowerCase()));
  }

  async start(context: ConnectorContext): Promise<void> {
    this.abort = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, context.signal]);
    this.watchers = this.createWatchers(context, signal);
    this.running = this.watchers.map((watcher) => watcher.run());
  }

  /** Watchers for every mailbox, not started: the backfill script drives them itself. */
  createWatchers(context: ConnectorContext, signal: AbortSignal): MailboxWatcher[] {
    const own = this.ownAddresses;
    return this.config.accounts.flatMap((account) => account.imap.mailboxes.map((mailbox) => new MailboxWatcher(account, mailbox, this.config, context, own, signal)));
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await Promise.all(this.watchers.map((w) => w.disconnect()));
    await Promise.all(this.running);
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
  }

  health(): ConnectorHealth {
    const watching = this.watchers.filter((w) => w.state === 'watching');
    const broken = this.watchers.filter((w) => w.state === 'backing off');
    const status =
      this.watchers.length === 0 ? 'stopped' : broken.length > 0 ? `backing off: ${broken.map((w) => `${w.label} (${w.lastError ?? 'error'})`).join(', ')}` : watching.length === this.watchers.length ? 'watching' : 'connecting';
    const lastMessageAt = this.watchers.map((w) => w.lastMessageAt).filter((t): t is string => t !== undefined).sort().pop();
    return {
      ready: this.watchers.length > 0 && watching.length === this.watchers.length,
      status,
      errors: this.watchers.reduce((n, w) => n + w.errors, this.sendErrors),
      ...(lastMessageAt ? { lastMessageAt } : {}),
      details: Object.fromEntries(this.watchers.map((w) => [w.label, { state: w.state, emitted: w.emitted, resyncs: w.resyncs, sessions: w.sessions, errors: w.errors, lastError: w.lastError }])),
    };
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const account = this.accountFor(message.account);
    const mail = buildOutgoingMail(message, account);
    try {
      await this.transportFor(account).sendMail({
        messageId: `<${mail.messageId}>`,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.inReplyTo ? { inReplyTo: `<${mail.inReplyTo}>` } : {}),
        ...(mail.references.length ? { references: mail.references.map((id) => `<${id}>`) } : {}),
        headers: mail.headers,
      });
    } catch (error) {
      this.sendErrors++;
      throw error;
    }
    return { externalId: mail.messageId };
  }

  private accountFor(name: string): EmailAccountConfig {
    const account = this.config.accounts.find((a) => a.name === name || a.address.toLowerCase() === name.toLowerCase());
    if (!account) throw new UnknownEmailAccountError(`no email account named ${name}`);
    return account;
  }

  private transportFor(account: EmailAccountConfig): Transporter {
    let transport = this.transports.get(account.name);
    if (!transport) {
      const { smtp } = account;
      transport = nodemailer.createTransport({
        // Connections kept open and reused, up to one per outbound partition sending at once: a reply
        // does not pay a TCP and TLS handshake, a greeting and a login each.
        pool: true,
        maxConnections: 3,
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        ...(smtp.user && smtp.password ? { auth: { user: smtp.user, pass: smtp.password } } : {}),
        connectionTimeout: 15_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
      this.transports.set(account.name, transport);
    }
    return transport;
  }
}

export function createEmailConnector(config: EmailConfig): EmailConnector {
  return new EmailConnector(config);
}
