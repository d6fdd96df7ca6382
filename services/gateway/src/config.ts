import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { kafkaSettingsFromEnv, type KafkaSettings } from '@switchboard/kafka';
import { env, loadConfig, registerSecret } from '@switchboard/runtime';

/** The repository root: `pnpm start` keeps its embedded data under `<repo>/.data`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const gatewayEnvSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1').describe('Address the HTTP server listens on.'),
  PORT: env.int(8080, 0, 65_535).describe('HTTP port (0: any free port).'),
  SWITCHBOARD_API_TOKEN: env
    .optionalString()
    .describe('Bearer token of every /api/v1 route. Unset: a random token is generated at start and printed once in the ready banner.'),
  DATABASE_URL: env.optionalString().describe('PostgreSQL URL of the ticket store. Unset: embedded PGlite in `<SWITCHBOARD_DATA_DIR>/pglite`.'),
  SWITCHBOARD_DATA_DIR: z.string().min(1).default(resolve(REPO_ROOT, '.data')).describe("Folder of embedded data: PGlite and connectors' files."),
  KAFKA_BROKERS: env
    .optionalString()
    .describe('Comma-separated Kafka bootstrap brokers. Unset (pnpm start): the local broker of infra/kafka is started (needs java and mvn).'),
  API_MAX_BODY_BYTES: env.int(256 * 1024, 1_024, 16 * 1024 * 1024).describe('Largest body POST /api/v1/messages accepts; larger gets 413.'),
  SWITCHBOARD_READY_REQUIRES_CHANNELS: env
    .bool(false)
    .describe('When true, /readyz answers 503 while any channel is not ready. Default: channels are reported but only Kafka and the store decide readiness.'),
  SWITCHBOARD_CLASSIFIER_MODEL: env.optionalString().describe('Classifier model artifact for the router (all-in-one). Unset: the committed model.'),
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** Everything the gateway and the all-in-one runner need, validated. Build it with `loadSwitchboardConfig`. */
export interface SwitchboardConfig {
  host: string;
  port: number;
  apiToken: string;
  /** True when no SWITCHBOARD_API_TOKEN was set and `apiToken` was generated for this run. */
  apiTokenGenerated: boolean;
  databaseUrl?: string;
  dataDir: string;
  kafka: KafkaSettings;
  apiMaxBodyBytes: number;
  readyRequiresChannels: boolean;
  classifierModel?: string;
  /** The environment the connectors read their own variables from (SLACK_*, WECHAT_*, IMAP_*, ...). */
  env: NodeJS.ProcessEnv;
}

/** Validates the environment (readable ConfigError naming each bad variable) into a SwitchboardConfig. */
export function loadSwitchboardConfig(environment: NodeJS.ProcessEnv = process.env): SwitchboardConfig {
  const cfg = loadConfig('gateway', gatewayEnvSchema, environment);
  const apiToken = cfg.SWITCHBOARD_API_TOKEN ?? randomBytes(24).toString('base64url');
  registerSecret(apiToken);
  registerSecret(cfg.DATABASE_URL ? passwordOf(cfg.DATABASE_URL) : undefined);
  return {
    host: cfg.HOST,
    port: cfg.PORT,
    apiToken,
    apiTokenGenerated: cfg.SWITCHBOARD_API_TOKEN === undefined,
    ...(cfg.DATABASE_URL ? { databaseUrl: cfg.DATABASE_URL } : {}),
    dataDir: resolve(cfg.SWITCHBOARD_DATA_DIR),
    kafka: kafkaSettingsFromEnv(environment),
    apiMaxBodyBytes: cfg.API_MAX_BODY_BYTES,
    readyRequiresChannels: cfg.SWITCHBOARD_READY_REQUIRES_CHANNELS,
    ...(cfg.SWITCHBOARD_CLASSIFIER_MODEL ? { classifierModel: cfg.SWITCHBOARD_CLASSIFIER_MODEL } : {}),
    env: environment,
  };
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
