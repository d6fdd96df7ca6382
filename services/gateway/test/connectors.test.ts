import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectorsFromEnv, DuplicateConnectorError, REPO_ROOT } from '../src/index.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gateway-connectors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A repository whose services/ holds connector packages offering connectors with the given names. */
function repoWith(modules: Record<string, string[]>): string {
  const root = mkdtempSync(join(scratch, 'repo-'));
  for (const [dir, names] of Object.entries(modules)) {
    mkdirSync(join(root, 'services', dir, 'src'), { recursive: true });
    writeFileSync(join(root, 'services', dir, 'package.json'), JSON.stringify({ name: dir, switchboard: { connector: true } }));
    const connectors = names.map((name) => `{ name: ${JSON.stringify(name)}, channels: [], start: async () => {}, stop: async () => {}, health: () => ({ ready: true, status: 'ok' }) }`);
    writeFileSync(join(root, 'services', dir, 'src', 'index.ts'), `export const connectorModule = { name: ${JSON.stringify(dir)}, fromEnv: () => [${connectors.join(', ')}] };\n`);
  }
  return root;
}

describe('connectorsFromEnv', () => {
  it('starts the web chat of this repository with no configuration, and no channel that needs credentials', async () => {
    const names = (await connectorsFromEnv({}, REPO_ROOT, ['api'])).map((c) => c.name);
    expect(names).toContain('webchat');
    expect(names).not.toContain('slack');
    expect(names).not.toContain('api');
    expect(await connectorsFromEnv({ WEBCHAT_ENABLED: 'false' }, REPO_ROOT, ['api'])).not.toContainEqual(expect.objectContaining({ name: 'webchat' }));
  });

  it('takes every connector the marked packages offer', async () => {
    const root = repoWith({ 'connector-a': ['alpha', 'beta'], 'connector-b': ['gamma'] });
    expect((await connectorsFromEnv({}, root)).map((c) => c.name)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('refuses two connectors with one name, or one named like the API channel', async () => {
    await expect(connectorsFromEnv({}, repoWith({ 'connector-a': ['same'], 'connector-b': ['same'] }))).rejects.toThrow(DuplicateConnectorError);
    await expect(connectorsFromEnv({}, repoWith({ 'connector-a': ['api'] }), ['api'])).rejects.toThrow(/"api" of module connector-a is already used by the gateway/);
  });
});
