import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, maskSecrets } from '@switchboard/runtime';
import { gatewayEnvSchema, loadSwitchboardConfig, REPO_ROOT } from '../src/index.ts';

describe('loadSwitchboardConfig', () => {
  it('runs with no configuration: local defaults and a generated token', () => {
    const config = loadSwitchboardConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, apiTokenGenerated: true, dataDir: `${REPO_ROOT}/.data`, readyRequiresChannels: false });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.apiToken.length).toBeGreaterThanOrEqual(24);
    expect(loadSwitchboardConfig({}).apiToken).not.toBe(config.apiToken);
    expect(maskSecrets(`token ${config.apiToken}`)).toBe('token ***');
  });

  it('names each bad variable', () => {
    let error: unknown;
    try {
      loadSwitchboardConfig({ PORT: 'eighty', SWITCHBOARD_READY_REQUIRES_CHANNELS: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/PORT: .*"eighty"/);
    expect((error as ConfigError).message).toMatch(/SWITCHBOARD_READY_REQUIRES_CHANNELS/);
  });

  it('masks the database password in logs', () => {
    const config = loadSwitchboardConfig({ DATABASE_URL: 'postgres://app:s3cret-pass@db:5432/sb', SWITCHBOARD_API_TOKEN: 'given-token-123' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://app:s3cret-pass@db:5432/sb', apiToken: 'given-token-123', apiTokenGenerated: false });
    expect(maskSecrets('connect postgres://app:s3cret-pass@db')).toBe('connect postgres://app:***@db');
  });

  it('documents every variable in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const variable of Object.keys(gatewayEnvSchema.shape)) expect(readme, variable).toContain(`| \`${variable}\` |`);
  });
});
