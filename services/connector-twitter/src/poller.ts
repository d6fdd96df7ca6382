import type { ConnectorContext } from '@switchboard/connector-sdk';
import { AbortedError, RETRY_BUDGETS, sleep, withRetry } from '@switchboard/runtime';
import type { TwitterAccount } from './account.ts';
import { AuthorizationLostError } from './oauth2.ts';
import { pollDirectMessagesV1, pollMentionsV1 } from './poll-v1.ts';
import { BudgetExhaustedError, pollDirectMessagesV2, pollMentionsV2 } from './poll-v2.ts';
import { XApiError } from './x-client.ts';

export type PollerState =
  | { phase: 'starting' }
  | { phase: 'polling' | 'webhook only'; lastPollAt?: string }
  | { phase: 'backing off'; reason: string; attempt: number; retryAt: string }
  | { phase: 'paused'; reason: string; until: string }
  | { phase: 'needs authorization'; reason: string }
  | { phase: 'stopped' };

/** One thing polled on its own schedule: mentions, or DMs (whose 15 calls per 15 minutes must not hold mentions back). */
export interface PollStream {
  name: 'mentions' | 'dms';
  poll(account: TwitterAccount, context: ConnectorContext, signal: AbortSignal): Promise<number>;
  /** The rate-limit window of its endpoint, to spread calls over it. */
  window: { method: 'GET'; version: '2' | '1.1'; path: string };
}

export function streamsFor(version: 'v2' | 'v1.1'): PollStream[] {
  return version === 'v1.1'
    ? [
        { name: 'mentions', poll: pollMentionsV1, window: { method: 'GET', version: '1.1', path: 'statuses/mentions_timeline.json' } },
        { name: 'dms', poll: pollDirectMessagesV1, window: { method: 'GET', version: '1.1', path: 'direct_messages/events/list.json' } },
      ]
    : [
        { name: 'mentions', poll: pollMentionsV2, window: { method: 'GET', version: '2', path: 'users/:id/mentions' } },
        { name: 'dms', poll: pollDirectMessagesV2, window: { method: 'GET', version: '2', path: 'dm_events' } },
      ];
}

/**
 * The pause before the next poll: the interval, or longer when the endpoint's window would run out
 * before it resets (the remaining calls spread evenly until the reset).
 */
export function nextPollDelay(intervalMs: number, window: { remaining: number; resetAt: number } | undefined, now = Date.now()): number {
  if (!window || window.resetAt <= now) return intervalMs;
  return Math.max(intervalMs, Math.ceil((window.resetAt - now) / (window.remaining + 1)));
}

export interface PollerOptions {
  intervalMs: number;
  backoff: { initialMs: number; maxMs: number };
  signal: AbortSignal;
  onState: (state: PollerState) => void;
}

/**
 * Polls one stream of one account until `signal` aborts. A failed round (5xx, 429 without a reset,
 * network, Kafka) is retried with the runtime's backoff, forever, and reported; a rate-limited
 * endpoint waits for its window inside XClient; a spent daily budget pauses until midnight UTC; a
 * refresh token X refused stops the stream until the account is authorized again.
 */
export async function runPoller(account: TwitterAccount, stream: PollStream, context: ConnectorContext, options: PollerOptions): Promise<void> {
  const { signal } = options;
  const retrying = <T>(round: () => Promise<T>) =>
    // A lost authorization and a spent budget are permanent errors: withRetry never retries them.
    withRetry(round, { ...RETRY_BUDGETS['twitter.poll'], initialMs: options.backoff.initialMs, maxMs: options.backoff.maxMs }, {
      signal,
      onRetry: (error, attempt, delayMs) => {
        const reason = error instanceof XApiError ? `${error.reason} on ${error.endpoint}` : error instanceof Error ? error.message : String(error);
        context.logger.warn('twitter poll failed, backing off', { account: account.label, stream: stream.name, attempt, delayMs, reason });
        options.onState({ phase: 'backing off', reason, attempt, retryAt: new Date(Date.now() + delayMs).toISOString() });
      },
    });
  try {
    if (options.intervalMs === 0) {
      // Webhook only: nothing to poll, but webhooks need to know which account is which.
      await retrying(() => account.resolveIdentity(signal));
      options.onState({ phase: 'webhook only' });
      return;
    }
    while (!signal.aborted) {
      try {
        const emitted = await retrying(() => stream.poll(account, context, signal));
        if (emitted > 0) context.logger.info('polled', { account: account.label, stream: stream.name, emitted });
        options.onState({ phase: 'polling', lastPollAt: new Date().toISOString() });
        await sleep(nextPollDelay(options.intervalMs, account.api.window(stream.window.method, stream.window.version, stream.window.path)), signal);
      } catch (error) {
        if (!(error instanceof BudgetExhaustedError)) throw error;
        const until = account.meter.reopensAt;
        options.onState({ phase: 'paused', reason: error.message, until: until.toISOString() });
        await sleep(Math.min(Math.max(until.getTime() - Date.now(), 1_000), 60_000), signal);
      }
    }
  } catch (error) {
    if (error instanceof AuthorizationLostError) {
      context.logger.error('twitter account needs authorizing again', { account: account.label, reason: error.message });
      options.onState({ phase: 'needs authorization', reason: error.message });
      return;
    }
    if (!(error instanceof AbortedError) && !signal.aborted) context.logger.error('twitter poller stopped unexpectedly', { account: account.label, error });
    options.onState({ phase: 'stopped' });
  }
}
