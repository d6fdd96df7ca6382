/**
 * OAuth 2.0 user context (Authorization Code with PKCE) for one account: access tokens live two hours
 * and X rotates the refresh token on every refresh, so the old one stops working the moment the new
 * one is issued. The new pair is therefore written to the checkpoint topic (acks=all) before it is
 * used, and kept in memory until that write succeeds: a process that loses it is locked out until
 * someone authorizes the account again.
 *
 * Why the checkpoint topic and not a file in the data folder: the topic is the one place the
 * connector's state lives (its positions are there too), it is replicated, and it survives a host
 * or a container whose disk is new; a second instance started after a failover reads the newest
 * token. A local file, even written atomically with fsync, is lost with its disk, and the token in
 * the environment has been rotated away by then. Tokens in the topic are sealed (AES-256-GCM) under a
 * key derived from the client secret when there is one (confidential clients), so reading the topic
 * does not give the account away.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { ConnectorContext } from '@switchboard/connector-sdk';
import { registerSecret, sha256Hex, PermanentError } from '@switchboard/runtime';
import { TwitterApi } from 'twitter-api-v2';
import { XApiError, XClient, type Signer } from './x-client.ts';

export const TOKENS_STREAM = 'oauth2';
/** Refresh this long before X says the access token expires. */
const EARLY_MS = 60_000;

export interface OAuth2App {
  clientId: string;
  clientSecret?: string;
  apiBase: string;
  timeoutMs: number;
}

interface TokenSet {
  accessToken?: string;
  refreshToken: string;
  /** ms since epoch; 0 when unknown (a fresh refresh token from the environment). */
  expiresAt: number;
}

/** A refresh token X refused: only a new authorization helps. */
export class AuthorizationLostError extends PermanentError {
  override readonly name = 'AuthorizationLostError';
}

/** The token endpoint's answer (`POST /2/oauth2/token`). */
interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
}

/** Calls `POST /2/oauth2/token` (form-encoded, Basic auth for a confidential client) through twitter-api-v2. */
export async function tokenRequest(app: OAuth2App, form: Record<string, string>, signal?: AbortSignal): Promise<TokenResponse> {
  const basic = new XClient({ apiBase: app.apiBase, timeoutMs: app.timeoutMs, signer: { tokens: async () => ({ clientId: app.clientId, ...(app.clientSecret ? { clientSecret: app.clientSecret } : {}) }) as never } });
  const { data } = await basic.request<TokenResponse>({ version: '2', method: 'POST', path: 'oauth2/token', body: { ...form, client_id: app.clientId }, bodyMode: 'url', signal });
  return data;
}

/**
 * The access token of one OAuth 2.0 account, refreshed before it expires or after a 401, one
 * refresh at a time (two concurrent refreshes would spend the same single-use refresh token).
 */
export class OAuth2Tokens implements Signer {
  private current: TokenSet;
  private unsaved = false;
  private refreshing: Promise<void> | undefined;
  private context: ConnectorContext | undefined;
  /** The checkpoint key: the refresh token the chain started from, so a newly authorized one starts a new chain. */
  readonly key: string;

  constructor(
    private readonly app: OAuth2App,
    seedRefreshToken: string,
  ) {
    this.key = `oauth2-${sha256Hex(seedRefreshToken).slice(0, 16)}`;
    this.current = { refreshToken: seedRefreshToken, expiresAt: 0 };
  }

  /** Takes the newest tokens saved for this chain, if any. */
  attach(context: ConnectorContext): void {
    this.context = context;
    const saved = open(context.checkpoint(this.key, TOKENS_STREAM), this.app.clientSecret);
    if (saved) {
      for (const token of [saved.accessToken, saved.refreshToken]) if (token) registerSecret(token);
      this.current = saved;
    }
  }

  get lost(): boolean {
    return this.failure !== undefined;
  }
  private failure: AuthorizationLostError | undefined;

  async tokens(signal?: AbortSignal): Promise<string> {
    if (this.failure) throw this.failure;
    if (this.unsaved) await this.save();
    if (!this.current.accessToken || Date.now() >= this.current.expiresAt - EARLY_MS) await this.refresh(signal);
    return this.current.accessToken!;
  }

  async renew(signal?: AbortSignal): Promise<boolean> {
    const before = this.current.accessToken;
    await this.refresh(signal);
    return this.current.accessToken !== before;
  }

  private refresh(signal?: AbortSignal): Promise<void> {
    this.refreshing ??= this.rotate(signal).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async rotate(signal?: AbortSignal): Promise<void> {
    let answer: TokenResponse;
    try {
      answer = await tokenRequest(this.app, { grant_type: 'refresh_token', refresh_token: this.current.refreshToken }, signal);
    } catch (error) {
      if (error instanceof XApiError && (error.status === 400 || error.status === 401)) {
        this.failure = new AuthorizationLostError(`X refused the refresh token (${error.reason}): authorize the account again`);
        throw this.failure;
      }
      throw error;
    }
    if (!answer.access_token) throw new Error('the token endpoint returned no access_token');
    for (const token of [answer.access_token, answer.refresh_token]) if (token) registerSecret(token);
    // From here the old refresh token is spent: the new one lives in memory until it is stored.
    this.current = { accessToken: answer.access_token, refreshToken: answer.refresh_token ?? this.current.refreshToken, expiresAt: Date.now() + (answer.expires_in ?? 7200) * 1000 };
    this.unsaved = true;
    await this.save();
  }

  private async save(): Promise<void> {
    if (!this.context) throw new Error('OAuth 2.0 tokens used before the connector started');
    await this.context.saveCheckpoint({ account: this.key, stream: TOKENS_STREAM, position: seal(this.current, this.app.clientSecret) });
    this.unsaved = false;
  }
}

/** The authorization step of PKCE: the URL to open, and what to keep for the exchange. */
export function authorizationLink(clientId: string, redirectUri: string): { url: string; codeVerifier: string; state: string } {
  return new TwitterApi({ clientId }).generateOAuth2AuthLink(redirectUri, { scope: ['tweet.read', 'tweet.write', 'users.read', 'dm.read', 'dm.write', 'offline.access'] });
}

/** Exchanges the code X redirected with for the first token pair. */
export async function exchangeCode(app: OAuth2App, code: string, codeVerifier: string, redirectUri: string): Promise<{ accessToken: string; refreshToken?: string }> {
  const answer = await tokenRequest(app, { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri });
  if (!answer.access_token) throw new Error('the token endpoint returned no access_token');
  return { accessToken: answer.access_token, ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}) };
}

function keyOf(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'switchboard', 'x-oauth2-tokens', 32));
}

function seal(tokens: TokenSet, secret: string | undefined): Record<string, unknown> {
  const plain = JSON.stringify(tokens);
  if (!secret) return { plain: tokens };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { sealed: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64'), savedAt: new Date().toISOString() };
}

function open(position: Record<string, unknown> | undefined, secret: string | undefined): TokenSet | undefined {
  if (!position) return undefined;
  try {
    if (typeof position.sealed === 'string' && secret) {
      const bytes = Buffer.from(position.sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as TokenSet;
    }
    const plain = position.plain as TokenSet | undefined;
    return typeof plain?.refreshToken === 'string' ? plain : undefined;
  } catch {
    // Sealed under another client secret: the environment's token starts the chain again.
    return undefined;
  }
}
