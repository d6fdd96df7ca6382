/**
 * `pnpm create-connector fax` as a platform engineer runs it, in a copy of the repository: the new
 * connector passes the conformance kit, `pnpm start` finds and starts it, a message it receives becomes
 * a ticket with `channel: "fax"` that the console shows with the connector's own label, and nothing
 * outside `services/connector-fax/` changed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@switchboard/runtime';
import { apiCaller, copyRepository, eventually, freshDatabase, kafkaForTest, TEST_ADMIN, TEST_ADMIN_ENV, TYPESCRIPT_ENTRY_ARGS, waitForOutput } from '@switchboard/testkit';
import { scaffoldConnector } from '../scripts/create-connector.ts';

const TOKEN = 'scaffold-test-token-0123456789';
const SECRET = 'fax-webhook-secret-0123456789';
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('pnpm create-connector', () => {
  it('refuses names that would not make a package', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'sb-scaffold-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    expect(() => scaffoldConnector('Bad Name', scratch)).toThrow(/not a valid connector name/);
    expect(() => scaffoldConnector('email-', scratch)).toThrow(/not a valid connector name/);
  });

  it('makes a channel of one folder: conformance kit, pnpm start, tickets and the console, nothing else touched', async () => {
    const copy = copyRepository(REPO_ROOT);
    cleanups.push(() => rmSync(copy, { recursive: true, force: true }));
    const inCopy = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => execFileSync(command, args, { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });

    const scripts = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts['create-connector']).toBe('tsx packages/connector-sdk/scripts/create-connector.ts');
    inCopy('node', [...TYPESCRIPT_ENTRY_ARGS, 'packages/connector-sdk/scripts/create-connector.ts', 'fax']);
    inCopy('npx', ['tsc', '--noEmit', '-p', 'services/connector-fax/tsconfig.json']);
    const output = inCopy('npx', ['vitest', 'run', '--reporter=json', 'services/connector-fax'], { ...process.env, CI: 'true' });
    const report = JSON.parse(output.slice(output.indexOf('{'))) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
    expect(report).toMatchObject({ numPassedTests: 7, numFailedTests: 0, numPendingTests: 0 });

    // pnpm start, as the copy's package.json runs it, with the new channel configured.
    expect(scripts.start).toBe('node --import tsx/esm services/all-in-one/src/main.ts');
    const { prefix } = await kafkaForTest();
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const env = { ...process.env, PORT: '0', SWITCHBOARD_TOPIC_PREFIX: prefix, DATABASE_URL: database.url, SWITCHBOARD_API_TOKEN: TOKEN, FAX_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'warn', ...TEST_ADMIN_ENV };
    const child: ChildProcess = spawn(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, 'services/all-in-one/src/main.ts'], { cwd: copy, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));
    const banner = await waitForOutput(child, /API token .*\n/, 90_000);
    expect(banner).toMatch(/channels .*\bfax\b/);
    const url = /tickets\s+GET\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1\/tickets/.exec(banner)![1]!;

    const body = JSON.stringify({ id: 'fax-0001', from: { id: '+86 10 5555 0100', name: 'Chen Jing' }, text: 'My refund for order 8812 has not arrived after ten days.' });
    const signature = createHmac('sha256', SECRET).update(body).digest('hex');
    const posted = await fetch(`${url}/webhooks/fax`, { method: 'POST', body, headers: { 'x-signature': signature, 'content-type': 'application/json' } });
    expect(posted.status).toBe(202);
    const call = await apiCaller(url, TOKEN);
    const ticket = await eventually(async () => {
      const { tickets } = (await (await call('/api/v1/tickets?channel=fax')).json()) as { tickets: { channel: string; number: string }[] };
      return tickets[0];
    }, 30_000, 'a ticket of the fax channel');
    expect(ticket.channel).toBe('fax');

    const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`${url}/console`);
    await page.fill('#email', TEST_ADMIN.email);
    await page.fill('#password', TEST_ADMIN.password);
    await page.click('#login-submit');
    const icon = page.locator('#tickets li[data-id] svg.channel-icon[data-channel="fax"]');
    await icon.first().waitFor({ timeout: 20_000 });
    expect(await icon.first().getAttribute('aria-label')).toBe('Fax');

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const changed = inCopy('git', ['status', '--porcelain', '--untracked-files=all']).split('\n').filter(Boolean);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((line) => !line.startsWith('?? services/connector-fax/'))).toEqual([]);
  }, 300_000);
});
