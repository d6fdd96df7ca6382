import type { ConnectorModule } from '@switchboard/connector-sdk';
import { manifest } from './channel.ts';
import { phoneConfigFromEnv } from './config.ts';
import { PhoneConnector } from './connector.ts';

export { PhoneConnector } from './connector.ts';
export { phoneConfigFromEnv, phoneConfig, type PhoneConfig } from './config.ts';
export { normalizePhone } from './normalize.ts';
export { manifest } from './channel.ts';

/** Found by `pnpm start` (package.json `switchboard.connector`): one connector when the channel is configured. */
export const connectorModule: ConnectorModule = {
  ...manifest,
  fromEnv(env) {
    const config = phoneConfigFromEnv(env);
    return config ? [new PhoneConnector(config)] : [];
  },
};
