/**
 * One IMAP mailbox of one account: a cursor (UIDVALIDITY + last UID produced) kept as a checkpoint,
 * a sync that fetches everything after it, and a wait for new mail (IDLE, with a polling fallback)
 * between syncs. Whatever breaks the connection, the watcher reconnects with the project's backoff.
 */
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { z } from 'zod';
import type { ConnectorContext } from '@switchboard/connector-sdk';
import type { InboundMessageInput } from '@switchboard/schema';
import { backoffDelay, RETRY_BUDGETS, sleep, TransientError, withRetry } from '@switchboard/runtime';
import type { EmailAccountConfig, EmailConfig } from './config.ts';
import { headerSection, normalizeEmail, storageRefOf } from './normalize.ts';
import { ownMessageIdDomains } from './outbound.ts';
import { storeAttachments, storeStream } from './attachments.ts';

const MailboxPosition = z.object({ uidValidity: z.string(), lastUid: z.number().int().nonnegative() });
export type MailboxPosition = z.infer<typeof MailboxPosition>;

export type WatcherState = 'connecting' | 'watching' | 'backing off' | 'stopped';

interface FetchedMail {
  uid: number;
  size: number;
  /** The whole message, or its first `maxMessageBytes` when it is larger. */
  bytes: Buffer;
  /** A larger message, streamed whole into the attachment store. */
  original?: { sha256: string };
}

export class ImapConnectionLostError extends TransientError {
  override readonly name = 'ImapConnectionLostError';
}

export class MailboxWatcher {
  state: WatcherState = 'connecting';
  lastError: string | undefined;
  errors = 0;
  resyncs = 0;
  /** IMAP sessions opened so far (a renewal after sessionMaxMs or a reconnect after a failure). */
  sessions = 0;
  emitted = 0;
  lastMessageAt: string | undefined;
  private client: ImapFlow | undefined;
  private changes = 0;

  constructor(
    private readonly account: EmailAccountConfig,
    readonly mailbox: string,
    private readonly config: EmailConfig,
    private readonly context: ConnectorContext,
    private readonly ownAddresses: ReadonlySet<string>,
    private readonly signal: AbortSignal,
  ) {}

  get accountName(): string {
    return this.account.name;
  }

  get address(): string {
    return this.account.address.toLowerCase();
  }

  get label(): string {
    return `${this.account.name}/${this.mailbox}`;
  }

  /** Runs until the signal aborts: connect, sync, wait for mail, sync…; reconnects after any failure. */
  async run(): Promise<void> {
    const log = this.context.logger;
    while (!this.signal.aborted) {
      try {
        const client = await withRetry(() => this.connect(), { ...RETRY_BUDGETS['email.imap-reconnect'], ...this.config.reconnect }, {
          signal: this.signal,
          onRetry: (error, attempt, delayMs) => this.failed(error, `connecting to ${this.label} failed`, { attempt, delayMs }),
        });
        await this.watch(client);
      } catch (error) {
        if (this.signal.aborted) break;
        this.failed(error, `mailbox ${this.label} lost its connection`);
        // A connection that drops at once must not turn into a tight reconnect loop.
        await sleep(backoffDelay(1, this.config.reconnect.initialMs, this.config.reconnect.maxMs), this.signal).catch(() => undefined);
      } finally {
        await this.disconnect();
      }
    }
    this.state = 'stopped';
    log.info('mailbox watcher stopped', { mailbox: this.label });
  }

