import { join } from 'node:path';
import { DurableInbox, type ConnectorContext, type ConnectorHealth, type HttpRoute, type JournalEntry, type SendResult } from '@switchboard/connector-sdk';
import type { InboundMessageInput } from '@switchboard/schema';
import { sha256Hex } from '@switchboard/runtime';
import type { OfficialAccountConfig } from '../config.ts';
import { RecentIds } from '../recent.ts';
import { OfficialAccountApi } from './api.ts';
import { OfficialAccountWebhook, type SignedCallback } from './webhook.ts';

/**
 * The Official Account: its callback at /webhooks/wechat and its customer-service messages. A callback
 * hears "success" only once Kafka acknowledged its message or the journal has it on disk (WeChat never
 * sends again after "success"); the journal is delivered until Kafka takes it, and at every start.
 */
export class OfficialAccount {
  readonly routes: HttpRoute[];
  private readonly webhook: OfficialAccountWebhook;
  private readonly api: OfficialAccountApi | undefined;
  /** Messages Kafka or the journal already has: WeChat's retries of them are answered without another produce. */
  private readonly kept = new RecentIds();
  private context: ConnectorContext | undefined;
  private inbox: DurableInbox | undefined;
  private lastMessageAt: string | undefined;
  private errors = 0;

  constructor(
    private readonly config: OfficialAccountConfig,
    now?: () => number,
  ) {
    this.webhook = new OfficialAccountWebhook(
      config,
      {
        ready: () => this.running(),
        accept: (message, _rawXml, signed) => this.keep(message, signed),
        refused: (status, reason, request) => this.context?.logger.warn('official account callback refused', { status, reason, method: request.method, from: request.remoteAddress }),
        unusable: (rawXml, reason, error) => this.context!.deadLetter({ reason, raw: rawXml, sourceId: `oa/refused/${sha256Hex(rawXml).slice(0, 16)}`, error }),
      },
      now,
    );
    this.routes = this.webhook.routes();
    if (config.appSecret) this.api = new OfficialAccountApi({ apiBase: config.apiBase, appId: config.appId, appSecret: config.appSecret, ...(now ? { now } : {}) });
  }

  async start(context: ConnectorContext): Promise<void> {
    this.inbox = DurableInbox.open({
      dir: join(context.dataDir, 'journal', 'official-account'),
      journalAfterMs: this.config.journalAfterMs,
      logger: context.logger.child('journal'),
      redeliver: (entry) => this.redeliver(entry),
      unreadable: (raw, reason) => context.deadLetter({ reason, raw, sourceId: `oa/journal/${sha256Hex(raw).slice(0, 16)}` }),
    });
    this.context = context;
    context.logger.info('official account callback ready', { appId: this.config.appId, safeMode: Boolean(this.config.encodingAesKey) });
    const waiting = await this.inbox.start();
    if (waiting > 0) context.logger.warn('journaled callbacks wait for Kafka', { entries: waiting });
  }

  async stop(): Promise<void> {
    await this.inbox?.close();
  }

  health(): ConnectorHealth {
    const waiting = this.inbox?.pending ?? 0;
    const listening = this.running() ? 'listening for callbacks' : this.context ? 'stopped' : 'not started';
    return {
      ready: this.running(),
      status: waiting > 0 ? `${listening}; ${waiting} journaled callbacks wait for Kafka` : listening,
      errors: this.errors,
      ...(this.lastMessageAt ? { lastMessageAt: this.lastMessageAt } : {}),
      details: { journaled: waiting },
    };
  }

  async sendText(openId: string, text: string): Promise<SendResult> {
    if (!this.api) throw new Error('an Official Account reply needs WECHAT_OA_APPSECRET');
    const { msgId } = await this.api.sendText(openId, text);
    return msgId ? { externalId: msgId } : {};
  }

  get canSend(): boolean {
    return this.api !== undefined;
  }

  private running(): boolean {
    return this.context !== undefined && !this.context.signal.aborted;
  }

  /** Kafka first; the journal when Kafka is late or refuses. Rejects when neither took it (WeChat then hears 503 and retries). */
  private async keep(message: InboundMessageInput, signed: SignedCallback): Promise<void> {
    const context = this.context!;
    if (this.kept.has(message.id)) {
      context.logger.debug('official account retry of a kept message', { externalId: message.externalId });
      return;
    }
    try {
      const entry = { id: message.externalId, receivedAt: message.receivedAt, payload: JSON.stringify(signed) };
      await this.inbox!.accept(entry, () => context.emit([message]));
    } catch (error) {
      this.errors++;
      context.logger.error('official account callback neither produced nor journaled', { externalId: message.externalId, error });
      throw error;
    }
    this.kept.add(message.id);
    this.lastMessageAt = new Date().toISOString();
  }

  /** A journaled callback: verified again and produced; one that no longer verifies is dead-lettered, not retried. */
  private async redeliver(entry: JournalEntry): Promise<void> {
    const context = this.context!;
    let message: InboundMessageInput;
    try {
      message = this.webhook.reopen(JSON.parse(entry.payload) as SignedCallback, new Date(entry.receivedAt));
    } catch (error) {
      await context.deadLetter({ reason: `journaled official account callback unusable: ${(error as Error).message}`, raw: entry.payload, sourceId: `oa/journal/${entry.id}`, error });
      return;
    }
    await context.emit([message]);
    this.kept.add(message.id);
  }
}
