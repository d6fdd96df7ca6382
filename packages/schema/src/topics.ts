/**
 * Every Kafka topic Switchboard uses, declared once. The admin step creates them from this table,
 * the docs are generated from it, and nothing else spells a topic name.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** What the record key is, for the docs and for anyone producing by hand. */
  readonly key: string;
  readonly description: string;
  readonly config: Readonly<Record<string, string>>;
}

const WEEK_MS = String(7 * 24 * 3600 * 1000);

export const TOPIC_SPECS = {
  inbound: {
    name: 'cs.messages.inbound.v1',
    partitions: 6,
    key: 'conversationKey',
    description: 'Every customer message as its connector normalized it (InboundMessage).',
    config: { 'retention.ms': WEEK_MS },
  },
  routed: {
    name: 'cs.messages.routed.v1',
    partitions: 6,
    key: 'conversationKey',
    description: 'Inbound messages after classification and redaction (RoutedMessage). Header `category`.',
    config: { 'retention.ms': WEEK_MS },
  },
  outbound: {
    name: 'cs.messages.outbound.v1',
    partitions: 3,
    key: 'conversationKey',
    description: 'Replies and acknowledgements for connectors to send (OutboundMessage).',
    config: { 'retention.ms': WEEK_MS },
  },
  delivery: {
    name: 'cs.messages.delivery.v1',
    partitions: 3,
    key: 'outbound message id (`<channel>:<externalId>` for a report that names only what the channel sent)',
    description: 'What a connector did with an outbound message: sent or failed (DeliveryReport).',
    config: { 'retention.ms': WEEK_MS },
  },
  dlq: {
    name: 'cs.messages.dlq.v1',
    partitions: 1,
    key: 'source topic/partition/offset',
    description: 'Anything that failed validation or processing, with the reason and original bytes (DeadLetter).',
    config: { 'retention.ms': String(30 * 24 * 3600 * 1000) },
  },
  checkpoints: {
    name: 'cs.connector.checkpoints.v1',
    partitions: 1,
    key: 'connector/account/stream',
    description: "Connectors' source positions (IMAP UIDVALIDITY+UID, Twitter since_id, ...), compacted.",
    config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' },
  },
  ledger: {
    name: 'cs.connector.outbound-ledger.v1',
    // As many as the outbound topic: an entry goes to the partition of the outbound record it is
    // about, so whoever owns that outbound partition reads one ledger partition.
    partitions: 3,
    key: 'connector/outbound id',
    description: "Claims and sends of outbound ids, so each is sent once across a connector's replicas (LedgerEntry); kept 7 days.",
    config: { 'retention.ms': WEEK_MS },
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicRole = keyof typeof TOPIC_SPECS;
export type TopicNames = Record<TopicRole, string>;

/**
 * Topic names under an optional prefix. Tests pass a unique prefix so that runs sharing one broker
 * never read each other's records; production uses no prefix.
 */
export function topicNames(prefix = ''): TopicNames {
  const names = {} as TopicNames;
  for (const role of Object.keys(TOPIC_SPECS) as TopicRole[]) names[role] = prefix + TOPIC_SPECS[role].name;
  return names;
}

export function topicSpecs(prefix = ''): TopicSpec[] {
  return Object.values(TOPIC_SPECS).map((spec) => ({ ...spec, name: prefix + spec.name }));
}

/** The prefix a set of topic names was made with (empty in production). */
export function topicPrefixOf(topics: TopicNames): string {
  return topics.inbound.slice(0, topics.inbound.length - TOPIC_SPECS.inbound.name.length);
}

/**
 * A consumer group's name under the same prefix as its topics: runs that share a broker with
 * different prefixes must never join one group, or they would be handed each other's partitions.
 */
export function consumerGroup(topics: TopicNames, base: string): string {
  return topicPrefixOf(topics) + base;
}
