export { wechatConfigFromEnv, wechatConfig, WechatConfigError, type WechatConfig, type OfficialAccountConfig, type WeComKfConfig, type WechatyConfig } from './config.ts';
export { createWechatConnector, WechatConnector, UnroutableOutboundError, type WechatConnectorOptions } from './connector.ts';
export { OA_WEBHOOK_PATH } from './oa/webhook.ts';
export { WechatApiError } from './oa/api.ts';
export { oaConversationKey } from './oa/normalize.ts';
export { kfConversationKey, kfMsgIdOf, kfSendFailure, type KfSendFailure } from './kf/normalize.ts';
export { WECOM_WEBHOOK_PATH } from './kf/callback.ts';
export { KfReplyRefusedError } from './kf/wecom-kf.ts';
export { roomConversationKey, contactConversationKey } from './bot/normalize.ts';

import type { ConnectorModule } from '@switchboard/connector-sdk';
import { wechatConfigFromEnv } from './config.ts';
import { createWechatConnector } from './connector.ts';
import { manifest } from './channel.ts';

export { manifest } from './channel.ts';

/** Found by the gateway (package.json `switchboard.connector`); one connector for the Official Account, WeCom customer service and the bot. */
export const connectorModule: ConnectorModule = {
  ...manifest,
  fromEnv(env) {
    const config = wechatConfigFromEnv(env);
    return config ? [createWechatConnector(config)] : [];
  },
};
