import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { env, loadConfig, registerSecret } from '@switchboard/runtime';
import { kafkajsLogCreator } from './kafkajs-log.ts';

export const kafkaEnvSchema = z.object({
  KAFKA_BROKERS: env.list().describe('Comma-separated bootstrap brokers. Unset: the local broker of infra/kafka (127.0.0.1:9092).'),
  KAFKA_CLIENT_ID: z.string().default('switchboard').describe('Client id reported to the brokers.'),
  KAFKA_SSL: env.bool(false).describe('Connect with TLS.'),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional().describe('SASL mechanism, when the cluster needs one.'),
  KAFKA_SASL_USERNAME: z.string().optional().describe('SASL user name.'),
  KAFKA_SASL_PASSWORD: z.string().optional().describe('SASL password.'),
  SWITCHBOARD_TOPIC_PREFIX: z.string().default('').describe('Prefix of every topic name (isolates test runs on a shared broker).'),
});

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl?: SASLOptions;
  topicPrefix: string;
}

export const LOCAL_BROKER = '127.0.0.1:9092';

export function kafkaSettingsFromEnv(environment: NodeJS.ProcessEnv = process.env): KafkaSettings {
  const cfg = loadConfig('kafka', kafkaEnvSchema, environment);
  registerSecret(cfg.KAFKA_SASL_PASSWORD);
  const settings: KafkaSettings = {
    brokers: cfg.KAFKA_BROKERS.length > 0 ? cfg.KAFKA_BROKERS : [LOCAL_BROKER],
    clientId: cfg.KAFKA_CLIENT_ID,
    ssl: cfg.KAFKA_SSL,
    topicPrefix: cfg.SWITCHBOARD_TOPIC_PREFIX,
  };
  if (cfg.KAFKA_SASL_MECHANISM) {
    settings.sasl = {
      mechanism: cfg.KAFKA_SASL_MECHANISM,
      username: cfg.KAFKA_SASL_USERNAME ?? '',
      password: cfg.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions;
  }
  return settings;
}

export function createKafka(settings: KafkaSettings, clientSuffix = ''): Kafka {
  const config: KafkaConfig = {
    clientId: settings.clientId + clientSuffix,
    brokers: settings.brokers,
    ssl: settings.ssl,
    connectionTimeout: 3_000,
    // kafkajs' own retries cover transient broker errors inside one request; ours wrap handlers.
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogCreator(),
  };
  if (settings.sasl) config.sasl = settings.sasl;
  return new Kafka(config);
}
