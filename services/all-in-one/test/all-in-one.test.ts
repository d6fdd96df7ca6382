import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, kafkaForTest, TYPESCRIPT_ENTRY_ARGS } from '@switchboard/testkit';
import { REPO_ROOT } from '../src/index.ts';

let child: ChildProcess | undefined;
let database: { url: string; drop: () => Promise<void> } | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await database?.drop();
});

function waitForBanner(process: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no ready banner after ${timeoutMs} ms; stdout: ${out}; stderr tail: ${err.slice(-2000)}`)), timeoutMs);
    process.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/API token .*\n/.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    process.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    process.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready; stderr tail: ${err.slice(-2000)}`));
    });
  });
}

describe('pnpm start (src/all-in-one.ts)', () => {
  it('starts with no token configured, serves the API and the web chat, and stops cleanly on SIGTERM', async () => {
    const { prefix } = await kafkaForTest();
    database = await freshDatabase();
    const env: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_TOPIC_PREFIX: prefix, DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'warn' };
    delete env.SWITCHBOARD_API_TOKEN;
    child = spawn(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, join(REPO_ROOT, 'services/gateway/src/all-in-one.ts')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const banner = await waitForBanner(child, 60_000);

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
    expect((await fetch(`${url}/chat`)).status).toBe(200);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
