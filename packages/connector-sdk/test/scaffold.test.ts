import { execFileSync } from 'node:child_process';
import { rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scaffoldConnector } from '../scripts/create-connector.ts';
import { discoverConnectorModules } from '../src/index.ts';

const repo = join(import.meta.dirname, '../../..');
const name = `scaffold${Date.now().toString(36)}`;
let target = '';

describe('pnpm create-connector', () => {
  afterAll(() => {
    if (target) rmSync(target, { recursive: true, force: true });
  });

  it('refuses names that would not make a package', () => {
    expect(() => scaffoldConnector('Bad Name')).toThrow(/not a valid connector name/);
    expect(() => scaffoldConnector('email-')).toThrow(/not a valid connector name/);
  });

  it('scaffolds a connector that typechecks, passes the conformance kit, and pnpm start finds when configured', async () => {
    target = scaffoldConnector(name);
    expect(JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')).switchboard).toEqual({ connector: true });
    execFileSync('npx', ['tsc', '--noEmit', '-p', join(target, 'tsconfig.json')], { cwd: repo, stdio: 'pipe' });
    const output = execFileSync('npx', ['vitest', 'run', '--reporter=json', `services/connector-${name}`], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, CI: 'true' } });
    const report = JSON.parse(output.slice(output.indexOf('{'))) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
    expect(report).toMatchObject({ numPassedTests: 7, numFailedTests: 0, numPendingTests: 0 });
    const modules = await discoverConnectorModules(repo);
    const found = modules.find((m) => m.name === name);
    expect(found).toBeDefined();
    expect(await found!.fromEnv({})).toHaveLength(0);
    expect(await found!.fromEnv({ [`${name.toUpperCase()}_WEBHOOK_SECRET`]: 'a-secret-of-16-chars' })).toHaveLength(1);
  }, 120_000);
});
