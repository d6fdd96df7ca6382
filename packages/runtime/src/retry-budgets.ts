/**
 * Every stage's retry budget, in one table: how often a failed step is tried, how long the pauses
 * grow, and why. Budgets stack: each Kafka request is retried inside kafkajs (`kafka.request`)
 * before a stage sees the error, so a stage that only talks to Kafka adds a loop of its own only
 * where kafkajs does not retry, or where waiting out an outage is the point.
 *
 * Whatever the budget, an error that says it is permanent (`retriable: false`) gets one attempt.
 */
export interface RetryBudget {
  /** Attempts in all, the first included. Infinity: until the operation succeeds or is stopped. */
  readonly attempts: number;
  /** First pause, ms; each later pause doubles (with jitter) up to `maxMs`. */
  readonly initialMs: number;
  readonly maxMs: number;
  readonly why: string;
}

export const RETRY_BUDGETS = {
  'kafka.request': {
    attempts: 9,
    initialMs: 200,
    maxMs: 10_000,
    why: 'kafkajs retries one request (a produce, a fetch, a commit) through a leader election or a broker restart: ~30 s in all, then the stage above decides.',
  },
  'kafka.topic-ready': {
    attempts: 40,
    initialMs: 50,
    maxMs: 500,
    why: 'A topic just created answers "not the leader" for a moment, which kafkajs does not wait for; 40 tries cover ~15 s on a busy broker.',
  },
  'kafka.offsets': {
    attempts: 20,
    initialMs: 100,
    maxMs: 1_000,
    why: 'Offset look-ups fail while a partition leader moves; kafkajs does not retry them; ~15 s covers a broker restart.',
  },
  'consumer.unclassified': {
    attempts: 3,
    initialMs: 200,
    maxMs: 1_000,
    why: 'A handler error nobody classified (a bug, a driver error without a code) gets three tries, then the batch is split and only the records that still fail go to the DLQ.',
  },
  'consumer.outage': {
    attempts: Infinity,
    initialMs: 200,
    maxMs: 5_000,
    why: 'A retriable handler error means a dependency is down (database, broker): wait it out; dead-lettering would move good messages aside for an outage.',
  },
  'consumer.restart': {
    attempts: Infinity,
    initialMs: 2_000,
    maxMs: 5_000,
    why: 'A consumer kafkajs gave up on is started again after a pause, for as long as the process runs: a live process that consumes nothing is the worst failure.',
  },
  'connector.send': {
    attempts: 4,
    initialMs: 500,
    maxMs: 10_000,
    why: "A channel send that failed for a transient or unknown reason: four tries over ~10 s, then reported failed and dead-lettered for a replay. Short, because the conversation's later replies wait behind it.",
  },
  'connector.emit': {
    attempts: 3,
    initialMs: 200,
    maxMs: 2_000,
    why: 'An emit in the background after the peer was answered (WeChat callbacks): kafkajs already retried each produce, so two more tries catch a broker restart, then the DLQ keeps the raw payload.',
  },
  'ticket-store.write-race': {
    attempts: 3,
    initialMs: 10,
    maxMs: 50,
    why: 'Two writers took one batch at once (a rebalance): the second rolls back and writes again, and then sees the first one\u2019s rows; a third race in a row is not expected.',
  },
  'email.imap-reconnect': {
    attempts: Infinity,
    initialMs: 1_000,
    maxMs: 60_000,
    why: 'An IMAP server that dropped us or refused a login is tried again until the connector stops, backing off to a minute; health says why meanwhile (EMAIL_RECONNECT_* override the pauses).',
  },
  'twitter.poll': {
    attempts: Infinity,
    initialMs: 1_000,
    maxMs: 300_000,
    why: 'A failed poll round (5xx, 429 without a reset, network) is tried again until the connector stops, backing off to five minutes, the length of a rate-limit window (TWITTER_BACKOFF_MAX_MS).',
  },
} as const satisfies Record<string, RetryBudget>;

export type RetryStage = keyof typeof RETRY_BUDGETS;
