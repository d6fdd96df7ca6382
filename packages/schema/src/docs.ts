import { z } from 'zod';
import { DeadLetter, DeliveryReport, InboundMessage, OutboundMessage, RoutedMessage, Checkpoint, SCHEMA_VERSION } from './envelope.ts';
import { TOPIC_SPECS, type TopicRole } from './topics.ts';
import { LedgerEntry } from './ledger.ts';
import { messageId } from './ids.ts';

/** The value schema of each topic, by role: the single source of the JSON Schema and AsyncAPI docs. */
export const TOPIC_VALUE_SCHEMAS: Record<TopicRole, { name: string; schema: z.ZodType }> = {
  inbound: { name: 'InboundMessage', schema: InboundMessage },
  routed: { name: 'RoutedMessage', schema: RoutedMessage },
  outbound: { name: 'OutboundMessage', schema: OutboundMessage },
  delivery: { name: 'DeliveryReport', schema: DeliveryReport },
  dlq: { name: 'DeadLetter', schema: DeadLetter },
  checkpoints: { name: 'Checkpoint', schema: Checkpoint },
  ledger: { name: 'LedgerEntry', schema: LedgerEntry },
};

const exampleInbound: InboundMessage = {
  schemaVersion: SCHEMA_VERSION,
  id: messageId('email', 'support@wallet.example', '<CAF=1234@mail.example.com>'),
  channel: 'email',
  account: 'support@wallet.example',
  externalId: '<CAF=1234@mail.example.com>',
  conversationKey: '<CAF=1234@mail.example.com>',
  sender: { id: 'ann@example.com', name: 'Ann Lee', address: 'ann@example.com' },
  subject: 'Payment failed but money left my account',
  text: 'I paid 25.00 EUR at a shop yesterday, the app says failed but my balance went down.',
  attachments: [],
  sentAt: '2026-11-24T09:15:00.000Z',
  receivedAt: '2026-11-24T09:15:02.000Z',
  meta: { threading: { reason: 'new' } },
};

const exampleRouted: RoutedMessage = {
  ...exampleInbound,
  category: 'transaction',
  confidence: 0.93,
  triage: false,
  priority: 'high',
  language: 'en',
  redactions: [],
  classifierVersion: 'hash-linear-example',
  explanation: { priorityRules: ['money-missing'], features: ['w:failed', 'w:balance'] },
  routedAt: '2026-11-24T09:15:02.120Z',
};

export const TOPIC_EXAMPLES: Partial<Record<TopicRole, unknown>> = { inbound: exampleInbound, routed: exampleRouted };

/** A channel a connector package registers, as the docs list it. */
export interface RegisteredChannel {
  id: string;
  label: string;
}

/** The `channel` fields of a generated schema, with the channels registered in this repository as examples. */
function listChannels(json: Record<string, unknown>, channels: readonly RegisteredChannel[]): void {
  const properties = json.properties as Record<string, Record<string, unknown>> | undefined;
  const channel = properties?.channel;
  if (!channel || channels.length === 0) return;
  channel.examples = channels.map((c) => c.id);
  channel.description = `${String(channel.description ?? '')} Registered in this repository: ${channels.map((c) => `\`${c.id}\` (${c.label})`).join(', ')}.`;
}

/**
 * The JSON Schema of a topic's value. With `channels`, the `channel` field lists the registered ones
 * (documentation only: the schema accepts any channel id, and the compatibility check reads it without).
 */
export function jsonSchemaOf(role: TopicRole, channels: readonly RegisteredChannel[] = []): Record<string, unknown> {
  const { name, schema } = TOPIC_VALUE_SCHEMAS[role];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  listChannels(json, channels);
  return { $id: `https://switchboard.example/schemas/${TOPIC_SPECS[role].name}.json`, title: name, ...json, ...(TOPIC_EXAMPLES[role] ? { examples: [TOPIC_EXAMPLES[role]] } : {}) };
}

/** An AsyncAPI 3.0 document of every topic, as plain data (serialized as YAML-compatible JSON). */
export function asyncApiDocument(registered: readonly RegisteredChannel[] = []): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const role of Object.keys(TOPIC_SPECS) as TopicRole[]) {
    const spec = TOPIC_SPECS[role];
    const { name } = TOPIC_VALUE_SCHEMAS[role];
    messages[name] = {
      name,
      contentType: 'application/json',
      summary: spec.description,
      payload: jsonSchemaOf(role, registered),
      bindings: { kafka: { key: { type: 'string', description: spec.key }, bindingVersion: '0.5.0' } },
      ...(role === 'routed'
        ? { headers: { type: 'object', properties: Object.fromEntries(['category', 'priority', 'channel', 'language', 'message-id'].map((h) => [h, { type: 'string' }])) } }
        : {}),
    };
    channels[role] = {
      address: spec.name,
      description: spec.description,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
      bindings: { kafka: { topic: spec.name, partitions: spec.partitions, replicas: 1, topicConfiguration: spec.config, bindingVersion: '0.5.0' } },
    };
    operations[`consume_${role}`] = { action: 'receive', channel: { $ref: `#/channels/${role}` }, summary: `Read ${spec.name}` };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchboard topics',
      version: String(SCHEMA_VERSION),
      description: 'Kafka topics of Switchboard. Generated from packages/schema by `pnpm generate`; do not edit by hand.',
    },
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'infra/kafka local broker' } },
    channels,
    operations,
    components: { messages },
  };
}
