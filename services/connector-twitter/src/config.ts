import { z } from 'zod';
import { ConfigError, configSpec, field, secretString } from '@switchboard/runtime';
import { DEFAULT_PRICES, RESOURCES, type Prices } from './prices.ts';

export const DEFAULT_API_BASE = 'https://api.x.com/';
export const API_VERSIONS = ['v2', 'v1.1'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

const Handle = z.string().min(1).optional();
const UserId = z.string().regex(/^\d+$/, 'a numeric user id').optional();
const OAuth1Entry = z.strictObject({ handle: Handle, userId: UserId, accessToken: secretString(), accessTokenSecret: secretString() });
const OAuth2Entry = z.strictObject({ handle: Handle, userId: UserId, refreshToken: secretString() });
const AccountEntry = z.union([OAuth1Entry, OAuth2Entry], { error: 'each account needs accessToken and accessTokenSecret (OAuth 1.0a) or refreshToken (OAuth 2.0)' });
const PriceOverrides = z.partialRecord(z.enum(RESOURCES), z.number().min(0));
const DECIMAL = /^\d+(\.\d+)?$/;

export const twitterConfig = configSpec('connector-twitter', {
  TWITTER_API: field.oneOf(API_VERSIONS, 'v2').describe('Which X API to speak: `v2` (what X serves every app today) or `v1.1` (Enterprise accounts that still have it).'),
  TWITTER_CONSUMER_KEY: field.token().secret().describe('API key of the X app (OAuth 1.0a): with the consumer secret and an access-token pair an account starts.').example('xvz1evFS4wEEPTGEFPHBog'),
  TWITTER_CONSUMER_SECRET: field
    .token()
    .secret()
    .describe('API secret of the app: signs OAuth 1.0a calls, answers the webhook CRC and verifies `x-twitter-webhooks-signature`. Without it the webhook is not mounted.')
    .example('kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw'),
  TWITTER_ACCESS_TOKEN: field.token().secret().describe('OAuth 1.0a access token of the one account when TWITTER_ACCOUNTS is not used.').example('370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'),
  TWITTER_ACCESS_TOKEN_SECRET: field.token().secret().describe('OAuth 1.0a access token secret of that account.').example('LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE'),
  TWITTER_CLIENT_ID: field.token().describe('OAuth 2.0 client id of the app, for accounts authorized with OAuth 2.0 (PKCE).').example('M1M5R3BMVy13QmpScXkzTUt5OE46MTpjaQ'),
  TWITTER_CLIENT_SECRET: field
    .token()
    .secret()
    .describe('OAuth 2.0 client secret of a confidential client (Basic auth at the token endpoint); also seals the rotated tokens kept in the checkpoint topic. Unset for a public client.')
    .example('Ktk2UWJ0T1BvUmxyQXRGTmlaY3FsMV9rRkt6cUlYWUlvN0xPbGVkSzFMV2o'),
  TWITTER_REFRESH_TOKEN: field
    .token()
    .secret()
    .describe('OAuth 2.0 refresh token (scope `offline.access`) of the one account, from `pnpm --filter @switchboard/connector-twitter authorize`. X rotates it on every refresh: the newest one is kept in the checkpoint topic, this value only starts the chain.')
    .example('bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIxNDc3NDM5MTQ6MToxOnJ0OjE'),
  TWITTER_HANDLE: field.optional().describe("That account's @handle (without @). Optional: read from the API (`users/me`) when missing."),
  TWITTER_USER_ID: field.optional().describe("That account's numeric user id. Optional, as TWITTER_HANDLE."),
  TWITTER_ACCOUNTS: field
    .json(z.array(AccountEntry).min(1))
    .secret()
    .describe(
      'Several accounts as JSON, each with OAuth 1.0a tokens or an OAuth 2.0 refresh token: `[{"handle":"acme_help","accessToken":"…","accessTokenSecret":"…"},{"userId":"123","refreshToken":"…"}]` (handle and userId optional). Used instead of the single-account variables.',
    ),
  TWITTER_POLL_INTERVAL_MS: field.int(60_000, 0).describe('Pause between polls of mentions and of DMs per account (DMs also keep to their 15 calls per 15 minutes); 0 turns polling off (webhook only).'),
  TWITTER_DAILY_BUDGET_USD: field
    .pattern(DECIMAL, 'an amount in US dollars, such as 5 or 2.50')
    .describe('Most the connector may spend on billable reads per UTC day (at TWITTER_PRICES); when reached polling pauses until midnight UTC and health says so. Unset: no cap.'),
  TWITTER_PRICES: field
    .json(PriceOverrides)
    .describe(`US dollars per billable unit, overriding X's published prices: ${RESOURCES.map((r) => `\`${r}\` ${DEFAULT_PRICES[r]}`).join(', ')} (reads per resource returned, writes per request). Example: \`{"post_read":0.001}\` for owned reads.`),
  TWITTER_BEARER_TOKEN: field.token().secret().describe('App-only bearer token: lets the connector re-validate its webhook (CRC) and ask X to replay the events it missed while down. Needs TWITTER_WEBHOOK_ID.').example('AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F'),
  TWITTER_WEBHOOK_ID: field.pattern(/^\d{1,19}$/, 'the numeric id X gave the webhook').describe('Id of the webhook registered for `/webhooks/twitter` (`GET /2/webhooks`). With TWITTER_BEARER_TOKEN: CRC re-validation and replay after downtime.').example('1146654567674912769'),
  TWITTER_API_BASE: field.url(DEFAULT_API_BASE).describe('Root URL of the X API (`2/` and `1.1/` are appended); tests point it at a local server.').advanced(),
  TWITTER_BACKOFF_MAX_MS: field.int(300_000, 1).describe('Longest pause between retries after 5xx, 429 without a reset, or network errors.').advanced(),
  TWITTER_TIMEOUT_MS: field.int(30_000, 100).describe('Timeout of one API request.').advanced(),
});
export type TwitterEnv = ReturnType<typeof twitterConfig.load>;

