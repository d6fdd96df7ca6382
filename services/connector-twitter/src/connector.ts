import type { Connector, ConnectorContext, ConnectorHealth, HttpRoute, SendResult } from '@switchboard/connector-sdk';
import type { OutboundMessage } from '@switchboard/schema';
import { sleep } from '@switchboard/runtime';
import { RecentIds, TwitterAccount } from './account.ts';
import type { TwitterConfig } from './config.ts';
import { deliveryOf, OutboundRefusedError } from './outbound.ts';
import { runPoller, streamsFor, type PollerState } from './poller.ts';
import { deliver } from './send.ts';
import { ThreadIndex } from './threads.ts';
import { UsageMeter, type UsageSnapshot } from './usage.ts';
import { APP_ACCOUNT, WEBHOOK_STREAM, WebhookAdmin, type WebhookUpkeep } from './webhook-admin.ts';
import { webhookRoutes } from './webhook.ts';
import { accountHealth } from './health.ts';

const USAGE_STREAM = 'usage';
/** How often the connector records that it is up (the webhook replay after downtime starts there) and saves the day's usage. */
const HEARTBEAT_MS = 5 * 60_000;

/**
 * X (Twitter) mentions and direct messages for one or more of our handles: polled (v2 by default,
 * v1.1 behind TWITTER_API) with checkpoints and pushed by the Account Activity webhook, both through
 * one normalization, so a post or DM seen both ways is one message. Sends DMs and public replies.
 * Counts what X bills and pauses polling when the daily budget is spent.
 */
export class TwitterConnector implements Connector {
  readonly name = 'twitter';
  readonly channels = ['twitter'] as const;
  readonly routes: HttpRoute[];
  private readonly accounts: TwitterAccount[];
  private readonly threads = new ThreadIndex();
  private readonly meter: UsageMeter;
  private context: ConnectorContext | undefined;
  private abort: AbortController | undefined;
  private tasks: Promise<void>[] = [];
  private readonly states = new Map<string, PollerState>();
  private upkeep: WebhookUpkeep | undefined;
  private errors = 0;

  constructor(private readonly config: TwitterConfig) {
    const recent = new RecentIds();
    this.meter = new UsageMeter(this.name, config.prices, config.dailyBudgetUsd);
    this.accounts = config.accounts.map((account) => new TwitterAccount(account, config, this.threads, recent, this.meter));
    this.routes = config.consumerSecret ? webhookRoutes({ consumerSecret: config.consumerSecret, accounts: this.accounts, delivered: new RecentIds(), context: () => this.context }) : [];
  }

  async start(hostContext: ConnectorContext): Promise<void> {
    this.abort = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, hostContext.signal]);
    const context = serialized(hostContext);
    this.context = context;
    this.meter.restore(context.checkpoint(APP_ACCOUNT, USAGE_STREAM) as Partial<UsageSnapshot> | undefined);
    for (const account of this.accounts) account.oauth2?.attach(context);
    const streams = this.config.pollIntervalMs === 0 ? streamsFor(this.config.api).slice(0, 1) : streamsFor(this.config.api);
    this.tasks = this.accounts.flatMap((account) =>
      streams.map((stream) => {
        const key = `${this.accounts.indexOf(account)}/${stream.name}`;
        this.states.set(key, { phase: 'starting' });
        return runPoller(account, stream, context, {
          intervalMs: this.config.pollIntervalMs,
          backoff: this.config.backoff,
          signal,
          onState: (state) => {
            if (state.phase === 'backing off') this.errors++;
            this.states.set(key, state);
          },
        });
      }),
    );
    this.tasks.push(this.heartbeat(context, signal));
  }

  /** Webhook upkeep after downtime, then a regular note that we are up, with the day's usage. */
  private async heartbeat(context: ConnectorContext, signal: AbortSignal): Promise<void> {
    const alive = context.checkpoint(APP_ACCOUNT, WEBHOOK_STREAM)?.aliveAt;
    if (this.config.webhook && this.config.consumerSecret) {
      const admin = new WebhookAdmin(this.config.webhook, { apiBase: this.config.apiBase, timeoutMs: this.config.timeoutMs });
      this.upkeep = await admin.recover(context, typeof alive === 'string' ? new Date(alive) : undefined);
    }
    try {
      while (!signal.aborted) {
        await this.record(context);
        await sleep(HEARTBEAT_MS, signal);
      }
    } catch {
      // Stopping: stop() records once more.
    }
  }

  private async record(context: ConnectorContext): Promise<void> {
    try {
      await context.saveCheckpoint({ account: APP_ACCOUNT, stream: WEBHOOK_STREAM, position: { aliveAt: new Date().toISOString() } });
      await context.saveCheckpoint({ account: APP_ACCOUNT, stream: USAGE_STREAM, position: { ...this.meter.snapshot() } });
    } catch (error) {
      context.logger.warn('twitter heartbeat not saved', { error });
    }
  }

  async stop(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    this.abort?.abort();
    await Promise.all(this.tasks);
    this.tasks = [];
    if (context) await this.record(context);
  }

  health(): ConnectorHealth {
    const accounts = this.accounts.map((account, index) => ({
      account: account.label,
      ...accountHealth(account, streamsFor(this.config.api).map((s) => this.states.get(`${index}/${s.name}`)).filter((s): s is PollerState => s !== undefined)),
    }));
    const notReady = accounts.filter((a) => !a.ready);
    const lastMessageAt = this.accounts.map((a) => a.lastMessageAt).filter((t): t is string => t !== undefined).sort().pop();
    const usage = this.meter.summary();
    const spend = `today $${usage.costUsd.toFixed(3)}${usage.budgetUsd !== undefined ? ` of $${usage.budgetUsd.toFixed(2)}` : ''}`;
    return {
      ready: this.context !== undefined && notReady.length === 0,
      // When something is wrong, only what is wrong; the day's spend always.
      status: this.context ? `${(notReady.length > 0 ? notReady : accounts).map((a) => `${a.account}: ${a.status}`).join('; ')} · ${spend}` : 'stopped',
      errors: this.errors,
      ...(lastMessageAt ? { lastMessageAt } : {}),
      details: { api: this.config.api, accounts, usage, ...(this.upkeep ? { webhook: this.upkeep } : {}) },
    };
  }

  /** A DM to the customer, or a public reply to their post when `message.public`. */
  async send(message: OutboundMessage): Promise<SendResult> {
    const account = this.accounts.find((a) => a.own?.handle === message.account.replace(/^@/, '').toLowerCase());
    if (!account) throw new OutboundRefusedError(`no running X account "${message.account}"`);
    const delivery = deliveryOf(message);
    const externalId = await deliver(account, delivery, this.abort?.signal);
    if (delivery.kind === 'public') this.threads.rememberReply(externalId, delivery.inReplyTo);
    return { externalId };
  }
}

/**
 * One write at a time to Kafka for this connector: each account polls mentions and DMs side by side
 * and also writes its own records (rotated tokens, the heartbeat, the day's usage), yet a checkpoint
 * must never land while another batch of messages is still unacknowledged. Serializing the batches
 * and the checkpoint writes keeps that order; each is one produce, so the cost is small.
 */
function serialized(context: ConnectorContext): ConnectorContext {
  let tail: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
  return {
    ...context,
    emit: (messages, checkpoint) => inTurn(() => context.emit(messages, checkpoint)),
    saveCheckpoint: (update) => inTurn(() => context.saveCheckpoint(update)),
  };
}

export function createTwitterConnector(config: TwitterConfig): TwitterConnector {
  return new TwitterConnector(config);
}
