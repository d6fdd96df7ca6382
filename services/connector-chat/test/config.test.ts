import { describe, expect, it } from 'vitest';
import { ConfigError, maskSecrets } from '@switchboard/runtime';
import { chatConnectorsFromEnv, slackConfigFromEnv, webchatConfigFromEnv } from '../src/index.ts';
import { createSlackConnector } from '../src/slack/connector.ts';

describe('chat config', () => {
  it('starts Slack only with a signing secret and a bot token, and masks them in logs', () => {
    expect(slackConfigFromEnv({ SLACK_SIGNING_SECRET: 'only-the-secret-123' })).toBeUndefined();
    const slack = slackConfigFromEnv({ SLACK_SIGNING_SECRET: 'signing-secret-abc123', SLACK_BOT_TOKEN: 'xoxb-bot-token-456', SLACK_BOT_USER_ID: 'U0BOT' });
    expect(slack).toMatchObject({ signingSecret: 'signing-secret-abc123', botToken: 'xoxb-bot-token-456', botUserId: 'U0BOT', apiUrl: 'https://slack.com/api/' });
    expect(slack!.appToken).toBeUndefined();
    expect(maskSecrets('token xoxb-bot-token-456 and signing-secret-abc123')).toBe('token *** and ***');
  });

  it('has web chat on by default, off with WEBCHAT_ENABLED=false, and rejects bad numbers readably', () => {
    expect(webchatConfigFromEnv({})).toMatchObject({ maxMessageChars: 2000, rateLimit: { messages: 5, windowMs: 10_000 } });
    expect(webchatConfigFromEnv({ WEBCHAT_ENABLED: 'false' })).toBeUndefined();
    expect(chatConnectorsFromEnv({}).map((c) => c.name)).toEqual(['webchat']);
    expect(chatConnectorsFromEnv({ SLACK_SIGNING_SECRET: 's-secret-1234', SLACK_BOT_TOKEN: 'xoxb-1234567' }).map((c) => c.name)).toEqual(['slack', 'webchat']);
    expect(() => webchatConfigFromEnv({ WEBCHAT_RATE_LIMIT: 'lots' })).toThrow(ConfigError);
    expect(() => slackConfigFromEnv({ SLACK_API_URL: 'not a url' })).toThrow(/SLACK_API_URL/);
  });

  it('selects Socket Mode when an app token is set: no HTTP route (connected in slack-socket-mode.test.ts)', () => {
    const connector = createSlackConnector({ signingSecret: 's-secret-1234', botToken: 'xoxb-1234567', appToken: 'xapp-1-test', apiUrl: 'http://127.0.0.1:9/api/' });
    expect(connector.routes).toEqual([]);
    expect(connector.health()).toMatchObject({ ready: false, status: 'stopped' });
  });
});
