import type { ConnectorModule } from '@switchboard/connector-sdk';
import { manifest } from './channel.ts';
import { metaConfigFromEnv } from './config.ts';
import { MetaConnector } from './connector.ts';

export { MetaConnector, type MetaConnectorOptions } from './connector.ts';
export { metaConfigFromEnv, metaConfig, MetaConfigError, type MetaConfig, type WhatsAppTemplate } from './config.ts';
export { readWebhook, type Receipt, type WebhookItem } from './events.ts';
export { classifyGraphError, GraphRefusal, GraphUnavailable } from './graph.ts';
export { conversationKeyOf, parseConversationKey, splitForChannel } from './outbound.ts';
export { messagingReplies, whatsappReplies, REPLY_MODES } from './policy.ts';
export { WEBHOOK_PATH, SIGNATURE_HEADER, metaSignature } from './webhook.ts';
export { manifest } from './channel.ts';

/** Found by `pnpm start` (package.json `switchboard.connector`): one connector for the three channels when META_APP_SECRET is set. */
export const connectorModule: ConnectorModule = {
  ...manifest,
  fromEnv(env) {
    const config = metaConfigFromEnv(env);
    return config ? [new MetaConnector(config)] : [];
  },
};