export type AccountAuth = { kind: 'oauth1'; accessToken: string; accessTokenSecret: string } | { kind: 'oauth2'; refreshToken: string };

export interface TwitterAccountConfig {
  /** Lower case, without @; learned from the API when not configured. */
  handle?: string;
  userId?: string;
  auth: AccountAuth;
}

export interface TwitterConfig {
  api: ApiVersion;
  consumerKey?: string;
  consumerSecret?: string;
  clientId?: string;
  clientSecret?: string;
  accounts: TwitterAccountConfig[];
  /** Root of the API, ending in `/`. */
  apiBase: string;
  pollIntervalMs: number;
  prices: Prices;
  dailyBudgetUsd?: number;
  webhook?: { id: string; bearerToken: string };
  backoff: { initialMs: number; maxMs: number };
  timeoutMs: number;
}

/** The connector's config, or undefined when the channel is not configured (no account). */
export function twitterConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): TwitterConfig | undefined {
  const cfg = twitterConfig.load(environment);
  const accounts = accountsFrom(cfg);
  if (accounts.length === 0) return undefined;
  const problems = credentialProblems(cfg, accounts);
  if (problems.length > 0) throw new ConfigError('connector-twitter', problems);
  return {
    api: cfg.TWITTER_API ?? 'v2',
    consumerKey: cfg.TWITTER_CONSUMER_KEY,
    consumerSecret: cfg.TWITTER_CONSUMER_SECRET,
    clientId: cfg.TWITTER_CLIENT_ID,
    clientSecret: cfg.TWITTER_CLIENT_SECRET,
    accounts,
    apiBase: apiRoot(cfg.TWITTER_API_BASE),
    pollIntervalMs: cfg.TWITTER_POLL_INTERVAL_MS,
    prices: { ...DEFAULT_PRICES, ...cfg.TWITTER_PRICES },
    ...(cfg.TWITTER_DAILY_BUDGET_USD ? { dailyBudgetUsd: Number(cfg.TWITTER_DAILY_BUDGET_USD) } : {}),
    ...(cfg.TWITTER_WEBHOOK_ID && cfg.TWITTER_BEARER_TOKEN ? { webhook: { id: cfg.TWITTER_WEBHOOK_ID, bearerToken: cfg.TWITTER_BEARER_TOKEN } } : {}),
    backoff: { initialMs: Math.min(1_000, cfg.TWITTER_BACKOFF_MAX_MS), maxMs: cfg.TWITTER_BACKOFF_MAX_MS },
    timeoutMs: cfg.TWITTER_TIMEOUT_MS,
  };
}

