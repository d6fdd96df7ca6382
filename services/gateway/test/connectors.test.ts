import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectorModuleError, discoverConnectorModules, discoverManifests } from '@switchboard/connector-sdk';
import { connectorsFromModules, DuplicateConnectorError, REPO_ROOT, UndeclaredChannelError } from '../src/index.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gateway-connectors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface FakePackage {
  /** Channel ids the package declares. */
  declares: string[];
  /** Connectors its fromEnv returns: name and the channels each serves. */
  connectors: [string, string[]][];
}

/** A repository whose services/ holds connector packages with a manifest and a module each. */
function repoWith(packages: Record<string, FakePackage>): string {
  const root = mkdtempSync(join(scratch, 'repo-'));
  for (const [dir, pkg] of Object.entries(packages)) {
    mkdirSync(join(root, 'services', dir, 'src'), { recursive: true });
    writeFileSync(join(root, 'services', dir, 'package.json'), JSON.stringify({ name: dir, switchboard: { connector: true } }));
    const channels = pkg.declares.map((id) => ({ id, label: { en: id, zh: id }, icon: { color: '#123456', path: 'M4 4h16' }, threading: 'one per sender' }));
    const manifest = `{ name: ${JSON.stringify(dir.replace(/^connector-/, ''))}, channels: ${JSON.stringify(channels)}, config: { fields: {}, load: () => ({}) } }`;
    writeFileSync(join(root, 'services', dir, 'src', 'channel.ts'), `export const manifest = ${manifest};\n`);
    const connectors = pkg.connectors.map(([name, served]) => `{ name: ${JSON.stringify(name)}, channels: ${JSON.stringify(served)}, start: async () => {}, stop: async () => {}, health: () => ({ ready: true, status: 'ok' }) }`);
    writeFileSync(join(root, 'services', dir, 'src', 'index.ts'), `import { manifest } from './channel.ts';\nexport const connectorModule = { ...manifest, fromEnv: () => [${connectors.join(', ')}] };\n`);
  }
  return root;
}

describe('connectors from the discovered modules', () => {
  it('starts the web chat and the API channel of this repository with no configuration, and no channel that needs credentials', async () => {
    const modules = await discoverConnectorModules(REPO_ROOT);
    const names = (await connectorsFromModules(modules, { SWITCHBOARD_API_TOKEN: 'a-token-of-16-chars' })).map((c) => c.name);
    expect(names).toContain('webchat');
    expect(names).toContain('api');
    expect(names).not.toContain('slack');
    expect(await connectorsFromModules(modules, { SWITCHBOARD_API_TOKEN: 'a-token-of-16-chars', WEBCHAT_ENABLED: 'false' })).not.toContainEqual(expect.objectContaining({ name: 'webchat' }));
  });

  it('takes every connector the marked packages offer, and their descriptors without starting them', async () => {
    const root = repoWith({ 'connector-a': { declares: ['alpha'], connectors: [['alpha', ['alpha']], ['beta', ['alpha']]] }, 'connector-b': { declares: ['gamma'], connectors: [['gamma', ['gamma']]] } });
    expect((await connectorsFromModules(await discoverConnectorModules(root), {})).map((c) => c.name)).toEqual(['alpha', 'beta', 'gamma']);
    expect((await discoverManifests(root)).flatMap((m) => m.channels.map((c) => c.id))).toEqual(['alpha', 'gamma']);
  });

  it('refuses two connectors with one name, or one named like a connector given to the gateway', async () => {
    const twice = repoWith({ 'connector-a': { declares: ['a'], connectors: [['same', ['a']]] }, 'connector-b': { declares: ['b'], connectors: [['same', ['b']]] } });
    await expect(connectorsFromModules(await discoverConnectorModules(twice), {})).rejects.toThrow(DuplicateConnectorError);
    const clash = repoWith({ 'connector-a': { declares: ['a'], connectors: [['api', ['a']]] } });
    await expect(connectorsFromModules(await discoverConnectorModules(clash), {}, ['api'])).rejects.toThrow(/"api" of module a is already used by a connector given to the gateway/);
  });

  it('refuses a connector that serves no channel or one its package does not declare', async () => {
    const none = repoWith({ 'connector-a': { declares: ['a'], connectors: [['x', []]] } });
    await expect(connectorsFromModules(await discoverConnectorModules(none), {})).rejects.toThrow(UndeclaredChannelError);
    const other = repoWith({ 'connector-a': { declares: ['a'], connectors: [['x', ['a', 'b']]] } });
    await expect(connectorsFromModules(await discoverConnectorModules(other), {})).rejects.toThrow(/channel\(s\) b that its channel.ts does not declare/);
  });

  it('refuses two packages declaring one channel, and a package declaring none', async () => {
    const both = repoWith({ 'connector-a': { declares: ['same'], connectors: [] }, 'connector-b': { declares: ['same'], connectors: [] } });
    await expect(discoverManifests(both)).rejects.toThrow(/channel same is declared by both a and b/);
    await expect(discoverManifests(repoWith({ 'connector-a': { declares: [], connectors: [] } }))).rejects.toThrow(ConnectorModuleError);
  });
});
