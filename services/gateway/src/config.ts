import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { kafkaConfig, kafkaSettingsFromEnv, type KafkaSettings } from '@switchboard/kafka';
import { apiTokenFields, configSpec, dataDirFields, field, httpFields, registerSecret, REPO_ROOT, type ConfigSpec, type Field } from '@switchboard/runtime';
import { storeFields } from '@switchboard/ticket-store';
import { walletFields, walletSettingsOf, type WalletSettings } from '@switchboard/wallet';
import { peopleConfigOf, peopleFields, type PeopleConfig } from './people/config.ts';

export { REPO_ROOT };

/** The gateway's variables: its own, and the shared ones it reads (HTTP, data folder, store, Kafka, token). */
export const gatewayConfig = configSpec('gateway', {
  ...httpFields,
  ...apiTokenFields,
  ...dataDirFields,
  ...storeFields,
  ...kafkaConfig.fields,
  ...peopleFields,
  ...walletFields,
  SWITCHBOARD_READY_REQUIRES_CHANNELS: field
    .bool(false)
    .describe('When true, `/readyz` answers 503 while any channel is not ready. Default: channels are reported, but only Kafka and the store decide readiness.'),
});

/** Everything the gateway (and the all-in-one runner built on it) needs, validated. */
export interface GatewayConfig {
  host: string;
  port: number;
  apiToken: string;
  /** True when no SWITCHBOARD_API_TOKEN was set and `apiToken` was generated for this run. */
  apiTokenGenerated: boolean;
  databaseUrl?: string;
  dataDir: string;
  kafka: KafkaSettings;
  readyRequiresChannels: boolean;
  reopenWindowHours: number;
  /** Sign-in, the first admin, single sign-on, service levels. */
  people: PeopleConfig;
  /** The wallet's ledger; undefined when WALLET_API_BASE is unset. */
  wallet?: WalletSettings;
  /** The environment the connector modules read their own variables from, with the API token filled in. */
  env: NodeJS.ProcessEnv;
}

/**
 * Validates the environment against `spec` (the gateway's, or a larger one that contains it, so every
 * variable of the process is checked before anything starts) into a GatewayConfig.
 */
export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env, spec: ConfigSpec<typeof gatewayConfig.fields & Record<string, Field<unknown>>> = gatewayConfig): GatewayConfig {
  const cfg = spec.load(environment);
  const apiToken = cfg.SWITCHBOARD_API_TOKEN ?? randomBytes(24).toString('base64url');
  registerSecret(apiToken);
  const wallet = walletSettingsOf(cfg);
  return {
    host: cfg.HOST,
    port: cfg.PORT,
    apiToken,
    apiTokenGenerated: cfg.SWITCHBOARD_API_TOKEN === undefined,
    ...(cfg.DATABASE_URL ? { databaseUrl: cfg.DATABASE_URL } : {}),
    dataDir: resolve(cfg.SWITCHBOARD_DATA_DIR),
    kafka: kafkaSettingsFromEnv(environment),
    readyRequiresChannels: cfg.SWITCHBOARD_READY_REQUIRES_CHANNELS,
    reopenWindowHours: cfg.SWITCHBOARD_REOPEN_WINDOW_HOURS,
    people: peopleConfigOf(cfg),
    ...(wallet ? { wallet } : {}),
    env: { ...environment, SWITCHBOARD_API_TOKEN: apiToken },
  };
}