/** The API root: a base given the old way (ending in `1.1/` or `2/`) is taken back to its root. */
export function apiRoot(base: string): string {
  const withSlash = base.endsWith('/') ? base : `${base}/`;
  return withSlash.replace(/(?:1\.1|2)\/$/, '');
}

function credentialProblems(cfg: TwitterEnv, accounts: TwitterAccountConfig[]): string[] {
  const problems: string[] = [];
  const kinds = new Set(accounts.map((a) => a.auth.kind));
  if (kinds.has('oauth1') && (!cfg.TWITTER_CONSUMER_KEY || !cfg.TWITTER_CONSUMER_SECRET)) problems.push('TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET are needed for OAuth 1.0a access tokens');
  if (kinds.has('oauth2') && !cfg.TWITTER_CLIENT_ID) problems.push('TWITTER_CLIENT_ID is needed for OAuth 2.0 refresh tokens');
  if (kinds.has('oauth2') && cfg.TWITTER_API === 'v1.1') problems.push('TWITTER_API=v1.1 takes OAuth 1.0a access tokens only: v1.1 has no OAuth 2.0 user context');
  if (Boolean(cfg.TWITTER_WEBHOOK_ID) !== Boolean(cfg.TWITTER_BEARER_TOKEN)) problems.push('TWITTER_WEBHOOK_ID and TWITTER_BEARER_TOKEN go together (webhook re-validation and replay)');
  return problems;
}

function accountsFrom(cfg: TwitterEnv): TwitterAccountConfig[] {
  if (cfg.TWITTER_ACCOUNTS) {
    const accounts = cfg.TWITTER_ACCOUNTS.map((entry) => withCleanHandle({ handle: entry.handle, userId: entry.userId, auth: authOf(entry) }));
    const keys = accounts.map((a) => (a.auth.kind === 'oauth1' ? a.auth.accessToken : a.auth.refreshToken));
    const repeated = keys.findIndex((key, index) => keys.indexOf(key) !== index);
    if (repeated >= 0) throw new ConfigError('connector-twitter', [`TWITTER_ACCOUNTS[${repeated}]: the same account (token) is listed twice`]);
    return accounts;
  }
  const one = (auth: AccountAuth) => [withCleanHandle({ handle: cfg.TWITTER_HANDLE, userId: cfg.TWITTER_USER_ID, auth })];
  if (cfg.TWITTER_ACCESS_TOKEN && cfg.TWITTER_ACCESS_TOKEN_SECRET) return one({ kind: 'oauth1', accessToken: cfg.TWITTER_ACCESS_TOKEN, accessTokenSecret: cfg.TWITTER_ACCESS_TOKEN_SECRET });
  if (cfg.TWITTER_REFRESH_TOKEN) return one({ kind: 'oauth2', refreshToken: cfg.TWITTER_REFRESH_TOKEN });
  return [];
}

function authOf(entry: z.infer<typeof AccountEntry>): AccountAuth {
  return 'refreshToken' in entry ? { kind: 'oauth2', refreshToken: entry.refreshToken } : { kind: 'oauth1', accessToken: entry.accessToken, accessTokenSecret: entry.accessTokenSecret };
}

function withCleanHandle(entry: TwitterAccountConfig): TwitterAccountConfig {
  const handle = entry.handle?.replace(/^@/, '').toLowerCase();
  return { ...entry, handle: handle || undefined };
}
