import { z } from 'zod';
import { ConfigError, configSpec, field, secretString } from '@switchboard/runtime';

export const DEFAULT_API_BASE = 'https://api.twitter.com/1.1/';

const AccountEntry = z.object({
  handle: z.string().min(1).optional(),
  userId: z.string().regex(/^\d+$/, 'a numeric user id').optional(),
  accessToken: secretString(),
  accessTokenSecret: secretString(),
});

export const twitterConfig = configSpec('connector-twitter', {
  TWITTER_CONSUMER_KEY: field.token().secret().describe('API key of the Twitter app; with the consumer secret and an account the channel starts.').example('xvz1evFS4wEEPTGEFPHBog'),
  TWITTER_CONSUMER_SECRET: field
    .token()
    .secret()
    .describe('API secret of the app: signs API calls (OAuth 1.0a), answers the webhook CRC and verifies `x-twitter-webhooks-signature`.')
    .example('kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw'),
  TWITTER_ACCESS_TOKEN: field.token().secret().describe('Access token of the one account when TWITTER_ACCOUNTS is not used.').example('370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'),
  TWITTER_ACCESS_TOKEN_SECRET: field.token().secret().describe('Access token secret of that account.').example('LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE'),
  TWITTER_HANDLE: field.optional().describe("That account's @handle (without @). Optional: read with account/verify_credentials when missing."),
  TWITTER_USER_ID: field.optional().describe("That account's numeric user id. Optional, as TWITTER_HANDLE."),
  TWITTER_ACCOUNTS: field
    .json(z.array(AccountEntry).min(1))
    .secret()
    .describe('Several accounts as JSON: `[{"handle":"acme_help","userId":"123","accessToken":"…","accessTokenSecret":"…"}]` (handle and userId optional). Used instead of the single-account variables.'),
  TWITTER_API_BASE: field.url(DEFAULT_API_BASE).describe('Base URL of the v1.1 REST API; tests point it at a local server.').advanced(),
  TWITTER_POLL_INTERVAL_MS: field.int(60_000, 0).describe('Pause between polls of mentions and DMs per account; 0 turns polling off (webhook only).'),
  TWITTER_BACKOFF_MAX_MS: field.int(300_000, 1).describe('Longest pause between retries after 5xx, 429 without a reset, or network errors.').advanced(),
  TWITTER_TIMEOUT_MS: field.int(30_000, 100).describe('Timeout of one API request.').advanced(),
});
export type TwitterEnv = ReturnType<typeof twitterConfig.load>;

export interface TwitterAccountConfig {
  /** Lower case, without @; learned from verify_credentials when not configured. */
  handle?: string;
  userId?: string;
  accessToken: string;
  accessTokenSecret: string;
}

export interface TwitterConfig {
  consumerKey: string;
  consumerSecret: string;
  accounts: TwitterAccountConfig[];
  apiBase: string;
  pollIntervalMs: number;
  backoff: { initialMs: number; maxMs: number };
  timeoutMs: number;
}

/** The connector's config, or undefined when the channel is not configured (no app keys, no account). */
export function twitterConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): TwitterConfig | undefined {
  const cfg = twitterConfig.load(environment);
  const accounts = accountsFrom(cfg);
  if (!cfg.TWITTER_CONSUMER_KEY || !cfg.TWITTER_CONSUMER_SECRET || accounts.length === 0) return undefined;
  return {
    consumerKey: cfg.TWITTER_CONSUMER_KEY,
    consumerSecret: cfg.TWITTER_CONSUMER_SECRET,
    accounts,
    apiBase: cfg.TWITTER_API_BASE.endsWith('/') ? cfg.TWITTER_API_BASE : `${cfg.TWITTER_API_BASE}/`,
    pollIntervalMs: cfg.TWITTER_POLL_INTERVAL_MS,
    backoff: { initialMs: Math.min(1_000, cfg.TWITTER_BACKOFF_MAX_MS), maxMs: cfg.TWITTER_BACKOFF_MAX_MS },
    timeoutMs: cfg.TWITTER_TIMEOUT_MS,
  };
}

function accountsFrom(cfg: TwitterEnv): TwitterAccountConfig[] {
  if (cfg.TWITTER_ACCOUNTS) {
    const tokens = cfg.TWITTER_ACCOUNTS.map((entry) => entry.accessToken);
    const repeated = tokens.findIndex((token, index) => tokens.indexOf(token) !== index);
    if (repeated >= 0) throw new ConfigError('connector-twitter', [`TWITTER_ACCOUNTS[${repeated}]: the same account (access token) is listed twice`]);
    return cfg.TWITTER_ACCOUNTS.map((entry) => withCleanHandle(entry));
  }
  if (!cfg.TWITTER_ACCESS_TOKEN || !cfg.TWITTER_ACCESS_TOKEN_SECRET) return [];
  return [
    withCleanHandle({
      handle: cfg.TWITTER_HANDLE,
      userId: cfg.TWITTER_USER_ID,
      accessToken: cfg.TWITTER_ACCESS_TOKEN,
      accessTokenSecret: cfg.TWITTER_ACCESS_TOKEN_SECRET,
    }),
  ];
}

function withCleanHandle(entry: TwitterAccountConfig): TwitterAccountConfig {
  const handle = entry.handle?.replace(/^@/, '').toLowerCase();
  return { ...entry, handle: handle || undefined };
}
