/**
 * The first authorization of an OAuth 2.0 account, as an operator runs it (`pnpm authorize`), against
 * the local X: the link with its PKCE challenge, the user's consent, the code exchanged with the
 * verifier for a refresh token the connector can use; a wrong verifier and a spent code refused.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenRequest } from '../src/oauth2.ts';
import { FakeX, X_CLIENT_ID, X_CLIENT_SECRET } from './fake-x.ts';

const SCRIPT = fileURLToPath(new URL('../src/authorize.ts', import.meta.url));
const REDIRECT = 'https://wallet.example/x/callback';
const fake = new FakeX();
const user = { id: '1585047615100157952', name: 'Wallet Care', username: 'walletcare' };

async function authorize(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, TWITTER_CLIENT_ID: X_CLIENT_ID, TWITTER_CLIENT_SECRET: X_CLIENT_SECRET, TWITTER_API_BASE: fake.root };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx/esm', SCRIPT, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function newLink(): Promise<{ url: string; verifier: string; state: string }> {
  const { code, stdout } = await authorize(REDIRECT);
  expect(code).toBe(0);
  const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(stdout)?.[1] ?? '';
  return { url: field('open'), verifier: field('code verifier'), state: field('state') };
}

beforeAll(async () => {
  await fake.start();
  fake.addAccount(user, {});
});
afterAll(() => fake.stop());

describe('pnpm authorize (OAuth 2.0 with PKCE)', () => {
  it('prints a link asking for offline access with an S256 challenge, and exchanges the code for a refresh token the connector can use', async () => {
    const link = await newLink();
    const query = new URL(link.url).searchParams;
    expect(query.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['dm.read', 'dm.write', 'tweet.write', 'offline.access']));
    expect(query.get('code_challenge_method')?.toLowerCase()).toBe('s256');
    expect(query.get('redirect_uri')).toBe(REDIRECT);

    const consent = fake.consent(link.url, user.id);
    expect(consent.state).toBe(link.state);
    const exchanged = await authorize(REDIRECT, consent.code, link.verifier);
    expect(exchanged.stderr).toBe('');
    const refreshToken = /^TWITTER_REFRESH_TOKEN=(\S+)$/m.exec(exchanged.stdout)?.[1];
    expect(fake.refreshTokens.get(refreshToken ?? '')).toBe(user.id);

    // What the connector does with it: one refresh, which spends it and rotates it.
    const app = { clientId: X_CLIENT_ID, clientSecret: X_CLIENT_SECRET, apiBase: fake.root, timeoutMs: 5000 };
    const rotated = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken! });
    expect(rotated.access_token).toMatch(/^access-/);
    expect(fake.refreshTokens.has(refreshToken!)).toBe(false);
    expect(fake.refreshTokens.get(rotated.refresh_token!)).toBe(user.id);
  });

  it('refuses a code with the wrong verifier, and the same code a second time, with a clear message and no token', async () => {
    const link = await newLink();
    const other = await newLink();
    const { code } = fake.consent(link.url, user.id);
    const wrong = await authorize(REDIRECT, code, other.verifier);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).not.toContain('TWITTER_REFRESH_TOKEN');
    expect(wrong.stderr).toMatch(/^X refused the code \(.*\): open a new link/);
    expect(wrong.stderr).not.toContain(X_CLIENT_SECRET);

    const again = await authorize(REDIRECT, code, link.verifier);
    expect(again.code).toBe(1);
    expect(again.stdout).not.toContain('TWITTER_REFRESH_TOKEN');
  });
});
