import type { ConnectorModule } from '@switchboard/connector-sdk';
import { twitterConfigFromEnv } from './config.ts';
import { createTwitterConnector } from './connector.ts';
import { manifest } from './channel.ts';

export { manifest } from './channel.ts';

export { twitterConfigFromEnv, twitterConfig, DEFAULT_API_BASE, type TwitterConfig, type TwitterAccountConfig, type AccountAuth } from './config.ts';
export { TwitterConnector, createTwitterConnector } from './connector.ts';
export {
  normalizeTweet,
  normalizeDirectMessage,
  tweetConversationKey,
  dmConversationKey,
  tweetMessageId,
  dmMessageId,
  type OwnAccount,
} from './normalize.ts';
export { normalizePost, normalizeDmEvent, readIncludes, oneToOneConversationId } from './normalize-v2.ts';
export { decideXReply } from './reply-policy.ts';
export { UsageMeter } from './usage.ts';
export { WEBHOOK_PATH, crcResponse, twitterSignature } from './webhook.ts';
export { OutboundRefusedError } from './outbound.ts';

/** Found by the gateway (package.json `switchboard.connector`): one connector for every configured handle. */
export const connectorModule: ConnectorModule = {
  ...manifest,
  fromEnv(env) {
    const config = twitterConfigFromEnv(env);
    return config ? [createTwitterConnector(config)] : [];
  },
};
