import type { HttpRoute, UpgradeRoute } from '@switchboard/http';
import type { Channel, DeliveryReport, InboundMessageInput, OutboundMessage } from '@switchboard/schema';
import type { Logger } from '@switchboard/runtime';
import { PermanentError } from '@switchboard/runtime';

/**
 * The contract every channel connector implements. A connector knows its channel and nothing else:
 * producing to Kafka, checkpoints, dead letters and outbound plumbing come from the context.
 */
export interface Connector {
  /** Unique and stable: it names the connector's checkpoints and consumer groups. */
  readonly name: string;
  /**
   * The channels this connector serves (ids of its package's channel descriptors): the only channels
   * its envelopes may carry, and those whose outbound messages it sends.
   */
  readonly channels: readonly Channel[];
  start(context: ConnectorContext): Promise<void>;
  /** Stops taking new input, finishes what is in hand, releases connections. */
  stop(): Promise<void>;
  health(): ConnectorHealth;
  /** Sends one outbound message; throws to report failure (retried with backoff, then reported failed). */
  send?(message: OutboundMessage): Promise<SendResult>;
  /** HTTP endpoints mounted on the gateway (webhooks, pages), available once started. */
  readonly routes?: readonly HttpRoute[];
  readonly upgrades?: readonly UpgradeRoute[];
  /** Entry points people use (the web chat page, the message API), listed in the ready banner. */
  readonly pages?: readonly { name: string; path: string; method?: 'GET' | 'POST' }[];
}

export interface ConnectorHealth {
  /** Ready to take and deliver messages (a logged-out bot or an unreachable server is not). */
  ready: boolean;
  /** A short human reason, e.g. "connected", "logged out", "backing off after 503". */
  status: string;
  lastMessageAt?: string;
  errors?: number;
  details?: Record<string, unknown>;
}

/**
 * A send that can never succeed (a public reply that would expose masked data, a recipient the
 * channel does not know): reported failed at once instead of being retried.
 */
export class PermanentSendError extends PermanentError {
  override readonly name: string = 'PermanentSendError';
}

export interface SendResult {
  /** The channel's id of what was sent: Message-ID, tweet id, Slack ts. */
  externalId?: string;
}

/** A position a connector has safely produced up to; `position` is the connector's own shape. */
export interface CheckpointUpdate {
  account: string;
  stream: string;
  position: Record<string, unknown>;
}

export interface ConnectorContext {
  /**
   * Validates and produces envelopes to the inbound topic, waits for Kafka's acknowledgement, and
   * only then records `checkpoint`. An envelope that fails validation goes to the DLQ, not lost.
   */
  emit(messages: InboundMessageInput[], checkpoint?: CheckpointUpdate): Promise<void>;
  /** The last checkpoint recorded for this connector's account and stream. */
  checkpoint(account: string, stream: string): Record<string, unknown> | undefined;
  saveCheckpoint(update: CheckpointUpdate): Promise<void>;
  /**
   * Reports what became of an outbound message after `send` returned, for channels that say so later:
   * delivery and read receipts, a bounce, a status callback. The host reports `sent`/`failed` of each
   * `send` itself. Validated (a channel this connector does not serve is refused) and produced to the
   * delivery topic; a report without `outboundId` names what was sent by the channel's `externalId`,
   * and the store finds the outbound message by it.
   */
  reportDelivery(report: DeliveryReport): Promise<void>;
  /** Keeps something the connector could not turn into a message (raw bytes and the reason). */
  deadLetter(entry: { reason: string; raw: Buffer | string; sourceId: string; error?: unknown }): Promise<void>;
  logger: Logger;
  /** Aborted when the connector is asked to stop. */
  signal: AbortSignal;
  /** A folder the connector may keep files in (attachment bytes). */
  dataDir: string;
}

export type { HttpRequest, HttpResponse, HttpRoute, UpgradeRoute } from '@switchboard/http';
