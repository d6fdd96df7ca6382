import type { ConnectorModule } from '@switchboard/connector-sdk';
import { manifest } from './channel.ts';
import { phoneConfigFromEnv } from './config.ts';
import { PhoneConnector } from './connector.ts';

export { PhoneConnector, type PhoneConnectorOptions } from './connector.ts';
export { phoneConfigFromEnv, phoneConfig, type PhoneConfig } from './config.ts';
export { manifest } from './channel.ts';
export { applyEvent, type CallEvent, type CallRecord } from './calls.ts';
export { viewOf, type CallView } from './outcome.ts';
export { normalizeCaller } from './numbers.ts';
export { TWILIO_PATHS, CTI_PATH } from './webhook.ts';

/** Found by `pnpm start` (package.json `switchboard.connector`): one connector when Twilio or the CTI API is configured. */
export const connectorModule: ConnectorModule = {
  ...manifest,
  fromEnv(env) {
    const config = phoneConfigFromEnv(env);
    return config ? [new PhoneConnector(config)] : [];
  },
};
