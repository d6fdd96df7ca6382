export { startTicketSink, ackCandidates, DEFAULT_SINK_GROUP, DEFAULT_DELIVERY_GROUP, type TicketSinkOptions, type RunningTicketSink } from './sink.ts';
export { buildAck, ackIdFor, ackWithheld } from './ack.ts';
export { ticketSinkConfigFromEnv, ticketSinkConfig, resolveAckChannels, type TicketSinkConfig } from './config.ts';
