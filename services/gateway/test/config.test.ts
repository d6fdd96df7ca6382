import { describe, expect, it } from 'vitest';
import { ConfigError, maskSecrets } from '@switchboard/runtime';
import { loadGatewayConfig, REPO_ROOT } from '../src/index.ts';

describe('loadGatewayConfig', () => {
  it('runs with no configuration: local defaults and a generated token, handed to the connector modules', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, apiTokenGenerated: true, dataDir: `${REPO_ROOT}/.data`, readyRequiresChannels: false, reopenWindowHours: 72 });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.apiToken.length).toBeGreaterThanOrEqual(24);
    expect(config.env.SWITCHBOARD_API_TOKEN).toBe(config.apiToken);
    expect(loadGatewayConfig({}).apiToken).not.toBe(config.apiToken);
    expect(maskSecrets(`token ${config.apiToken}`)).toBe('token ***');
  });

  it('names each bad variable, and never echoes the token', () => {
    let error: unknown;
    try {
      loadGatewayConfig({ PORT: 'eighty', SWITCHBOARD_READY_REQUIRES_CHANNELS: 'maybe', SWITCHBOARD_API_TOKEN: 'tiny token' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/PORT: .*"eighty"/);
    expect(message).toMatch(/SWITCHBOARD_READY_REQUIRES_CHANNELS/);
    expect(message).toMatch(/SWITCHBOARD_API_TOKEN: /);
    expect(message).not.toContain('tiny token');
  });

  it('masks the database password in logs', () => {
    const config = loadGatewayConfig({ DATABASE_URL: 'postgres://app:s3cret-pass@db:5432/sb', SWITCHBOARD_API_TOKEN: 'given-token-123' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://app:s3cret-pass@db:5432/sb', apiToken: 'given-token-123', apiTokenGenerated: false });
    expect(maskSecrets('connect postgres://app:s3cret-pass@db')).toBe('connect postgres://app:***@db');
  });
});
