import { ConfigError } from '@switchboard/runtime';
import type { ConnectorModule } from '@switchboard/connector-sdk';
import { createApiChannel } from './api-channel.ts';
import { manifest } from './channel.ts';
import { apiConfig } from './config.ts';

export { createApiChannel, ApiChannel, ApiMessageBody, toInboundMessage, API_MESSAGES_PATH, API_DEFAULT_ACCOUNT, type ApiChannelOptions } from './api-channel.ts';
export { apiConfig } from './config.ts';
export { manifest } from './channel.ts';

/**
 * Always on: the API channel is how systems without a connector write in. The all-in-one and the gateway
 * fill SWITCHBOARD_API_TOKEN (generating one when unset) before they ask for it.
 */
export const connectorModule: ConnectorModule = {
  ...manifest,
  fromEnv(env) {
    const config = apiConfig.load(env);
    if (!config.SWITCHBOARD_API_TOKEN) throw new ConfigError('connector-api', ['SWITCHBOARD_API_TOKEN: required: the bearer token clients of POST /api/v1/messages present']);
    return [createApiChannel({ token: config.SWITCHBOARD_API_TOKEN, maxBodyBytes: config.API_MAX_BODY_BYTES })];
  },
};
