import type { Connector, ConnectorContext, ConnectorHealth, HttpRequest, HttpRoute, SendResult } from '@switchboard/connector-sdk';
import type { InboundMessageInput, OutboundMessage } from '@switchboard/schema';
import { sha256Hex } from '@switchboard/runtime';
import type { MetaConfig } from './config.ts';
import { Credentials } from './credentials.ts';
import { readWebhook, type ReferralNote, type WebhookItem } from './events.ts';
import { GraphClient } from './graph.ts';
import { MediaKeeper } from './media.ts';
import { META_CHANNELS } from './outbound.ts';
import { SentLog } from './receipts.ts';
import { MetaSender } from './sender.ts';
import { webhookRoutes } from './webhook.ts';

export interface MetaConnectorOptions {
  /** The clock of receipts, referrals and received times (tests). */
  now?: () => Date;
  fetch?: typeof fetch;
}

/** A referral is attached to the person's next message when it comes within this time. */
const REFERRAL_MS = 24 * 3_600_000;
const REFERRALS_KEPT = 10_000;

/**
 * Messenger, Instagram direct messages and WhatsApp through one Meta app: one signed webhook for all
 * three, the Send API and the WhatsApp Cloud API for replies, receipts reported as they come.
 */
export class MetaConnector implements Connector {
  readonly name = 'meta';
  readonly channels = META_CHANNELS;
  readonly routes: readonly HttpRoute[];

  private context: ConnectorContext | undefined;
  private readonly now: () => Date;
  private readonly credentials: Credentials;
  private readonly sender: MetaSender;
  private readonly sentLog: SentLog;
  private readonly media: MediaKeeper;
  /** Referrals that came without a message (a person back from an ad), by customer. */
  private readonly referrals = new Map<string, { referral: Record<string, unknown>; at: number }>();
  private lastMessageAt: string | undefined;
  private errors = 0;

  constructor(
    private readonly config: MetaConfig,
    options: MetaConnectorOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.credentials = new Credentials({ page: Boolean(config.pageAccessToken), whatsapp: Boolean(config.whatsapp) });
    const graph = new GraphClient({ base: config.graphBase, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.sender = new MetaSender(config, graph, this.credentials, this.now);
    this.sentLog = new SentLog(() => this.context, this.now);
    this.media = new MediaKeeper({
      graphBase: config.graphBase,
      ...(config.whatsapp ? { whatsappToken: config.whatsapp.accessToken } : {}),
      maxBytes: config.mediaMaxBytes ?? 25 * 1024 * 1024,
      fetch: options.fetch ?? fetch,
      logger: () => this.context?.logger,
    });
    this.routes = webhookRoutes({
      appSecret: config.appSecret,
      verifyToken: config.verifyToken,
      running: () => this.running(),
      receive: (body) => this.receive(body),
      unreadable: (raw, reason) => this.context!.deadLetter({ reason, raw, sourceId: `webhook/${sha256Hex(raw).slice(0, 16)}` }),
      refused: (status, reason, request) => this.refused(status, reason, request),
    });
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    const { page, whatsapp } = this.credentials.states();
    context.logger.info('meta webhook ready', { messengerInstagramReplies: page.configured, whatsappReplies: whatsapp.configured, whatsappTemplate: this.config.whatsapp?.template?.name ?? null });
    if (this.config.whatsapp && !this.config.whatsapp.template) context.logger.warn('no WhatsApp template configured: replies after the 24-hour window will fail (WHATSAPP_TEMPLATE_NAME)');
  }

  async stop(): Promise<void> {
    this.context = undefined;
  }

  health(): ConnectorHealth {
    const problems = this.credentials.problems();
    const running = this.running();
    return {
      ready: running && problems.length === 0,
      status: !running ? 'not started' : problems.length > 0 ? problems.join('; ') : 'listening for webhooks',
      errors: this.errors,
      ...(this.lastMessageAt ? { lastMessageAt: this.lastMessageAt } : {}),
      details: { credentials: this.credentials.states(), whatsappTemplate: this.config.whatsapp?.template ?? null, mediaNotKept: this.media.failures },
    };
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const requestedAt = this.now().getTime();
    const sent = await this.sender.send(message);
    // Sent is sent: a note that cannot be kept only costs this message its receipts, never a second copy.
    await this.sentLog
      .record(sent.channel, sent.account, sent.customer, { outboundId: message.id, ticketId: message.ticketId, externalIds: sent.externalIds, requestedAt })
      .catch((error: unknown) => this.context?.logger.warn('receipts of this reply will not be matched', { outboundId: message.id, error }));
    return { externalId: sent.externalIds[0]! };
  }

  private running(): boolean {
    return this.context !== undefined && !this.context.signal.aborted;
  }

  private refused(status: number, reason: string, request: HttpRequest): void {
    if (status === 401 || status === 403) this.errors++;
    this.context?.logger.warn('meta webhook request refused', { status, reason, method: request.method, from: request.remoteAddress });
  }

  /** Everything one delivery carried: messages to Kafka, receipts to the delivery topic, the unreadable to the DLQ. */
  private async receive(body: unknown): Promise<void> {
    const context = this.context!;
    const items = readWebhook(body, this.now());
    for (const item of items) if (item.kind === 'referral') this.rememberReferral(item.note);
    const messages = new Map<string, InboundMessageInput>();
    for (const item of items) if (item.kind === 'message') messages.set(item.message.id, this.withReferral(item.message));
    for (const item of items.filter((i): i is Extract<WebhookItem, { kind: 'unusable' }> => i.kind === 'unusable')) {
      await context.deadLetter({ reason: item.reason, raw: JSON.stringify(item.raw), sourceId: item.sourceId });
    }
    if (messages.size > 0) {
      await context.emit(await Promise.all([...messages.values()].map((message) => this.media.keep(message, context.dataDir))));
      this.lastMessageAt = this.now().toISOString();
    }
    for (const item of items) if (item.kind === 'receipt') await this.sentLog.apply(item.receipt);
    const skipped = items.filter((i) => i.kind === 'skipped').length;
    if (skipped > 0) context.logger.debug('meta updates not turned into messages', { skipped, reasons: [...new Set(items.flatMap((i) => (i.kind === 'skipped' ? [i.reason] : [])))] });
  }

  private rememberReferral(note: ReferralNote): void {
    this.referrals.delete(referralKey(note));
    this.referrals.set(referralKey(note), { referral: note.referral, at: this.now().getTime() });
    if (this.referrals.size > REFERRALS_KEPT) this.referrals.delete(this.referrals.keys().next().value!);
  }

  /** A message after a bare referral says where the person came from. */
  private withReferral(message: InboundMessageInput): InboundMessageInput {
    const key = referralKey({ channel: message.channel, account: message.account, customer: message.sender.id });
    const kept = this.referrals.get(key);
    if (!kept) return message;
    this.referrals.delete(key);
    if (this.now().getTime() - kept.at > REFERRAL_MS || message.meta?.referral) return message;
    return { ...message, meta: { ...message.meta, referral: kept.referral } };
  }
}

function referralKey(note: { channel: string; account: string; customer: string }): string {
  return `${note.channel}\u001f${note.account}\u001f${note.customer}`;
}
