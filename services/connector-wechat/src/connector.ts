import { PermanentSendError, type Connector, type ConnectorContext, type ConnectorHealth, type HttpRoute, type SendResult } from '@switchboard/connector-sdk';
import type { InboundMessageInput, OutboundMessage } from '@switchboard/schema';
import { RETRY_BUDGETS, sha256Hex, withRetry } from '@switchboard/runtime';
import type { WechatConfig } from './config.ts';
import { OfficialAccountApi } from './oa/api.ts';
import { parseOaConversationKey } from './oa/normalize.ts';
import { OfficialAccountWebhook } from './oa/webhook.ts';
import { WechatyBot, type PuppetInstance } from './bot/bot.ts';
import { parseBotConversationKey } from './bot/normalize.ts';
import { RecentIds } from './recent.ts';

export class UnroutableOutboundError extends PermanentSendError {
  override readonly name = 'UnroutableOutboundError';
}

export interface WechatConnectorOptions {
  /** A puppet instance to use instead of loading WECHATY_PUPPET (tests: wechaty-puppet-mock with its Mocker). */
  puppet?: PuppetInstance;
  /** Clock for callback timestamps and token expiry. */
  now?: () => number;
}

/**
 * WeChat in both forms a support team meets customers: a bot account run through Wechaty (contacts
 * and group rooms), and the Official Account's server callbacks. Each part runs when configured.
 */
export class WechatConnector implements Connector {
  readonly name = 'wechat';
  readonly channels = ['wechat'] as const;
  readonly routes: readonly HttpRoute[];

  private context: ConnectorContext | undefined;
  private readonly bot: WechatyBot | undefined;
  private readonly oaApi: OfficialAccountApi | undefined;
  private readonly recentCallbacks = new RecentIds();
  private readonly pendingEmits = new Set<Promise<void>>();
  private lastOaMessageAt: string | undefined;
  private oaErrors = 0;

  constructor(
    private readonly config: WechatConfig,
    options: WechatConnectorOptions = {},
  ) {
    const oa = config.officialAccount;
    this.routes = oa
      ? new OfficialAccountWebhook(
          oa,
          {
            ready: () => this.running(),
            accept: (message, rawXml) => this.acceptCallback(message, rawXml),
            refused: (status, reason, request) => this.context?.logger.warn('official account callback refused', { status, reason, method: request.method, from: request.remoteAddress }),
            unusable: (rawXml, reason, error) => this.context!.deadLetter({ reason, raw: rawXml, sourceId: `oa/refused/${sha256Hex(rawXml).slice(0, 16)}`, error }),
          },
          options.now,
        ).routes()
      : [];
    if (oa?.appSecret) this.oaApi = new OfficialAccountApi({ apiBase: oa.apiBase, appId: oa.appId, appSecret: oa.appSecret, ...(options.now ? { now: options.now } : {}) });
    if (config.wechaty) this.bot = new WechatyBot(config.wechaty, options.puppet);
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    if (this.config.officialAccount) context.logger.info('official account callback ready', { appId: this.config.officialAccount.appId, safeMode: Boolean(this.config.officialAccount.encodingAesKey) });
    await this.bot?.start({
      logger: context.logger.child('wechaty'),
      dataDir: context.dataDir,
      deliver: (message) => context.emit([message]),
      unusable: (raw, reason, sourceId, error) => context.deadLetter({ reason, raw, sourceId, error }),
    });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pendingEmits]);
    await this.bot?.stop();
  }

  /** The bot's puppet once started (tests reach the mock's Mocker through it). */
  get puppet(): PuppetInstance | undefined {
    return this.bot?.puppet;
  }

  health(): ConnectorHealth {
    const parts: Record<string, ConnectorHealth> = {};
    if (this.config.officialAccount) {
      parts.officialAccount = {
        ready: this.running(),
        status: this.running() ? 'listening for callbacks' : this.context ? 'stopped' : 'not started',
        errors: this.oaErrors,
        ...(this.lastOaMessageAt ? { lastMessageAt: this.lastOaMessageAt } : {}),
      };
    }
    if (this.bot) parts.wechaty = this.bot.health();
    const all = Object.values(parts);
    const lastMessageAt = all.map((p) => p.lastMessageAt).filter((t): t is string => Boolean(t)).sort().pop();
    return {
      ready: all.every((p) => p.ready),
      status: Object.entries(parts).map(([name, p]) => `${name}: ${p.status}`).join('; '),
      errors: all.reduce((sum, p) => sum + (p.errors ?? 0), 0),
      ...(lastMessageAt ? { lastMessageAt } : {}),
      details: parts,
    };
  }

  private running(): boolean {
    return this.context !== undefined && !this.context.signal.aborted;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const oaTarget = parseOaConversationKey(message.conversationKey);
    if (oaTarget) {
      if (!this.oaApi) throw new UnroutableOutboundError('an Official Account reply needs WECHAT_OA_APPSECRET');
      const { msgId } = await this.oaApi.sendText(oaTarget.openId, message.text);
      return msgId ? { externalId: msgId } : {};
    }
    const botTarget = parseBotConversationKey(message.conversationKey);
    if (botTarget) {
      if (!this.bot) throw new UnroutableOutboundError('a bot conversation needs WECHATY_PUPPET');
      const externalId = await this.bot.say(botTarget, message.text);
      return externalId ? { externalId } : {};
    }
    throw new UnroutableOutboundError(`conversationKey ${message.conversationKey} is neither oa:<appid>:<openid>, room:<id> nor contact:<id>`);
  }

  /**
   * WeChat has been answered by now; the message goes to Kafka in the background. A retry of the
   * same callback is dropped here; if Kafka cannot take the message, its XML goes to the DLQ.
   */
  private acceptCallback(message: InboundMessageInput, rawXml: string): void {
    const context = this.context!;
    if (!this.recentCallbacks.add(message.id)) {
      context.logger.debug('official account retry dropped', { externalId: message.externalId });
      return;
    }
    const work = withRetry(() => context.emit([message]), RETRY_BUDGETS['connector.emit'])
      .then(() => {
        this.lastOaMessageAt = new Date().toISOString();
      })
      .catch(async (error: unknown) => {
        this.oaErrors++;
        await context.deadLetter({ reason: `official account message not produced: ${(error as Error).message}`, raw: rawXml, sourceId: `oa/${message.externalId}`, error });
      })
      .catch((error: unknown) => {
        // Neither Kafka topic took it: the log is the last place it survives.
        context.logger.error('official account message lost', { externalId: message.externalId, rawXml, error });
      });
    this.pendingEmits.add(work);
    void work.finally(() => this.pendingEmits.delete(work));
  }
}

export function createWechatConnector(config: WechatConfig, options: WechatConnectorOptions = {}): WechatConnector {
  return new WechatConnector(config, options);
}
