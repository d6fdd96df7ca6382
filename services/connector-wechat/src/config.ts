import { configSpec, field, PermanentError } from '@switchboard/runtime';

export const wechatConfig = configSpec('connector-wechat', {
  WECHAT_OA_TOKEN: field
    .token()
    .secret()
    .describe('Official Account: the callback Token set in the console; with WECHAT_OA_APPID it enables the callback at /webhooks/wechat.')
    .example('wallet-oa-callback-token'),
  WECHAT_OA_APPID: field.optional().describe('Official Account: AppID (also the `account` of its messages and the id checked inside safe-mode ciphertext).').example('wx1234567890abcdef'),
  WECHAT_OA_APPSECRET: field.token().secret().describe('Official Account: AppSecret for access tokens; without it replies to OA customers fail.').example('0123456789abcdef0123456789abcdef'),
  WECHAT_OA_ENCODING_AES_KEY: field
    .pattern(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey')
    .secret()
    .describe('Official Account: EncodingAESKey; when set, callbacks must be in safe mode (encrypt_type=aes).')
    .example('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'),
  WECHAT_OA_AGENT_MENU_KEYS: field
    .list()
    .describe('Official Account: EventKeys of menu items (CLICK) that mean "talk to an agent": a click on one opens a ticket. Other events (follows, scans, location reports, clicks) are kept on the conversation.')
    .example('MENU_TALK_TO_AGENT,MENU_HUMAN'),
  WECHAT_OA_JOURNAL_AFTER_MS: field
    .int(4_000, 100, 4_800)
    .describe('A callback whose message Kafka has not acknowledged within this many milliseconds is written to the local journal (fsync) before WeChat, which waits 5 s, hears success; the journal is replayed until Kafka has it.')
    .advanced(),
  WECHAT_API_BASE: field.url('https://api.weixin.qq.com').describe('Base URL of the WeChat API (a local server in tests).').advanced(),
  WECHAT_OA_MAX_SKEW_SECONDS: field.int(300, 1, 86_400).describe('Callbacks whose timestamp is further than this from now are refused as replays.').advanced(),
  WECOM_CORP_ID: field.optional().describe('WeCom customer service (微信客服): the CorpID (the `account` of its messages and the id checked inside every callback); with the three below it enables the callback at /webhooks/wecom.').example('ww4f3a9c2b1d0e5f67'),
  WECOM_KF_SECRET: field.token().secret().describe('WeCom customer service: the Secret of the app allowed to call the kf API (access tokens).').example('kf-secret-0123456789abcdefghijklmnopqrstuv'),
  WECOM_TOKEN: field.token().secret().describe('WeCom customer service: the callback Token (signs every callback).').example('wecom-callback-token'),
  WECOM_ENCODING_AES_KEY: field
    .pattern(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey')
    .secret()
    .describe('WeCom customer service: the callback EncodingAESKey (callbacks are always encrypted).')
    .example('ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg'),
  WECOM_OPEN_KFIDS: field
    .list()
    .describe('WeCom customer service: open_kfid of the accounts the timed sync reads without a callback token; empty: those kf/account/list returns, and every account a callback named.')
    .example('wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw'),
  WECOM_SYNC_INTERVAL_SECONDS: field.int(300, 1, 86_400).describe('WeCom customer service: seconds between timed sync_msg calls without a token, which recover callbacks that never came (the API keeps 3 days, and limits tokenless calls).').advanced(),
  WECOM_API_BASE: field.url('https://qyapi.weixin.qq.com').describe('Base URL of the WeCom API (a local server in tests).').advanced(),
  WECOM_MAX_MEDIA_BYTES: field.int(20 * 1024 * 1024, 0).describe('WeCom customer service: media larger than this are recorded by metadata only, their bytes not kept.').advanced(),
  WECOM_MAX_SKEW_SECONDS: field.int(300, 1, 86_400).describe('WeCom callbacks whose timestamp is further than this from now are refused as replays.').advanced(),
  WECHATY_PUPPET: field.optional().describe('Wechaty puppet module (e.g. wechaty-puppet-service, wechaty-puppet-mock); enables the bot account.'),
  WECHATY_PUPPET_SERVICE_TOKEN: field.token().secret().describe('Token passed to the puppet (puppet service providers).').example('puppet-service-token-123'),
  WECHATY_NAME: field.optional().describe('Bot name; when set the login session is kept in <dataDir>/<name>.memory-card.json so restarts need no new scan.'),
  WECHATY_MAX_FILE_BYTES: field.int(25 * 1024 * 1024, 0).describe('Files larger than this are recorded by metadata only, their bytes not saved.').advanced(),
});

export interface OfficialAccountConfig {
  token: string;
  appId: string;
  appSecret?: string;
  encodingAesKey?: string;
  apiBase: string;
  maxSkewSeconds: number;
  agentMenuKeys: string[];
  journalAfterMs: number;
}

export interface WeComKfConfig {
  corpId: string;
  secret: string;
  token: string;
  encodingAesKey: string;
  apiBase: string;
  openKfIds: string[];
  syncIntervalSeconds: number;
  maxMediaBytes: number;
  maxSkewSeconds: number;
}

export interface WechatyConfig {
  puppet: string;
  puppetToken?: string;
  name?: string;
  maxFileBytes: number;
}

/** Any part may be absent; at least one is present. */
export interface WechatConfig {
  officialAccount?: OfficialAccountConfig;
  weComKf?: WeComKfConfig;
  wechaty?: WechatyConfig;
}

export class WechatConfigError extends PermanentError {
  override readonly name = 'WechatConfigError';
}

/** The WeChat config from env vars, or undefined when none of the Official Account, WeCom customer service and a bot is configured. */
export function wechatConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): WechatConfig | undefined {
  const cfg = wechatConfig.load(environment);

  const config: WechatConfig = {};
  if (cfg.WECHAT_OA_TOKEN || cfg.WECHAT_OA_APPID) {
    if (!cfg.WECHAT_OA_TOKEN || !cfg.WECHAT_OA_APPID) {
      throw new WechatConfigError('the Official Account needs both WECHAT_OA_TOKEN and WECHAT_OA_APPID');
    }
    config.officialAccount = {
      token: cfg.WECHAT_OA_TOKEN,
      appId: cfg.WECHAT_OA_APPID,
      apiBase: cfg.WECHAT_API_BASE.replace(/\/+$/, ''),
      maxSkewSeconds: cfg.WECHAT_OA_MAX_SKEW_SECONDS,
      agentMenuKeys: cfg.WECHAT_OA_AGENT_MENU_KEYS,
      journalAfterMs: cfg.WECHAT_OA_JOURNAL_AFTER_MS,
      ...(cfg.WECHAT_OA_APPSECRET ? { appSecret: cfg.WECHAT_OA_APPSECRET } : {}),
      ...(cfg.WECHAT_OA_ENCODING_AES_KEY ? { encodingAesKey: cfg.WECHAT_OA_ENCODING_AES_KEY } : {}),
    };
  }
  if (cfg.WECOM_CORP_ID || cfg.WECOM_KF_SECRET || cfg.WECOM_TOKEN || cfg.WECOM_ENCODING_AES_KEY) {
    if (!cfg.WECOM_CORP_ID || !cfg.WECOM_KF_SECRET || !cfg.WECOM_TOKEN || !cfg.WECOM_ENCODING_AES_KEY) {
      throw new WechatConfigError('WeCom customer service needs WECOM_CORP_ID, WECOM_KF_SECRET, WECOM_TOKEN and WECOM_ENCODING_AES_KEY');
    }
    config.weComKf = {
      corpId: cfg.WECOM_CORP_ID,
      secret: cfg.WECOM_KF_SECRET,
      token: cfg.WECOM_TOKEN,
      encodingAesKey: cfg.WECOM_ENCODING_AES_KEY,
      apiBase: cfg.WECOM_API_BASE.replace(/\/+$/, ''),
      openKfIds: cfg.WECOM_OPEN_KFIDS,
      syncIntervalSeconds: cfg.WECOM_SYNC_INTERVAL_SECONDS,
      maxMediaBytes: cfg.WECOM_MAX_MEDIA_BYTES,
      maxSkewSeconds: cfg.WECOM_MAX_SKEW_SECONDS,
    };
  }
  if (cfg.WECHATY_PUPPET) {
    config.wechaty = {
      puppet: cfg.WECHATY_PUPPET,
      maxFileBytes: cfg.WECHATY_MAX_FILE_BYTES,
      ...(cfg.WECHATY_PUPPET_SERVICE_TOKEN ? { puppetToken: cfg.WECHATY_PUPPET_SERVICE_TOKEN } : {}),
      ...(cfg.WECHATY_NAME ? { name: cfg.WECHATY_NAME } : {}),
    };
  }
  return config.officialAccount || config.weComKf || config.wechaty ? config : undefined;
}
