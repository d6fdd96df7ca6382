import { PermanentSendError, type Connector, type ConnectorContext, type ConnectorHealth, type HttpRoute, type SendResult } from '@switchboard/connector-sdk';
import type { OutboundMessage } from '@switchboard/schema';
import type { WechatConfig } from './config.ts';
import { parseOaConversationKey } from './oa/normalize.ts';
import { OfficialAccount } from './oa/official-account.ts';
import { parseKfConversationKey } from './kf/normalize.ts';
import { WeComKf } from './kf/wecom-kf.ts';
import { WechatyBot, type PuppetInstance } from './bot/bot.ts';
import { parseBotConversationKey } from './bot/normalize.ts';

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
 * WeChat in the forms a support team meets customers: the Official Account's server callbacks, WeCom
 * customer service (微信客服, reached from menus, Mini Programs, Channels, web pages and WeChat Pay
 * receipts) and a bot account run through Wechaty (contacts and group rooms). Each part runs when configured.
 */
export class WechatConnector implements Connector {
  readonly name = 'wechat';
  readonly channels = ['wechat'] as const;
  readonly routes: readonly HttpRoute[];

  private readonly officialAccount: OfficialAccount | undefined;
  private readonly weComKf: WeComKf | undefined;
  private readonly bot: WechatyBot | undefined;

  constructor(config: WechatConfig, options: WechatConnectorOptions = {}) {
    if (config.officialAccount) this.officialAccount = new OfficialAccount(config.officialAccount, options.now);
    if (config.weComKf) this.weComKf = new WeComKf(config.weComKf, options.now);
    if (config.wechaty) this.bot = new WechatyBot(config.wechaty, options.puppet);
    this.routes = [...(this.officialAccount?.routes ?? []), ...(this.weComKf?.routes ?? [])];
  }

  async start(context: ConnectorContext): Promise<void> {
    await this.officialAccount?.start(context);
    await this.weComKf?.start(context);
    await this.bot?.start({
      logger: context.logger.child('wechaty'),
      dataDir: context.dataDir,
      deliver: (message) => context.emit([message]),
      unusable: (raw, reason, sourceId, error) => context.deadLetter({ reason, raw, sourceId, error }),
    });
  }

  async stop(): Promise<void> {
    await this.officialAccount?.stop();
    await this.weComKf?.stop();
    await this.bot?.stop();
  }

  /** Resolves when WeCom syncs asked for so far are done (tests). */
  async weComIdle(): Promise<void> {
    await this.weComKf?.idle();
  }

  /** The bot's puppet once started (tests reach the mock's Mocker through it). */
  get puppet(): PuppetInstance | undefined {
    return this.bot?.puppet;
  }

  health(): ConnectorHealth {
    const parts: Record<string, ConnectorHealth> = {};
    if (this.officialAccount) parts.officialAccount = this.officialAccount.health();
    if (this.weComKf) parts.weComKf = this.weComKf.health();
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

  async send(message: OutboundMessage): Promise<SendResult> {
    const oaTarget = parseOaConversationKey(message.conversationKey);
    if (oaTarget) {
      if (!this.officialAccount?.canSend) throw new UnroutableOutboundError('an Official Account reply needs WECHAT_OA_APPSECRET');
      return this.officialAccount.sendText(oaTarget.openId, message.text);
    }
    const kfTarget = parseKfConversationKey(message.conversationKey);
    if (kfTarget) {
      if (!this.weComKf) throw new UnroutableOutboundError('a WeCom customer service conversation needs WECOM_CORP_ID and its variables');
      return this.weComKf.sendText(kfTarget, message.text, message.id);
    }
    const botTarget = parseBotConversationKey(message.conversationKey);
    if (botTarget) {
      if (!this.bot) throw new UnroutableOutboundError('a bot conversation needs WECHATY_PUPPET');
      const externalId = await this.bot.say(botTarget, message.text);
      return externalId ? { externalId } : {};
    }
    throw new UnroutableOutboundError(`conversationKey ${message.conversationKey} is none of oa:<appid>:<openid>, kf:<corpid>:<open_kfid>:<external_userid>, room:<id> and contact:<id>`);
  }
}

export function createWechatConnector(config: WechatConfig, options: WechatConnectorOptions = {}): WechatConnector {
  return new WechatConnector(config, options);
}
