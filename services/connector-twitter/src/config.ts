import { z } from 'zod';
import { ConfigError, env, loadConfig, registerSecret, RETRY_BUDGETS } from '@switchboard/runtime';

const POLL_RETRY = RETRY_BUDGETS['twitter.poll'];

export const DEFAULT_API_BASE = 'https://api.twitter.com/1.1/';

export const twitterEnvSchema = z.object({
  TWITTER_CONSUMER_KEY: env.optionalString().describe('API key of the Twitter app; with the consumer secret and an account the channel starts.'),
  TWITTER_CONSUMER_SECRET: env
    .optionalString()
    .describe('API secret of the app: signs API calls (OAuth 1.0a), answers the webhook CRC and verifies `x-twitter-webhooks-signature`.'),
  TWITTER_ACCESS_TOKEN: env.optionalString().describe('Access token of the one account when TWITTER_ACCOUNTS is not used.'),
  TWITTER_ACCESS_TOKEN_SECRET: env.optionalString().describe('Access token secret of that account.'),
  TWITTER_HANDLE: env
    .optionalString()
    .describe("That account's @handle (without @). Optional: read with account/verify_credentials when missing."),
  TWITTER_USER_ID: env.optionalString().describe("That account's numeric user id. Optional, as TWITTER_HANDLE."),
  TWITTER_ACCOUNTS: env
    .optionalString()
    .describe(
      'Several accounts as JSON: `[{"handle":"acme_help","userId":"123","accessToken":"…","accessTokenSecret":"…"}]` (handle and userId optional). Used instead of the single-account variables.',
    ),
  TWITTER_API_BASE: z
    .string()
    .url()
    .default(DEFAULT_API_BASE)
    .describe('Base URL of the v1.1 REST API; tests point it at a local server.'),
  TWITTER_POLL_INTERVAL_MS: env
    .int(60_000, 0)
    .describe('Pause between polls of mentions and DMs per account; 0 turns polling off (webhook only).'),
  TWITTER_BACKOFF_MAX_MS: env.int(POLL_RETRY.maxMs, 1).describe('Longest pause between retries after 5xx, 429 without a reset, or network errors.'),
  TWITTER_TIMEOUT_MS: env.int(30_000, 100).describe('Timeout of one API request.'),
});
export type TwitterEnv = z.infer<typeof twitterEnvSchema>;

const AccountEntry = z.object({
  handle: z.string().min(1).optional(),
  userId: z.string().regex(/^\d+$/, 'a numeric user id').optional(),
  accessToken: z.string().min(1),
  accessTokenSecret: z.string().min(1),
});

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
  const cfg = loadConfig('connector-twitter', twitterEnvSchema, environment);
  const accounts = accountsFrom(cfg);
  if (!cfg.TWITTER_CONSUMER_KEY || !cfg.TWITTER_CONSUMER_SECRET || accounts.length === 0) return undefined;
  registerSecret(cfg.TWITTER_CONSUMER_KEY);
  registerSecret(cfg.TWITTER_CONSUMER_SECRET);
  for (const account of accounts) {
    registerSecret(account.accessToken);
    registerSecret(account.accessTokenSecret);
  }
  return {
    consumerKey: cfg.TWITTER_CONSUMER_KEY,
    consumerSecret: cfg.TWITTER_CONSUMER_SECRET,
    accounts,
    apiBase: cfg.TWITTER_API_BASE.endsWith('/') ? cfg.TWITTER_API_BASE : `${cfg.TWITTER_API_BASE}/`,
    pollIntervalMs: cfg.TWITTER_POLL_INTERVAL_MS,
    backoff: { initialMs: Math.min(POLL_RETRY.initialMs, cfg.TWITTER_BACKOFF_MAX_MS), maxMs: cfg.TWITTER_BACKOFF_MAX_MS },
    timeoutMs: cfg.TWITTER_TIMEOUT_MS,
  };
}

function accountsFrom(cfg: TwitterEnv): TwitterAccountConfig[] {
  if (cfg.TWITTER_ACCOUNTS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(cfg.TWITTER_ACCOUNTS);
    } catch (error) {
      throw new ConfigError('connector-twitter', [`TWITTER_ACCOUNTS: not valid JSON (${(error as Error).message})`]);
    }
    const result = z.array(AccountEntry).min(1).safeParse(parsed);
    if (!result.success) {
      throw new ConfigError(
        'connector-twitter',
        result.error.issues.map((issue) => `TWITTER_ACCOUNTS${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`),
      );
    }
    const tokens = result.data.map((entry) => entry.accessToken);
    const repeated = tokens.findIndex((token, index) => tokens.indexOf(token) !== index);
    if (repeated >= 0) throw new ConfigError('connector-twitter', [`TWITTER_ACCOUNTS[${repeated}]: the same account (access token) is listed twice`]);
    return result.data.map((entry) => withCleanHandle(entry));
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
