import type { Kafka } from 'kafkajs';
import { DeliveryReport, RoutedMessage, consumerGroup, type Channel, type TopicNames } from '@switchboard/schema';
import { decideReply, type ChannelRegistry } from '@switchboard/connector-sdk';
import { runConsumer, type BatchingProducer, type RunningConsumer } from '@switchboard/kafka';
import { counter, createLogger, type Logger } from '@switchboard/runtime';
import type { TicketStore, WriteResult } from '@switchboard/ticket-store';
import { ackWithheld, buildAck } from './ack.ts';

export const DEFAULT_SINK_GROUP = 'switchboard-ticket-sink';
export const DEFAULT_DELIVERY_GROUP = 'switchboard-delivery-sink';

const ticketsOpened = counter('switchboard_tickets_opened_total', 'Tickets opened by the ticket sink, by channel.');
const acksProduced = counter('switchboard_acks_produced_total', 'Automatic acknowledgements produced, by channel.');

export interface TicketSinkOptions {
  kafka: Kafka;
  producer: BatchingProducer;
  topics: TopicNames;
  store: TicketStore;
  /** The registered channels: their reply policies (may an acknowledgement go out) and metric labels. */
  channels: ChannelRegistry;
  /** Consumer group of the routed topic. */
  groupId?: string;
  /** Consumer group of the delivery topic. */
  deliveryGroupId?: string;
  /** Channels whose new tickets are acknowledged automatically (default: those whose descriptor asks for it). */
  ackChannels?: Channel[];
  /** New tickets whose first message was sent longer ago than this get no acknowledgement (default 72). */
  ackMaxAgeHours?: number;
  logger?: Logger;
}

export interface RunningTicketSink {
  stop(): Promise<void>;
}

/**
 * The messages of a written batch that may be owed an acknowledgement, for the store to look up. One
 * stored just now that joined an existing ticket is owed nothing; one that opened a ticket, or a
 * redelivered one (its first write may have opened a ticket and crashed before the ack), may be.
 */
export function ackCandidates(messages: readonly RoutedMessage[], result: WriteResult, ackChannels: readonly Channel[]): string[] {
  const joined = new Set(result.inserted);
  for (const ticket of result.newTickets) joined.delete(ticket.openedBy);
  return messages.filter((m) => !m.edit && ackChannels.includes(m.channel) && !joined.has(m.id)).map((m) => m.id);
}

/**
 * Writes routed messages to the store, acknowledges new tickets, records delivery reports.
 *
 * The acknowledgement survives a crash anywhere: after the store's commit, the tickets that the batch's
 * messages opened and that have no ack recorded are looked up (not taken from the write result, which
 * on a redelivered batch reports only duplicates); their acks are produced, and only then recorded on
 * the ticket. A crash before the record produces the ack again on redelivery, with the same id, which
 * the connector sends once. Offsets are committed by the runner after all of this succeeded.
 */
export async function startTicketSink(options: TicketSinkOptions): Promise<RunningTicketSink> {
  const logger = options.logger ?? createLogger('ticket-sink');
  const { store, producer, topics, channels } = options;
  const ackChannels = options.ackChannels ?? channels.acknowledgedByDefault();
  const ackMaxAgeMs = (options.ackMaxAgeHours ?? 72) * 3_600_000;

  const acknowledge = async (messageIds: string[]) => {
    const pending = await store.pendingAcks(messageIds, ackChannels, new Date(Date.now() - ackMaxAgeMs));
    const now = new Date();
    const acks = pending.flatMap((p) => {
      const withheld = ackWithheld(p);
      if (withheld) {
        logger.info('acknowledgement withheld', { ticket: p.ticket.number, reason: withheld });
        return [];
      }
      // The ack answers the message that opened the ticket: the channel's policy decides from that alone.
      const history = { lastCustomerMessageAt: new Date(p.opening.sentAt), sentSinceCustomer: [] };
      const decision = decideReply(channels.get(p.ticket.channel), { kind: 'ack', now, account: p.ticket.account, conversationKey: p.ticket.conversationKey, history });
      if (decision.allowed) return [buildAck(p, now, decision.mode)];
      logger.info('acknowledgement not sent: the channel does not allow it now', { ticket: p.ticket.number, reason: decision.reason });
      return [];
    });
    if (acks.length === 0) return;
    await producer.sendJson(
      topics.outbound,
      acks.map((ack) => ({ key: ack.conversationKey, value: ack, headers: { kind: ack.kind, 'ticket-number': ack.ticketNumber } })),
    );
    await store.recordOutbounds(acks);
    for (const ack of acks) acksProduced.inc({ channel: channels.known(ack.channel) });
    logger.info('acknowledgements produced', { tickets: acks.map((a) => a.ticketNumber) });
  };

  const routed = await runConsumer({
    kafka: options.kafka,
    groupId: options.groupId ?? consumerGroup(options.topics, DEFAULT_SINK_GROUP),
    topic: topics.routed,
    schema: RoutedMessage,
    schemaName: 'RoutedMessage',
    producer,
    dlqTopic: topics.dlq,
    logger: logger.child('routed'),
    handle: async (records) => {
      const messages = records.map((r) => r.value);
      const result = await store.writeRouted(messages);
      for (const ticket of result.newTickets) ticketsOpened.inc({ channel: channels.known(ticket.channel) });
      if (result.orphanEdits.length > 0) logger.warn('edits of unknown messages ignored', { ids: result.orphanEdits });
      logger.debug('batch stored', {
        inserted: result.inserted.length,
        duplicates: result.duplicates.length,
        edited: result.edited.length,
        newTickets: result.newTickets.map((t) => t.number),
        reopened: result.reopened.map((t) => t.number),
      });
      await acknowledge(ackCandidates(messages, result, ackChannels));
    },
  });

  let delivery: RunningConsumer;
  try {
    delivery = await runConsumer({
      kafka: options.kafka,
      groupId: options.deliveryGroupId ?? consumerGroup(options.topics, DEFAULT_DELIVERY_GROUP),
      topic: topics.delivery,
      schema: DeliveryReport,
      schemaName: 'DeliveryReport',
      producer,
      dlqTopic: topics.dlq,
      logger: logger.child('delivery'),
      handle: async (records) => {
        for (const record of records) await store.applyDelivery(record.value);
      },
    });
  } catch (error) {
    await routed.stop();
    throw error;
  }

  return {
    async stop() {
      await Promise.all([routed.stop(), delivery.stop()]);
    },
  };
}
