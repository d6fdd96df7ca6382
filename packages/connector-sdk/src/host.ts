import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { DeliveryReport, InboundMessage, OutboundMessage, SchemaError, consumerGroup, parseWith, type InboundMessageInput, type TopicNames } from '@switchboard/schema';
import {
  DeadLetterWriter,
  OutboundLedger,
  runConsumer,
  type BatchingProducer,
  type CheckpointStore,
  type ConsumedRecord,
  type RunningConsumer,
} from '@switchboard/kafka';
import { AbortedError, createLogger, RETRY_BUDGETS, withRetry, type Logger, type RetryBudget } from '@switchboard/runtime';
import type { Connector, ConnectorContext } from './contract.ts';

export interface HostOptions {
  kafka: Kafka;
  producer: BatchingProducer;
  topics: TopicNames;
  checkpoints: CheckpointStore;
  /** Root folder for connectors' files; each gets `<dataDir>/<name>`. */
  dataDir: string;
  logger?: Logger;
  /** Budget of one outbound send before it is reported failed (`connector.send` by default). */
  sendBudget?: RetryBudget;
  /** The outbound ledger's duplicate window (see `OutboundLedgerOptions`). */
  duplicateWindowMs?: number;
}

export interface HostedConnector {
  readonly connector: Connector;
  /** The outbound ledger, when the connector sends. */
  readonly ledger: OutboundLedger | undefined;
  stop(): Promise<void>;
}

/** Builds the context a connector runs in: emit with ack-then-checkpoint, dead letters, logging. */
export function createContext(connector: Connector, options: HostOptions, signal: AbortSignal): ConnectorContext {
  const logger = options.logger ?? createLogger(`connector.${connector.name}`);
  const dataDir = join(options.dataDir, connector.name);
  mkdirSync(dataDir, { recursive: true });
  const positions = options.checkpoints.namespace(connector.name);
  const letters = new DeadLetterWriter(options.producer, options.topics.dlq, logger);
  const deadLetter: ConnectorContext['deadLetter'] = async ({ reason, raw, sourceId, error }) => {
    await letters.write({ id: `${connector.name}/${sourceId}`, stage: `connector.${connector.name}`, reason, error, original: raw });
  };

  const reportDelivery: ConnectorContext['reportDelivery'] = async (report) => {
    const parsed = parseWith(DeliveryReport, 'DeliveryReport', report);
    if (!connector.channels.includes(parsed.channel)) {
      throw new SchemaError('DeliveryReport', [{ path: ['channel'], message: `"${parsed.channel}" is not one of this connector's channels (${connector.channels.join(', ')})` }]);
    }
    await produceDelivery(options, parsed);
  };

  return {
    logger,
    signal,
    dataDir,
    deadLetter,
    reportDelivery,
    checkpoint: (account, stream) => positions.get(account, stream),
    saveCheckpoint: (update) => positions.save(update.account, update.stream, update.position),
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
      if (checkpoint) await positions.save(checkpoint.account, checkpoint.stream, checkpoint.position);
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
 * outbound id is sent once across every replica of the connector: the outbound ledger claims it
 * before the send and records it after, so a redelivered or twice-produced record is reported
 * without being sent again.
 */
export async function hostConnector(connector: Connector, options: HostOptions): Promise<HostedConnector> {
  const abort = new AbortController();
  const context = createContext(connector, options, abort.signal);
  await connector.start(context);
  const outbound = connector.send ? await runOutbound(connector, options, context) : undefined;
  return {
    connector,
    ledger: outbound?.ledger,
    async stop() {
      abort.abort();
      await outbound?.consumer.stop();
      await outbound?.ledger.close();
      await connector.stop();
    },
  };
}

async function runOutbound(connector: Connector, options: HostOptions, context: ConnectorContext): Promise<{ consumer: RunningConsumer; ledger: OutboundLedger }> {
  const groupId = consumerGroup(options.topics, `switchboard-outbound-${connector.name}`);
  const ledger = await OutboundLedger.open({
    kafka: options.kafka,
    producer: options.producer,
    topic: options.topics.ledger,
    outboundTopic: options.topics.outbound,
    namespace: connector.name,
    groupId,
    ...(options.duplicateWindowMs !== undefined ? { duplicateWindowMs: options.duplicateWindowMs } : {}),
    logger: context.logger.child('ledger'),
  });
  const send = connector.send!.bind(connector);
  const budget = options.sendBudget ?? RETRY_BUDGETS['connector.send'];
  const log = context.logger.child('outbound');
  const report = context.reportDelivery;

  let running: RunningConsumer | undefined;

  /** Sends one record once; its delivery report joins `reports`, awaited before the batch commits. */
  const deliver = async ({ value: message, partition, offset }: ConsumedRecord<OutboundMessage>, reports: Promise<unknown>[]) => {
    const base = { schemaVersion: 1 as const, outboundId: message.id, ticketId: message.ticketId, channel: message.channel };
    try {
      const outcome = await ledger.once(message.id, { partition, offset }, running?.memberId, async () => {
        const result = await withRetry(() => send(message), budget, {
          signal: context.signal,
          onRetry: (error, attempt) => log.warn('send failed, retrying', { outboundId: message.id, attempt, error }),
        });
        return result.externalId;
      });
      if (!outcome.sent) {
        log.info('sent before, not sent again', { outboundId: message.id, redelivered: outcome.redelivered });
        // A second copy of the id was reported with the first; this very record again may have stopped before its report.
        if (!outcome.redelivered) return;
      }
      const sent = report({ ...base, status: 'sent', ...(outcome.externalId ? { externalId: outcome.externalId } : {}), at: new Date().toISOString() });
      sent.catch(() => undefined);
      reports.push(sent);
    } catch (error) {
      if (context.signal.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      await report({ ...base, status: 'failed', reason, at: new Date().toISOString() });
      await context.deadLetter({ reason: `send failed: ${reason}`, raw: JSON.stringify(message), sourceId: `outbound/${message.id}`, error });
    }
  };

  const consumer = await runConsumer({
    kafka: options.kafka,
    groupId,
    topic: options.topics.outbound,
    schema: OutboundMessage,
    schemaName: 'OutboundMessage',
    producer: options.producer,
    dlqTopic: options.topics.dlq,
    logger: log,
    // A send takes a channel round trip: small chunks let a rebalance (a replica joining) wait for
    // one chunk, not for everything fetched, and commit what was sent as they go.
    maxBatchRecords: 50,
    commitMetadata: (partition) => ledger.commitMetadata(partition),
    handle: async (records) => {
      const ours = records.filter((r) => connector.channels.includes(r.value.channel));
      await ledger.claimFree(ours.map((r) => ({ id: r.value.id, source: { partition: r.partition, offset: r.offset } })), running?.memberId);
      const reports: Promise<unknown>[] = [];
      // One at a time, in order: a conversation's replies leave in the order they were written.
      for (const record of ours) {
        if (context.signal.aborted) {
          // Stopping: what is not sent yet is left to the next owner, at once.
          await ledger.releaseUnsent(running?.memberId);
          throw new AbortedError();
        }
        await deliver(record, reports);
      }
      // Before the commit: every `sent` entry durable, every report produced.
      await Promise.all([ledger.flush(), ...reports]);
    },
  });
  running = consumer;
  return { consumer, ledger };
}
