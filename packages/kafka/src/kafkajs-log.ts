import { logLevel, type logCreator } from 'kafkajs';
import { createLogger, type Logger, type LogLevel } from '@switchboard/runtime';

/**
 * kafkajs logs, at error, every failed attempt of a request that it then retries ("Response
 * ListOffsets ... This server is not the leader for that topic-partition"). On a fresh broker, after a
 * leader moved, or while a group coordinator loads its offsets, a few of those are normal and go away
 * by themselves; shown as errors, they read as a failure. These protocol errors are the retriable ones
 * of that kind (messages as in kafkajs 2.2.4, `src/protocol/error.js`); their lines go to debug. When
 * kafkajs gives up, the error reaches our code, which logs it as what it is.
 */
const SETTLING_ERRORS = new Set([
  // UNKNOWN_TOPIC_OR_PARTITION (3): a topic created a moment ago, before its metadata has spread.
  'This server does not host this topic-partition',
  // LEADER_NOT_AVAILABLE (5)
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  // NOT_LEADER_FOR_PARTITION (6)
  'This server is not the leader for that topic-partition',
  // GROUP_LOAD_IN_PROGRESS (14)
  "The coordinator is loading and hence can't process requests for this group",
  // GROUP_COORDINATOR_NOT_AVAILABLE (15): __consumer_offsets being created on a fresh broker.
  'The group coordinator is not available',
  // NOT_COORDINATOR_FOR_GROUP (16)
  'This is not the correct coordinator for this group',
  // REBALANCE_IN_PROGRESS (27): a member joined or left; kafkajs rejoins.
  'The group is rebalancing, so a rejoin is needed',
  // NOT_CONTROLLER (41)
  'This is not the correct controller for this cluster',
]);

/**
 * CreateTopics answers "Topic creation errors" (one line, no codes) when several services start at
 * once and create the same missing topics: kafkajs then resolves for TOPIC_ALREADY_EXISTS alone and
 * throws for anything else, which fails the start with the real reason.
 */
const CREATE_TOPICS = { message: 'Response CreateTopics', error: 'Topic creation errors' };

/** kafkajs' warning that a member joined or left a consumer group: what every start of an instance does. */
const REBALANCING = 'The group is rebalancing, re-joining';

/**
 * Warnings about a choice made on purpose, printed at every start. The producer bounds its retries
 * (`createKafka`), so a send can fail and be sent again by its caller, and a record can then be on a
 * topic twice: delivery is at-least-once by design, and every consumer dedupes by message id.
 */
const EXPECTED_WARNINGS = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

const LEVEL_NAMES: Record<number, LogLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The level a kafkajs log line is written at. */
export function kafkajsLogLevel(level: number, message: string, fields: Record<string, unknown>): LogLevel {
  const ours = LEVEL_NAMES[level] ?? 'info';
  if (ours === 'error' && message.startsWith('Response ') && typeof fields.error === 'string') {
    if (SETTLING_ERRORS.has(fields.error)) return 'debug';
    if (message.startsWith(CREATE_TOPICS.message) && fields.error === CREATE_TOPICS.error) return 'debug';
  }
  if (ours === 'warn' && EXPECTED_WARNINGS.has(message)) return 'debug';
  if (ours === 'warn' && message === REBALANCING) return 'info';
  return ours;
}

/** Fields kafkajs adds that our records already carry (time, component) or that tell an operator nothing. */
const DROPPED_FIELDS = new Set(['timestamp', 'logger', 'size']);

/** kafkajs' log lines through our logger (secrets masked, one format), at the level `kafkajsLogLevel` gives. */
export function kafkajsLogCreator(logger: Logger = createLogger('kafkajs')): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...rest } = log;
      const fields: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(rest)) if (!DROPPED_FIELDS.has(key)) fields[key] = value;
      const text = String(message);
      logger[kafkajsLogLevel(level, text, fields)](text, fields);
    };
}
