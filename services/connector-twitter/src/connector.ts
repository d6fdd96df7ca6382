import type { Connector, ConnectorContext, ConnectorHealth, HttpRoute, SendResult } from '@switchboard/connector-sdk';
import type { OutboundMessage } from '@switchboard/schema';
import { RecentIds, TwitterAccount } from './account.ts';
import type { TwitterConfig } from './config.ts';
import { assertDirectMessageAllowed, assertPublicReplyAllowed, OutboundRefusedError } from './outbound.ts';
import { runPoller, type PollerState } from './poller.ts';
import { ThreadIndex } from './threads.ts';
import { webhookRoutes } from './webhook.ts';

/**
 * Twitter mentions and direct messages for one or more of our handles: polled with twit (with
 * checkpoints) and pushed by the Account Activity webhook, both through one normalization, so a
 * tweet or DM seen both ways is one message. Sends DMs and public replies.
 */
export class TwitterConnector implements Connector {
  readonly name = 'twitter';
  readonly channels = ['twitter'] as const;
  readonly routes: HttpRoute[];
  private readonly accounts: TwitterAccount[];
  private readonly threads = new ThreadIndex();
  private context: ConnectorContext | undefined;
  private abort: AbortController | undefined;
  private pollers: Promise<void>[] = [];
  private readonly states = new Map<TwitterAccount, PollerState>();
  private errors = 0;

  constructor(private readonly config: TwitterConfig) {
    const recent = new RecentIds();
    this.accounts = config.accounts.map((account) => new TwitterAccount(account, config, this.threads, recent));
    this.routes = webhookRoutes({ consumerSecret: config.consumerSecret, accounts: this.accounts, context: () => this.context });
  }

  async start(context: ConnectorContext): Promise<void> {
    this.abort = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, context.signal]);
    this.context = context;
    this.pollers = this.accounts.map((account) => {
      this.states.set(account, { phase: 'starting' });
      return runPoller(account, context, {
        intervalMs: this.config.pollIntervalMs,
        backoff: this.config.backoff,
        signal,
        onState: (state) => {
          if (state.phase === 'backing off') this.errors++;
          this.states.set(account, state);
        },
      });
    });
  }

  async stop(): Promise<void> {
    this.context = undefined;
    this.abort?.abort();
    await Promise.all(this.pollers);
    this.pollers = [];
  }

  health(): ConnectorHealth {
    const accounts = this.accounts.map((account) => ({ account: account.label, ...this.accountHealth(account) }));
    const notReady = accounts.filter((a) => !a.ready);
    const lastMessageAt = this.accounts.map((a) => a.lastMessageAt).filter((t): t is string => t !== undefined).sort().pop();
    return {
      ready: this.context !== undefined && notReady.length === 0,
      // When something is wrong, only what is wrong.
      status: this.context ? (notReady.length > 0 ? notReady : accounts).map((a) => `${a.account}: ${a.status}`).join('; ') : 'stopped',
      errors: this.errors,
      ...(lastMessageAt ? { lastMessageAt } : {}),
      details: { accounts },
    };
  }

  private accountHealth(account: TwitterAccount): { ready: boolean; status: string } {
    const state = this.states.get(account) ?? { phase: 'stopped' };
    const waiting = account.api.waitingFor;
    if (waiting) return { ready: false, status: `rate limited on ${waiting.endpoint} until ${new Date(waiting.until).toISOString()}` };
    switch (state.phase) {
      case 'backing off':
        return { ready: false, status: `backing off after ${state.reason} (attempt ${state.attempt}, next at ${state.retryAt})` };
      case 'starting':
        return { ready: false, status: account.own ? 'first poll' : 'resolving account' };
      case 'stopped':
        return { ready: false, status: 'stopped' };
      default:
        return { ready: true, status: state.phase };
    }
  }

  /** A DM to the customer, or a public reply to their tweet when `message.public`. */
  async send(message: OutboundMessage): Promise<SendResult> {
    const account = this.accounts.find((a) => a.own?.handle === message.account.replace(/^@/, '').toLowerCase());
    if (!account) throw new OutboundRefusedError(`no running Twitter account "${message.account}"`);
    const signal = this.abort?.signal;
    if (message.public) {
      assertPublicReplyAllowed(message.text);
      const tweetId = message.inReplyTo?.externalId;
      if (!tweetId || !/^\d+$/.test(tweetId)) throw new OutboundRefusedError('a public reply needs inReplyTo.externalId: the id of the tweet answered');
      const { data } = await account.api.post<{ id_str?: string }>(
        'statuses/update',
        { status: message.text, in_reply_to_status_id: tweetId, auto_populate_reply_metadata: true },
        signal,
      );
      if (!data?.id_str) throw new Error('statuses/update returned no id_str');
      this.threads.rememberReply(data.id_str, tweetId);
      return { externalId: data.id_str };
    }
    assertDirectMessageAllowed(message.text);
    const recipient = message.recipient.id;
    if (!/^\d+$/.test(recipient)) throw new OutboundRefusedError(`a direct message needs the customer's numeric user id as recipient.id, got "${recipient}"`);
    const { data } = await account.api.post<{ event?: { id?: string } }>(
      'direct_messages/events/new',
      { event: { type: 'message_create', message_create: { target: { recipient_id: recipient }, message_data: { text: message.text } } } },
      signal,
    );
    if (!data?.event?.id) throw new Error('direct_messages/events/new returned no event id');
    return { externalId: data.event.id };
  }
}

export function createTwitterConnector(config: TwitterConfig): TwitterConnector {
  return new TwitterConnector(config);
}
