/**
 * `pnpm start` with X configured while X cannot be reached (a server that takes connections and never
 * answers): every other channel is ready, the webhook answers its CRC and 503 (retry later) for
 * deliveries while the account is unresolved, and health says what the X channel is waiting for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@switchboard/runtime';
import { freshDatabase, kafkaForTest, TYPESCRIPT_ENTRY_ARGS, waitForOutput, eventually } from '@switchboard/testkit';

const SECRET = 'offline-consumer-secret-7Yq2';
let child: ChildProcess | undefined;
let database: { url: string; drop: () => Promise<void> } | undefined;
const sockets = new Set<Socket>();
const silent: Server = createServer((socket) => sockets.add(socket));

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await database?.drop();
});

describe('pnpm start with X configured and unreachable', () => {
  it('is ready for every other channel; the webhook answers CRC and 503 until the account is known', async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const { prefix } = await kafkaForTest();
    database = await freshDatabase();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SWITCHBOARD_TOPIC_PREFIX: prefix,
      DATABASE_URL: database.url,
      PORT: '0',
      LOG_LEVEL: 'error',
      SWITCHBOARD_API_TOKEN: 'offline-token-0123456789',
      TWITTER_CONSUMER_KEY: 'offline-consumer-key',
      TWITTER_CONSUMER_SECRET: SECRET,
      TWITTER_ACCESS_TOKEN: 'offline-access-token',
      TWITTER_ACCESS_TOKEN_SECRET: 'offline-access-secret',
      TWITTER_API_BASE: `http://127.0.0.1:${port}/`,
      TWITTER_TIMEOUT_MS: '1000',
    };
    child = spawn(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, join(REPO_ROOT, 'services/all-in-one/src/main.ts')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const banner = await waitForOutput(child, /API token .*\n/, 60_000);
    const url = /POST (http:\/\/127\.0\.0\.1:\d+)\/api\/v1\/messages/.exec(banner)![1]!;

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    const state = (await ready.json()) as { channels: Record<string, { ready: boolean; status: string }> };
    expect(state.channels.twitter).toMatchObject({ ready: false, status: expect.stringMatching(/resolving account|backing off after network/) });
    const accepted = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer offline-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: 'offline-1', sender: { id: 'u1' }, text: 'My transfer is missing' }),
    });
    expect(accepted.status).toBe(202);

    const crc = await fetch(`${url}/webhooks/twitter?crc_token=abc`);
    expect(await crc.json()).toEqual({ response_token: `sha256=${createHmac('sha256', SECRET).update('abc').digest('base64')}` });
    const body = JSON.stringify({ for_user_id: '42', tweet_create_events: [{ id_str: '1', text: 'hi', user: { id_str: '7' } }] });
    const pushed = await fetch(`${url}/webhooks/twitter`, { method: 'POST', body, headers: { 'x-twitter-webhooks-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}` } });
    expect(pushed.status).toBe(503);
    // The timeouts turn into a reported back-off, not a crash: the process is still serving.
    await eventually(async () => /backing off after network/.test(((await (await fetch(`${url}/readyz`)).json()) as typeof state).channels.twitter!.status), 20_000, 'the back-off reported');
    expect(child.exitCode).toBeNull();
  }, 90_000);
});
