import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';
import type { Connector, ConnectorContext, ConnectorHealth, HttpRoute, SendResult } from '@switchboard/connector-sdk';
import type { OutboundMessage } from '@switchboard/schema';
import { createLogger } from '@switchboard/runtime';
import type { SlackConfig } from '../config.ts';
import { boltLogger } from './bolt-logger.ts';
import { RecentEvents } from './dedupe.ts';
import { AckAfterProcessingReceiver } from './socket-mode.ts';
import { escapeSlackText, normalizeSlackEvent, parseSlackConversationKey, SlackPayloadError } from './normalize.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Slack through Bolt: Events API on the gateway's /slack/events (Bolt's HTTPReceiver verifies the
 * v0 signature and the timestamp, and answers url_verification), or Socket Mode when an app token is
 * configured. Either way Slack hears back only once the envelope is in Kafka (HTTP: processBeforeResponse,
 * Socket Mode: `AckAfterProcessingReceiver`), so an event we failed to produce is retried by Slack.
 */
export class SlackConnector implements Connector {
  readonly name: string;
  readonly channels = ['slack'] as const;
  readonly routes: readonly HttpRoute[];

  private readonly app: App;
  private readonly receiver?: HTTPReceiver;
  private readonly recent = new RecentEvents();
  private context?: ConnectorContext;
  private running = false;
  private errors = 0;
  private lastMessageAt?: string;
  private lastError?: string;

  /** `name` names checkpoints and the outbound consumer group: a second Slack app needs its own. */
  constructor(
    private readonly config: SlackConfig,
    options: { name?: string } = {},
  ) {
    this.name = options.name ?? 'slack';
    const logger = boltLogger(createLogger('connector.slack.bolt'));
    const shared = {
      logger,
      // No auth.test at start-up or on the first event: who we are comes from the config.
      authorize: async () => ({ botToken: config.botToken, botUserId: config.botUserId, botId: config.botId }),
      // Retries are the host's (withRetry around send), not a second loop inside the client.
      clientOptions: { slackApiUrl: config.apiUrl, retryConfig: { retries: 0 }, logger },
    };
    if (config.appToken) {
      // The Socket Mode client keeps its own retries for apps.connections.open, which it also calls to reconnect.
      const receiver = new AckAfterProcessingReceiver({ appToken: config.appToken, clientOptions: { slackApiUrl: config.apiUrl } }, logger);
      this.app = new App({ ...shared, receiver });
      this.routes = [];
    } else {
      this.receiver = new HTTPReceiver({ signingSecret: config.signingSecret, endpoints: SLACK_EVENTS_PATH, processBeforeResponse: true, bodyLimit: 1024 * 1024, logger });
      this.app = new App({ ...shared, receiver: this.receiver });
      this.routes = [{ method: 'POST', path: SLACK_EVENTS_PATH, node: (req, res) => this.onRequest(req, res) }];
    }
    this.app.event('message', async ({ body }) => this.onMessageEvent(body));
    this.app.error(async (error) => {
      this.errors++;
      this.lastError = error.message;
      // Rethrown so the receiver answers 500 and Slack retries.
      throw error;
    });
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    if (this.config.appToken) await this.app.start();
    this.running = true;
    context.logger.info('slack started', { mode: this.config.appToken ? 'socket' : 'events-api', path: this.config.appToken ? undefined : SLACK_EVENTS_PATH });
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.config.appToken) await this.app.stop();
    // Events being produced finish, so Slack gets its answer and nothing half-done is left behind.
    await this.recent.settled();
  }

  health(): ConnectorHealth {
    return {
      ready: this.running,
      status: this.running ? (this.config.appToken ? 'socket mode' : 'listening for events') : 'stopped',
      errors: this.errors,
      ...(this.lastMessageAt ? { lastMessageAt: this.lastMessageAt } : {}),
      ...(this.lastError ? { details: { lastError: this.lastError } } : {}),
    };
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const { channel, threadTs } = parseSlackConversationKey(message.conversationKey);
    const result = await this.app.client.chat.postMessage({ token: this.config.botToken, channel, thread_ts: threadTs, text: escapeSlackText(message.text) });
    if (!result.ts) throw new Error(`chat.postMessage returned no ts (${result.error ?? 'no error given'})`);
    return { externalId: result.ts };
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (!this.running) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'slack connector not started' }));
      return;
    }
    this.receiver!.requestListener(req, res);
  }

  private async onMessageEvent(body: unknown): Promise<void> {
    const context = this.context;
    if (!context) throw new Error('slack connector not started');
    const eventId = (body as { event_id?: unknown }).event_id;
    const handle = async () => {
      let decision;
      try {
        decision = normalizeSlackEvent(body, { botUserId: this.config.botUserId, botId: this.config.botId });
      } catch (error) {
        if (!(error instanceof SlackPayloadError)) throw error;
        // Retrying would not fix it: keep the bytes and acknowledge.
        await context.deadLetter({ reason: error.message, raw: JSON.stringify(body), sourceId: `event/${String(eventId)}`, error });
        return;
      }
      if (decision.kind === 'ignored') {
        context.logger.debug('slack event ignored', { eventId, reason: decision.reason });
        return;
      }
      await context.emit([decision.envelope]);
      this.lastMessageAt = new Date().toISOString();
    };
    if (typeof eventId !== 'string') return handle();
    const outcome = await this.recent.once(eventId, handle);
    if (outcome === 'duplicate') context.logger.info('duplicate slack event dropped', { eventId });
  }
}

export function createSlackConnector(config: SlackConfig, options?: { name?: string }): SlackConnector {
  return new SlackConnector(config, options);
}
