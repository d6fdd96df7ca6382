import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, setLogSink } from '@switchboard/runtime';
import { kafkaSettingsFromEnv, LOCAL_BROKER } from '../src/index.ts';

describe('Kafka settings from the environment', () => {
  it('defaults to the local broker without TLS or SASL', () => {
    expect(kafkaSettingsFromEnv({})).toEqual({ brokers: [LOCAL_BROKER], clientId: 'switchboard', ssl: false, topicPrefix: '' });
  });

  it('takes brokers, TLS and SASL for a production cluster, and never logs the password', () => {
    const settings = kafkaSettingsFromEnv({
      KAFKA_BROKERS: 'b1.kafka.internal:9094, b2.kafka.internal:9094',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'switchboard',
      KAFKA_SASL_PASSWORD: 'sasl-password-0815',
    });
    expect(settings).toMatchObject({ brokers: ['b1.kafka.internal:9094', 'b2.kafka.internal:9094'], ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'switchboard', password: 'sasl-password-0815' } });
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    createLogger('test').error('connect failed for switchboard:sasl-password-0815');
    expect(lines.join('\n')).not.toContain('sasl-password-0815');
  });

  it('refuses an unknown SASL mechanism with a readable error', () => {
    expect(() => kafkaSettingsFromEnv({ KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(ConfigError);
    expect(() => kafkaSettingsFromEnv({ KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });
});
