import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { configSpec, field, RETRY_BUDGETS } from '@switchboard/runtime';
import { kafkajsLogCreator } from './kafkajs-log.ts';

/** Every component that talks to Kafka reads these; declared once here. */
export const kafkaConfig = configSpec('kafka', {
  KAFKA_BROKERS: field.list().describe('Comma-separated bootstrap brokers. Unset: the local broker of infra/kafka (127.0.0.1:9092), which `pnpm start` starts.').example('kafka-1:9092,kafka-2:9092'),
  KAFKA_CLIENT_ID: field.text('switchboard').describe('Client id reported to the brokers.').advanced(),
  KAFKA_SSL: field.bool(false).describe('Connect with TLS.'),
  KAFKA_SASL_MECHANISM: field.oneOf(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism, when the cluster needs one (`plain`, `scram-sha-256`, `scram-sha-512`).'),
  KAFKA_SASL_USERNAME: field.optional().describe('SASL user name.'),
  KAFKA_SASL_PASSWORD: field.optional().secret().describe('SASL password.'),
  SWITCHBOARD_TOPIC_PREFIX: field.text('').describe('Prefix of every topic and consumer group name (isolates test runs on a shared broker).').advanced(),
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
  const cfg = kafkaConfig.load(environment);
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

const KAFKA_REQUEST = RETRY_BUDGETS['kafka.request'];

export function createKafka(settings: KafkaSettings, clientSuffix = ''): Kafka {
  const config: KafkaConfig = {
    clientId: settings.clientId + clientSuffix,
    brokers: settings.brokers,
    ssl: settings.ssl,
    connectionTimeout: 3_000,
    // kafkajs' own retries cover transient broker errors inside one request; ours wrap handlers.
    retry: { initialRetryTime: KAFKA_REQUEST.initialMs, retries: KAFKA_REQUEST.attempts - 1, maxRetryTime: KAFKA_REQUEST.maxMs },
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogCreator(),
  };
  if (settings.sasl) config.sasl = settings.sasl;
  return new Kafka(config);
}
