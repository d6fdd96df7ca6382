export { chatConfig, slackConfigFromEnv, webchatConfigFromEnv, WEBCHAT_DEFAULTS, type SlackConfig, type WebchatConfig } from './config.ts';
export { createSlackConnector, SlackConnector, SLACK_EVENTS_PATH } from './slack/connector.ts';
export { normalizeSlackEvent, parseSlackConversationKey, slackConversationKey } from './slack/normalize.ts';
export { createWebchatConnector, WebchatConnector, webchatConversationKey, webchatMessageId, webchatSessionId, WEBCHAT_ACCOUNT } from './webchat/connector.ts';
export { signWebchatIdentity, verifyWebchatIdentity, MAX_IDENTITY_LIFETIME_S, type IdentityRefusal, type IdentityResult } from './webchat/identity.ts';

import type { Connector, ConnectorModule } from '@switchboard/connector-sdk';
import { slackConfigFromEnv, webchatConfigFromEnv } from './config.ts';
import { createSlackConnector } from './slack/connector.ts';
import { createWebchatConnector } from './webchat/connector.ts';
import { manifest } from './channel.ts';

export { manifest } from './channel.ts';

/** The chat connectors configured in `env`: Slack when its secret and token are set, web chat unless disabled. */
export function chatConnectorsFromEnv(env: NodeJS.ProcessEnv = process.env): Connector[] {
  const connectors: Connector[] = [];
  const slack = slackConfigFromEnv(env);
  if (slack) connectors.push(createSlackConnector(slack));
  const webchat = webchatConfigFromEnv(env);
  if (webchat) connectors.push(createWebchatConnector(webchat));
  return connectors;
}

/** How the gateway discovers this package (`"switchboard": {"connector": true}` in package.json). */
export const connectorModule: ConnectorModule = { ...manifest, fromEnv: chatConnectorsFromEnv };
