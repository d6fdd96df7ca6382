import { configSpec, field } from '@switchboard/runtime';

export const chatConfig = configSpec('connector-chat', {
  SLACK_SIGNING_SECRET: field
    .token()
    .secret()
    .describe('Slack app signing secret; with SLACK_BOT_TOKEN it turns the Slack channel on. Requests whose v0 signature does not match get 401.')
    .example('8f742231b10e8888abcd99yyyzzz85a5'),
  SLACK_BOT_TOKEN: field.token().secret().describe('Bot token (xoxb-…) used for chat.postMessage. No auth.test call is made at start-up.').example('xoxb-1234-5678-abcdefghijkl'),
  SLACK_BOT_USER_ID: field.optional().describe("The bot's own user id (U…): messages from it are ignored, as is every message carrying a bot_id."),
  SLACK_BOT_ID: field.optional().describe("The bot's bot id (B…), for Bolt's ignore-self filter. Optional."),
  SLACK_APP_TOKEN: field.token().secret().describe('App-level token (xapp-…): when set, events come over Socket Mode instead of the /slack/events endpoint.').example('xapp-1-A111-222-abcdef'),
  SLACK_API_URL: field.url('https://slack.com/api/').describe('Slack Web API base URL (a local fake in tests).').advanced(),
  WEBCHAT_ENABLED: field.bool(true).describe('Serve the web chat page (/chat), widget (/chat/widget.js) and WebSocket (/chat/ws).'),
  WEBCHAT_MAX_MESSAGE_CHARS: field.int(2_000, 1, 20_000).describe('Longest customer message accepted; longer ones get an error frame.').advanced(),
  WEBCHAT_RATE_LIMIT: field.int(5, 1).describe('Messages a session may send per WEBCHAT_RATE_WINDOW_MS.').advanced(),
  WEBCHAT_RATE_WINDOW_MS: field.int(10_000, 100).describe('Window of the per-session message rate limit, in ms.').advanced(),
  WEBCHAT_MAX_CONNECTIONS_PER_IP: field.int(20, 1).describe('Open WebSocket connections one client address may hold; more are refused with 429.').advanced(),
  WEBCHAT_MAX_SESSIONS: field.int(5_000, 1).describe('Sessions whose history is kept in memory (least recently active dropped first).').advanced(),
  WEBCHAT_HISTORY_PER_SESSION: field.int(200, 1).describe('Messages kept per session and replayed on reconnect.').advanced(),
  WEBCHAT_ALLOWED_ORIGINS: field.list().describe('Extra origins allowed to open /chat/ws (comma-separated). The chat page itself is always allowed (same origin).'),
  WEBCHAT_IDENTITY_SECRET: field
    .token(32)
    .secret()
    .describe(
      "Shared with the wallet's site, which signs its signed-in customer's identity token with it (`customerRef.expiresAt.hex HMAC-SHA256`); a valid token sets the messages' `sender.customerRef`. Unset: every web chat is anonymous.",
    )
    .example('5b1f0c6e9d2a4f7b8c3e1a0d9f6b2c4e'),
  WEBCHAT_FRAME_ANCESTORS: field.text('*').describe("CSP frame-ancestors of /chat: the sites allowed to embed the widget's iframe (e.g. https://wallet.example)."),
});
export type ChatEnv = ReturnType<typeof chatConfig.load>;

export interface SlackConfig {
  signingSecret: string;
  botToken: string;
  botUserId?: string;
  botId?: string;
  /** Socket Mode when set. */
  appToken?: string;
  apiUrl: string;
}

export interface WebchatConfig {
  maxMessageChars: number;
  rateLimit: { messages: number; windowMs: number };
  maxConnectionsPerIp: number;
  maxSessions: number;
  historyPerSession: number;
  allowedOrigins: string[];
  frameAncestors: string;
  /** Verifies the identity tokens the wallet's site signs; unset: no session is verified. */
  identitySecret?: string;
}

export const WEBCHAT_DEFAULTS: WebchatConfig = webchatFrom(chatConfig.load({}))!;

const loadChatEnv = (environment: NodeJS.ProcessEnv): ChatEnv => chatConfig.load(environment);

/** Slack's config, or undefined when the channel is not configured (no signing secret or bot token). */
export function slackConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): SlackConfig | undefined {
  const cfg = loadChatEnv(environment);
  if (!cfg.SLACK_SIGNING_SECRET || !cfg.SLACK_BOT_TOKEN) return undefined;
  return {
    signingSecret: cfg.SLACK_SIGNING_SECRET,
    botToken: cfg.SLACK_BOT_TOKEN,
    botUserId: cfg.SLACK_BOT_USER_ID,
    botId: cfg.SLACK_BOT_ID,
    appToken: cfg.SLACK_APP_TOKEN,
    apiUrl: cfg.SLACK_API_URL,
  };
}

/** Web chat's config, or undefined when WEBCHAT_ENABLED=false. */
export function webchatConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): WebchatConfig | undefined {
  return webchatFrom(loadChatEnv(environment));
}

function webchatFrom(cfg: ChatEnv): WebchatConfig | undefined {
  if (!cfg.WEBCHAT_ENABLED) return undefined;
  return {
    maxMessageChars: cfg.WEBCHAT_MAX_MESSAGE_CHARS,
    rateLimit: { messages: cfg.WEBCHAT_RATE_LIMIT, windowMs: cfg.WEBCHAT_RATE_WINDOW_MS },
    maxConnectionsPerIp: cfg.WEBCHAT_MAX_CONNECTIONS_PER_IP,
    maxSessions: cfg.WEBCHAT_MAX_SESSIONS,
    historyPerSession: cfg.WEBCHAT_HISTORY_PER_SESSION,
    allowedOrigins: cfg.WEBCHAT_ALLOWED_ORIGINS,
    frameAncestors: cfg.WEBCHAT_FRAME_ANCESTORS,
    ...(cfg.WEBCHAT_IDENTITY_SECRET ? { identitySecret: cfg.WEBCHAT_IDENTITY_SECRET } : {}),
  };
}
