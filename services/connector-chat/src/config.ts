import { z } from 'zod';
import { env, loadConfig, registerSecret } from '@switchboard/runtime';

export const chatEnvSchema = z.object({
  SLACK_SIGNING_SECRET: env.optionalString().describe('Slack app signing secret; with SLACK_BOT_TOKEN it turns the Slack channel on. Requests whose v0 signature does not match get 401.'),
  SLACK_BOT_TOKEN: env.optionalString().describe('Bot token (xoxb-…) used for chat.postMessage. No auth.test call is made at start-up.'),
  SLACK_BOT_USER_ID: env.optionalString().describe("The bot's own user id (U…): messages from it are ignored, as is every message carrying a bot_id."),
  SLACK_BOT_ID: env.optionalString().describe("The bot's bot id (B…), for Bolt's ignore-self filter. Optional."),
  SLACK_APP_TOKEN: env.optionalString().describe('App-level token (xapp-…): when set, events come over Socket Mode instead of the /slack/events endpoint.'),
  SLACK_API_URL: z.string().url().default('https://slack.com/api/').describe('Slack Web API base URL (a local fake in tests).'),
  WEBCHAT_ENABLED: env.bool(true).describe('Serve the web chat page (/chat), widget (/chat/widget.js) and WebSocket (/chat/ws).'),
  WEBCHAT_MAX_MESSAGE_CHARS: env.int(2_000, 1, 20_000).describe('Longest customer message accepted; longer ones get an error frame.'),
  WEBCHAT_RATE_LIMIT: env.int(5, 1).describe('Messages a session may send per WEBCHAT_RATE_WINDOW_MS.'),
  WEBCHAT_RATE_WINDOW_MS: env.int(10_000, 100).describe('Window of the per-session message rate limit, in ms.'),
  WEBCHAT_MAX_CONNECTIONS_PER_IP: env.int(20, 1).describe('Open WebSocket connections one client address may hold; more are refused with 429.'),
  WEBCHAT_MAX_SESSIONS: env.int(5_000, 1).describe('Sessions whose history is kept in memory (least recently active dropped first).'),
  WEBCHAT_HISTORY_PER_SESSION: env.int(200, 1).describe('Messages kept per session and replayed on reconnect.'),
  WEBCHAT_ALLOWED_ORIGINS: env.list().describe('Extra origins allowed to open /chat/ws (comma-separated). The chat page itself is always allowed (same origin).'),
  WEBCHAT_FRAME_ANCESTORS: z.string().default('*').describe("CSP frame-ancestors of /chat: the sites allowed to embed the widget's iframe (e.g. https://wallet.example)."),
});
export type ChatEnv = z.infer<typeof chatEnvSchema>;

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
}

export const WEBCHAT_DEFAULTS: WebchatConfig = webchatFrom(chatEnvSchema.parse({}))!;

function loadChatEnv(environment: NodeJS.ProcessEnv): ChatEnv {
  const cfg = loadConfig('connector-chat', chatEnvSchema, environment);
  registerSecret(cfg.SLACK_SIGNING_SECRET);
  registerSecret(cfg.SLACK_BOT_TOKEN);
  registerSecret(cfg.SLACK_APP_TOKEN);
  return cfg;
}

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
  };
}
