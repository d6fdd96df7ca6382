import { PermanentSendError, type ConnectorContext, type ConnectorHealth, type HttpRoute, type SendResult } from '@switchboard/connector-sdk';
import type { WeComKfConfig } from '../config.ts';
import { WechatApiError } from '../shared/api.ts';
import { SESSION_STATES, WeComKfApi } from './api.ts';
import { WeComCallback } from './callback.ts';
import { kfMsgIdOf } from './normalize.ts';
import { KfSync } from './sync.ts';

/** A reply WeCom will not take now: reported failed at once with the reason, not retried. */
export class KfReplyRefusedError extends PermanentSendError {
  override readonly name = 'KfReplyRefusedError';
}

/** send_msg's refusals that no retry changes (90455, 94677). */
const REFUSALS: Record<number, string> = {
  95000: 'the open_kfid is not valid',
  95001: "the 5 messages allowed after the customer's last message are used; they must write first",
  95002: "more than 48 hours since the customer's last message; they must write first",
  95004: 'the kf account does not exist',
  95013: 'the session has ended; the customer must write first',
  95018: 'the session is not in a state in which the API may send',
};
/** send_msg's text.content: at most 2048 bytes (94677). */
const MAX_TEXT_BYTES = 2048;

/**
 * WeCom customer service (微信客服): the callback at /webhooks/wecom starts a sync_msg of the account it
 * names, a timed sync without token recovers callbacks that never came, and replies go out with send_msg
 * while the session is new or with the API (a new one is taken for the API with service_state/trans).
 */
export class WeComKf {
  readonly routes: HttpRoute[];
  private readonly api: WeComKfApi;
  private readonly seenAccounts = new Set<string>();
  private context: ConnectorContext | undefined;
  private sync: KfSync | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;

  constructor(
    private readonly config: WeComKfConfig,
    now?: () => number,
  ) {
    this.api = new WeComKfApi({ apiBase: config.apiBase, corpId: config.corpId, secret: config.secret, ...(now ? { now } : {}) });
    const callback = new WeComCallback(
      config,
      {
        ready: () => this.running(),
        notified: (openKfId, token) => this.notified(openKfId, token),
        ignored: (fields) => this.context?.logger.debug('wecom callback not for customer service', { msgType: fields.MsgType, event: fields.Event }),
        refused: (status, reason, request) => this.context?.logger.warn('wecom callback refused', { status, reason, method: request.method, from: request.remoteAddress }),
      },
      now,
    );
    this.routes = callback.routes();
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    this.sync = new KfSync({ api: this.api, context, corpId: this.config.corpId, maxMediaBytes: this.config.maxMediaBytes });
    context.logger.info('wecom customer service callback ready', { corpId: this.config.corpId, syncEverySeconds: this.config.syncIntervalSeconds });
    // At once, then on the timer: what arrived while the connector was down is read without waiting for a callback.
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.syncIntervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([this.round, this.sync?.idle()]);
  }

  /** Resolves when the syncs asked for so far are done (tests). */
  async idle(): Promise<void> {
    await this.round;
    await this.sync?.idle();
  }

  health(): ConnectorHealth {
    const sync = this.sync;
    const status = this.running() ? `listening for callbacks; ${this.seenAccounts.size} kf accounts synced${sync?.lastError ? `; last error: ${sync.lastError}` : ''}` : 'not started';
    return {
      ready: this.running(),
      status,
      errors: sync?.errors ?? 0,
      ...(sync?.lastMessageAt ? { lastMessageAt: sync.lastMessageAt } : {}),
      details: { accounts: [...this.seenAccounts], ...(sync?.lastSyncAt ? { lastSyncAt: sync.lastSyncAt } : {}) },
    };
  }

  /** A text to the customer of `kf:<corpid>:<open_kfid>:<external_userid>`. */
  async sendText(target: { corpId: string; openKfId: string; externalUserId: string }, text: string, outboundId: string): Promise<SendResult> {
    if (target.corpId !== this.config.corpId) throw new KfReplyRefusedError(`the conversation belongs to CorpID ${target.corpId}, not ${this.config.corpId}`);
    if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) throw new KfReplyRefusedError(`WeCom takes at most ${MAX_TEXT_BYTES} bytes of text in one message; shorten the reply`);
    await this.takeSession(target.openKfId, target.externalUserId);
    try {
      return { externalId: await this.api.sendText(target.openKfId, target.externalUserId, text, kfMsgIdOf(outboundId)) };
    } catch (error) {
      if (error instanceof WechatApiError && REFUSALS[error.errcode]) throw new KfReplyRefusedError(`${REFUSALS[error.errcode]} (errcode ${error.errcode})`);
      throw error;
    }
  }

  /** The API may send while the session is new (0, then taken: 1) or already with it (1); not while WeCom's own servicers have it. */
  private async takeSession(openKfId: string, externalUserId: string): Promise<void> {
    const { state, servicer } = await this.api.serviceState(openKfId, externalUserId);
    if (state === 0) return this.api.transServiceState(openKfId, externalUserId, 1);
    if (state === 1) return;
    const who = servicer ? ` (${servicer})` : '';
    throw new KfReplyRefusedError(`the WeCom session is ${SESSION_STATES[state] ?? `in state ${state}`}${who}: the API may not send now`);
  }

  /** One timed round at a time: a slow round is not stacked on. */
  private tick(): void {
    this.round ??= this.syncAll().finally(() => (this.round = undefined));
  }

  private running(): boolean {
    return this.context !== undefined && !this.context.signal.aborted;
  }

  private notified(openKfId: string, token: string): void {
    this.seenAccounts.add(openKfId);
    void this.sync?.request(openKfId, token);
  }

  /** The timed sync without token: the configured accounts, or those kf/account/list returns, and every one a callback named. */
  private async syncAll(): Promise<void> {
    let accounts = this.config.openKfIds;
    if (accounts.length === 0) {
      accounts = await this.api.accounts().catch((error: unknown) => {
        this.context?.logger.warn('kf/account/list failed; syncing the accounts callbacks named', { error });
        return [];
      });
    }
    for (const openKfId of new Set([...accounts, ...this.seenAccounts])) {
      this.seenAccounts.add(openKfId);
      await this.sync?.request(openKfId);
    }
  }
}
