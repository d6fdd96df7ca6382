import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, kafkaForTest, TYPESCRIPT_ENTRY_ARGS, waitForOutput } from '@switchboard/testkit';
import { REPO_ROOT } from '@switchboard/runtime';

let child: ChildProcess | undefined;
let database: { url: string; drop: () => Promise<void> } | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await database?.drop();
});

describe('pnpm start (services/all-in-one/src/main.ts)', () => {
  it('starts with no token configured, serves the API and the web chat, and stops cleanly on SIGTERM', async () => {
    const { prefix } = await kafkaForTest();
    database = await freshDatabase();
    const env: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_TOPIC_PREFIX: prefix, DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'warn' };
    delete env.SWITCHBOARD_API_TOKEN;
    child = spawn(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, join(REPO_ROOT, 'services/all-in-one/src/main.ts')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const banner = await waitForOutput(child, /API token .*\n/, 60_000);

    expect(banner).toMatch(/^switchboard ready\n/);
    const url = /POST (http:\/\/127\.0\.0\.1:\d+)\/api\/v1\/messages/.exec(banner)![1]!;
    const token = /API token\s+(\S+)\s+\(generated/.exec(banner)![1]!;
    expect(banner).toContain(`${url}/chat`);
    expect(banner).toContain(`${url}/metrics`);

    const accepted = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: 'cli-1', sender: { id: 'u1' }, text: 'My transfer is missing' }),
    });
    expect(accepted.status).toBe(202);
    expect((await fetch(`${url}/api/v1/tickets`)).status).toBe(401);
    // The machine token is the message API's alone.
    expect((await fetch(`${url}/api/v1/tickets`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await fetch(`${url}/chat`)).status).toBe(200);

    // Nobody can sign in yet: the banner's one-time link creates the first admin.
    const setup = /setup\s+(http:\/\/\S+\/console#\/setup\/(\S+))/.exec(banner);
    expect(setup, banner).not.toBeNull();
    const create = (email: string) =>
      fetch(`${url}/api/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: setup![2], email, name: 'First Admin', password: 'first-admin-passphrase' }) });
    const created = await create('first@wallet.test');
    expect(created.status).toBe(200);
    expect(created.headers.getSetCookie().some((c) => c.startsWith('sb_session=') && c.includes('HttpOnly') && c.includes('SameSite=Strict'))).toBe(true);
    expect((await create('second@wallet.test')).status).toBe(409);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a malformed EMAIL_ACCOUNTS before anything starts, naming it and never echoing a password', async () => {
    const broken = '[{"address": "support@wallet.example", "imap": {"host": "imap.wallet.example", "user": "support", "password": "hunter2-Imap-Pass"}, "smtp": {"host": "smtp.wallet.example", "password": "hunter2-Smtp-Pass"}';
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', EMAIL_ACCOUNTS: broken, LOG_LEVEL: 'debug' };
    const started = Date.now();
    const refused = spawn(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, join(REPO_ROOT, 'services/all-in-one/src/main.ts')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    refused.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    refused.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(refused, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output).toContain('invalid configuration for connector-email');
    expect(output).toMatch(/EMAIL_ACCOUNTS: not valid JSON \(it ends too early|EMAIL_ACCOUNTS: not valid JSON \(syntax error/);
    expect(output).not.toContain('hunter2');
    expect(output).not.toContain('switchboard ready');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