  /** Ends the connection; `run` returns once its signal has been aborted. */
  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.usable) await Promise.race([client.logout().catch(() => undefined), sleep(2_000)]);
    client.close();
  }

  /** Re-reads every message since `since` (IMAP SEARCH SINCE) and emits it again without moving the cursor. */
  async backfill(since: Date): Promise<number> {
    const client = await this.connect();
    try {
      const found = await client.search({ since }, { uid: true });
      const uids = Array.isArray(found) ? found.sort((a, b) => a - b) : [];
      let emitted = 0;
      for (let i = 0; i < uids.length; i += this.config.fetchBatch) {
        const batch = await this.fetchBatch(client, uids.slice(i, i + this.config.fetchBatch));
        const envelopes = await this.normalizeBatch(batch, String(client.mailbox ? client.mailbox.uidValidity : ''));
        await this.context.emit(envelopes);
        emitted += envelopes.length;
      }
      return emitted;
    } finally {
      await this.disconnect();
    }
  }

  private failed(error: unknown, message: string, fields: Record<string, unknown> = {}): void {
    this.errors++;
    this.state = 'backing off';
    this.lastError = error instanceof Error ? error.message : String(error);
    this.context.logger.warn(message, { mailbox: this.label, error, ...fields });
  }

  private async connect(): Promise<ImapFlow> {
    // A planned renewal keeps the watcher ready; a failure has already said 'backing off'.
    if (this.state !== 'watching') this.state = 'connecting';
    await this.disconnect();
    const { imap } = this.account;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
      autoIdleDelay: this.config.idleDelayMs,
      // Re-issues IDLE regularly: some servers silently drop long IDLEs.
      maxIdleTime: Math.max(this.config.pollIntervalMs, 1_000),
    });
    // Without a listener an 'error' event would crash the process; the close that follows is handled.
    client.on('error', (error: Error) => this.context.logger.debug('imap error', { mailbox: this.label, error }));
    client.on('exists', () => {
      this.changes++;
    });
    this.client = client;
    await client.connect();
    await client.mailboxOpen(this.mailbox);
    this.sessions++;
    return client;
  }

  /** Syncs and waits for mail until the session is lost (throws), stopped, or old enough to renew (returns). */
  private async watch(client: ImapFlow): Promise<void> {
    this.state = 'watching';
    this.context.logger.info('watching mailbox', { mailbox: this.label, uidValidity: String(client.mailbox ? client.mailbox.uidValidity : '') });
    // A mailbox deleted and created again while selected can go unnoticed by its session (Dovecot may
    // keep showing the old one, with nothing new in it); a new session selects what is there now.
    const renewAt = Date.now() + this.config.sessionMaxMs;
    while (!this.signal.aborted && Date.now() < renewAt) {
      const seen = this.changes;
      await this.sync(client);
      this.state = 'watching';
      await this.waitForChange(client, seen);
      if (!client.usable && !this.signal.aborted) throw new ImapConnectionLostError('IMAP connection closed');
    }
  }

  /** Resolves on new mail (IDLE's EXISTS), after the poll interval, on close, or on stop. */
  private waitForChange(client: ImapFlow, seen: number): Promise<void> {
    if (this.changes !== seen || this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('exists', done);
        client.off('close', done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.config.pollIntervalMs);
      client.on('exists', done);
      client.on('close', done);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }

  private position(): MailboxPosition | undefined {
    const stored = this.context.checkpoint(this.account.name, this.mailbox);
    const parsed = MailboxPosition.safeParse(stored);
    return parsed.success ? parsed.data : undefined;
  }

  /** Produces every message after the cursor, batch by batch, moving the cursor after each acked batch. */
  private async sync(client: ImapFlow): Promise<void> {
    const uidValidity = String(client.mailbox ? client.mailbox.uidValidity : '');
    let position = this.position();
    if (position && position.uidValidity !== uidValidity) {
      // The server renumbered the mailbox: read it all again. Ids come from Message-IDs, so every
      // message already produced gets the id it had, and the sink keeps one copy.
      this.resyncs++;
      this.context.logger.warn('UIDVALIDITY changed: resyncing the mailbox', { mailbox: this.label, was: position.uidValidity, now: uidValidity });
      position = undefined;
    }
    const lastUid = position?.lastUid ?? 0;
    // Collect first: no other command may run while a FETCH is being iterated.
    const pending: { uid: number; size: number }[] = [];
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const message of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })) {
        // "N:*" always matches the highest UID, even one below N.
        if (message.uid > lastUid) pending.push({ uid: message.uid, size: message.size ?? 0 });
      }
    }
    pending.sort((a, b) => a.uid - b.uid);
    if (pending.length === 0 && !position) {
      await this.context.saveCheckpoint({ account: this.account.name, stream: this.mailbox, position: { uidValidity, lastUid } });
      return;
    }
    for (let i = 0; i < pending.length && !this.signal.aborted; i += this.config.fetchBatch) {
      const slice = pending.slice(i, i + this.config.fetchBatch);
      const batch = await this.fetchBatch(client, slice.map((p) => p.uid), new Map(slice.map((p) => [p.uid, p.size])));
      // A FETCH cut short by a dropped connection must not move the cursor past what it did not read.
      // (On a live connection a missing UID was expunged meanwhile, and skipping it is right.)
      if (!client.usable) throw new ImapConnectionLostError('IMAP connection closed during FETCH');
      const envelopes = await this.normalizeBatch(batch, uidValidity);
      const batchLastUid = slice[slice.length - 1]!.uid;
      await this.context.emit(envelopes, { account: this.account.name, stream: this.mailbox, position: { uidValidity, lastUid: batchLastUid } });
      this.emitted += envelopes.length;
      if (envelopes.length) this.lastMessageAt = new Date().toISOString();
    }
  }

  private async fetchBatch(client: ImapFlow, uids: number[], knownSizes?: Map<number, number>): Promise<FetchedMail[]> {
    if (uids.length === 0) return [];
    let sizes = knownSizes;
    if (!sizes) {
      sizes = new Map();
      for await (const message of client.fetch(uids.join(','), { uid: true, size: true }, { uid: true })) sizes.set(message.uid, message.size ?? 0);
    }
    const whole = uids.filter((uid) => (sizes.get(uid) ?? 0) <= this.config.maxMessageBytes);
    const large = uids.filter((uid) => (sizes.get(uid) ?? 0) > this.config.maxMessageBytes);
    const fetched: FetchedMail[] = [];
    if (whole.length > 0) {
      for await (const message of client.fetch(whole.join(','), { uid: true, size: true, source: true }, { uid: true }) as AsyncIterable<FetchMessageObject>) {
        if (message.source) fetched.push({ uid: message.uid, size: message.size ?? message.source.length, bytes: message.source });
      }
    }
    // Never in memory whole: streamed (in chunks, imapflow's partial FETCH) to the attachment store,
    // its first bytes kept to read the message from. A disk error fails the batch, read again later.
    for (const uid of large) {
      const { content } = await client.download(String(uid), undefined, { uid: true });
      const stored = await storeStream(this.context.dataDir, content, this.config.maxMessageBytes);
      fetched.push({ uid, size: stored.size, bytes: stored.head, original: { sha256: stored.sha256 } });
    }
    return fetched.sort((a, b) => a.uid - b.uid);
  }

  /** Envelopes for the batch; a mail that cannot be read goes to the DLQ with its bytes, and the cursor moves on. */
  private async normalizeBatch(batch: FetchedMail[], uidValidity: string): Promise<InboundMessageInput[]> {
    const envelopes: InboundMessageInput[] = [];
    for (const mail of batch) {
      let normalized: Awaited<ReturnType<typeof normalizeEmail>>;
      try {
        normalized = await normalizeEmail(mail.bytes, {
          account: this.account.name,
          ownAddresses: this.ownAddresses,
          receivedAt: new Date(),
          size: mail.size,
          ...(mail.original ? { original: mail.original } : {}),
          maxMessageBytes: this.config.maxMessageBytes,
          maxAttachmentBytes: this.config.maxAttachmentBytes,
          meta: { mailbox: this.mailbox, uid: mail.uid, uidValidity },
          ownMessageIdDomains: ownMessageIdDomains(this.config.accounts),
        });
      } catch (error) {
        const stored = mail.original ? ` (the whole ${mail.size} bytes are kept as ${storageRefOf(mail.original.sha256)})` : '';
        await this.context.deadLetter({
          reason: `unparseable email: ${error instanceof Error ? error.message : String(error)}${stored}`,
          // A dead letter is one Kafka record: of a message too large, its headers.
          raw: mail.original ? headerSection(mail.bytes) : mail.bytes,
          sourceId: `${this.account.name}/${this.mailbox}/${uidValidity}/${mail.uid}`,
          error,
        });
        continue;
      }
      // A disk error here is ours, not the mail's: it fails the batch, which is read again after a reconnect.
      await storeAttachments(this.context.dataDir, normalized.files);
      // Before the batch and its checkpoint: a crash in between reports it again, with the same time, which changes nothing.
      for (const report of normalized.deliveryReports) await this.context.reportDelivery(report);
      envelopes.push(normalized.envelope);
    }
    return envelopes;
  }
}
