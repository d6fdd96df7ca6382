import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import {
  DeliveryReport,
  InboundMessage,
  OutboundMessage,
  SchemaError,
  consumerGroup,
  parseWith,
  type DeadLetter,
  type InboundMessageInput,
  type TopicNames,
} from '@switchboard/schema';
import { runConsumer, type BatchingProducer, type RunningConsumer } from '@switchboard/kafka';
import { createLogger, dlqTotal, withRetry, type Logger } from '@switchboard/runtime';
import type { CheckpointStore } from './checkpoints.ts';
import { PermanentSendError, type Connector, type ConnectorContext } from './contract.ts';

export interface HostOptions {
  kafka: Kafka;
  producer: BatchingProducer;
  topics: TopicNames;
  checkpoints: CheckpointStore;
  /** Root folder for connectors' files; each gets `<dataDir>/<name>`. */
  dataDir: string;
  logger?: Logger;
  /** Attempts for one outbound send before it is reported failed. */
  sendAttempts?: number;
}

export interface HostedConnector {
  readonly connector: Connector;
  stop(): Promise<void>;
}

/** Builds the context a connector runs in: emit with ack-then-checkpoint, dead letters, logging. */
export function createContext(connector: Connector, options: HostOptions, signal: AbortSignal): ConnectorContext {
  const logger = options.logger ?? createLogger(`connector.${connector.name}`);
  const dataDir = join(options.dataDir, connector.name);
  mkdirSync(dataDir, { recursive: true });

  const deadLetter: ConnectorContext['deadLetter'] = async ({ reason, raw, sourceId, error }) => {
    const letter: DeadLetter = {
      schemaVersion: 1,
      id: `${connector.name}/${sourceId}`,
      stage: `connector.${connector.name}`,
      reason,
      errorName: error instanceof Error ? error.name : undefined,
      headers: {},
      originalValue: Buffer.from(raw).toString('base64'),
      failedAt: new Date().toISOString(),
    };
    await options.producer.sendJson(options.topics.dlq, [{ key: letter.id, value: letter, headers: { reason: reason.slice(0, 200), stage: letter.stage } }]);
    dlqTotal.inc({ stage: letter.stage });
    logger.warn('dead-lettered', { sourceId, reason });
  };

  return {
    logger,
    signal,
    dataDir,
    deadLetter,
    async reportDelivery(report) {
      const value = parseWith(DeliveryReport, 'DeliveryReport', report);
      if (!connector.channels.includes(value.channel)) {
        throw new SchemaError('DeliveryReport', [{ path: ['channel'], message: `"${value.channel}" is not one of this connector's channels (${connector.channels.join(', ')})` }]);
      }
      await produceDelivery(options, value);
    },
    checkpoint: (account, stream) => options.checkpoints.get(connector.name, account, stream),
    saveCheckpoint: (update) => options.checkpoints.save(connector.name, update.account, update.stream, update.position),
    async emit(messages, checkpoint) {
      const valid: InboundMessage[] = [];
      for (const message of messages) {
        try {
          const parsed = parseWith(InboundMessage, 'InboundMessage', message);
          if (!connector.channels.includes(parsed.channel)) {
            throw new SchemaError('InboundMessage', [{ path: ['channel'], message: `"${parsed.channel}" is not one of this connector's channels (${connector.channels.join(', ')})` }]);
          }
          valid.push(parsed);
        } catch (error) {
          const reason = error instanceof SchemaError ? `invalid envelope: ${error.message}` : String(error);
          await deadLetter({ reason, raw: JSON.stringify(message), sourceId: sourceIdOf(message), error });
        }
      }
      await options.producer.sendJson(
        options.topics.inbound,
        valid.map((m) => ({ key: m.conversationKey, value: m, headers: { channel: m.channel, 'message-id': m.id } })),
      );
      // Only now is every message safe in Kafka: a crash before this line re-reads them, never skips them.
      if (checkpoint) await options.checkpoints.save(connector.name, checkpoint.account, checkpoint.stream, checkpoint.position);
    },
  };
}

/** Keyed by the outbound id, or by what the channel sent when the report names only that. */
function produceDelivery(options: HostOptions, value: DeliveryReport): Promise<unknown> {
  const key = value.outboundId ?? `${value.channel}:${value.externalId}`;
  return options.producer.sendJson(options.topics.delivery, [{ key, value }]);
}

function sourceIdOf(message: InboundMessageInput): string {
  const m = message as Partial<InboundMessageInput>;
  return `${m.account ?? 'unknown'}/${m.externalId ?? 'unknown'}`;
}

/**
 * Starts a connector, and when it sends, a consumer of the outbound topic for its channels. Each
 * outbound id is sent once: a ledger in the checkpoint topic records what was sent, so a redelivered
 * outbound record is acknowledged without sending again.
 */
export async function hostConnector(connector: Connector, options: HostOptions): Promise<HostedConnector> {
  const abort = new AbortController();
  const context = createContext(connector, options, abort.signal);
  await connector.start(context);
  let outbound: RunningConsumer | undefined;
  if (connector.send) outbound = await runOutbound(connector, options, context);
  return {
    connector,
    async stop() {
      abort.abort();
      await outbound?.stop();
      await connector.stop();
    },
  };
}

async function runOutbound(connector: Connector, options: HostOptions, context: ConnectorContext): Promise<RunningConsumer> {
  const send = connector.send!.bind(connector);
  const report = (value: DeliveryReport) => produceDelivery(options, value);
  return runConsumer({
    kafka: options.kafka,
    groupId: consumerGroup(options.topics, `switchboard-outbound-${connector.name}`),
    topic: options.topics.outbound,
    schema: OutboundMessage,
    schemaName: 'OutboundMessage',
    producer: options.producer,
    dlqTopic: options.topics.dlq,
    logger: context.logger.child('outbound'),
    handle: async (records) => {
      for (const { value: message } of records) {
        if (!connector.channels.includes(message.channel)) continue;
        const ledgerStream = `sent:${message.id}`;
        if (context.checkpoint(message.account, ledgerStream)) continue;
        const base = { schemaVersion: 1 as const, outboundId: message.id, ticketId: message.ticketId, channel: message.channel };
        try {
          const result = await withRetry(() => send(message), {
            attempts: options.sendAttempts ?? 4,
            initialMs: 500,
            maxMs: 10_000,
            signal: context.signal,
            retryable: (error) => !(error instanceof PermanentSendError),
            onRetry: (error, attempt) => context.logger.warn('send failed, retrying', { outboundId: message.id, attempt, error }),
          });
          await context.saveCheckpoint({ account: message.account, stream: ledgerStream, position: { sentAt: new Date().toISOString(), externalId: result.externalId } });
          await report({ ...base, status: 'sent', ...(result.externalId ? { externalId: result.externalId } : {}), at: new Date().toISOString() });
        } catch (error) {
          if (context.signal.aborted) throw error;
          const reason = error instanceof Error ? error.message : String(error);
          await report({ ...base, status: 'failed', reason, at: new Date().toISOString() });
          await context.deadLetter({ reason: `send failed: ${reason}`, raw: JSON.stringify(message), sourceId: `outbound/${message.id}`, error });
        }
      }
    },
  });
}
