export { wechatConfigFromEnv, wechatEnvSchema, WechatConfigError, type WechatConfig, type OfficialAccountConfig, type WechatyConfig } from './config.ts';
export { createWechatConnector, WechatConnector, UnroutableOutboundError, type WechatConnectorOptions } from './connector.ts';
export { OA_WEBHOOK_PATH } from './oa/webhook.ts';
export { WechatApiError } from './oa/api.ts';
export { oaConversationKey } from './oa/normalize.ts';
export { roomConversationKey, contactConversationKey } from './bot/normalize.ts';
