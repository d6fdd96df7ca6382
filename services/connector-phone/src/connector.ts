import { ConfigError } from '@switchboard/runtime';
import type { Connector, ConnectorContext, ConnectorHealth, HttpRoute } from '@switchboard/connector-sdk';
import { HttpError } from '@switchboard/http';
import type { CallEvent } from './calls.ts';
import type { PhoneConfig } from './config.ts';
import { CallDesk } from './desk.ts';
import { CallJournal } from './journal.ts';
import { isRegion } from './numbers.ts';
import { phoneRoutes } from './webhook.ts';

export interface PhoneConnectorOptions {
  /** Names its checkpoints and consumer groups; default `phone`. */
  name?: string;
  now?: () => Date;
  /** First pause before a failed fetch or produce is tried again; default 30 s. */
  retryMs?: number;
  /** How long a produced call's record is kept for late callbacks; default 7 days. */
  retentionMs?: number;
}

const TWILIO_TIMEOUT_MS = 30_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The hotline: Twilio Voice callbacks and a PBX's CTI events become one record per call, and each call
 * once over becomes a message on the caller's conversation (a ticket when someone must call back, a note
 * when it was answered). Receives only: the channel's reply policy refuses every reply.
 */
export class PhoneConnector implements Connector {
  readonly name: string;
  readonly channels = ['phone'] as const;
  readonly routes: HttpRoute[];
  private desk: CallDesk | undefined;
  private pruning: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly config: PhoneConfig,
    private readonly options: PhoneConnectorOptions = {},
  ) {
    if (!isRegion(config.region)) throw new ConfigError('connector-phone', [`PHONE_DEFAULT_REGION: "${config.region}" is not a region libphonenumber knows`]);
    this.name = options.name ?? 'phone';
    this.now = options.now ?? (() => new Date());
    this.routes = phoneRoutes({
      config,
      now: this.now,
      accept: (events) => this.accept(events),
      deadLetter: (entry) => this.started().deadLetter(entry),
    });
  }

  private context: ConnectorContext | undefined;

  private started(): ConnectorContext {
    if (!this.context) throw new HttpError(503, 'the phone connector is not started');
    return this.context;
  }

  private async accept(events: CallEvent[]): Promise<void> {
    this.started();
    await this.desk!.accept(events);
  }

  async start(context: ConnectorContext): Promise<void> {
    const twilio = this.config.twilio;
    this.desk = new CallDesk(
      new CallJournal(context.dataDir),
      context,
      this.config,
      twilio ? { apiBase: twilio.apiBase, authToken: twilio.authToken, format: twilio.format, maxBytes: twilio.maxBytes, timeoutMs: TWILIO_TIMEOUT_MS } : undefined,
      { retryMs: this.options.retryMs ?? 30_000, retentionMs: this.options.retentionMs ?? 7 * 86_400_000, now: this.now },
    );
    await this.desk.resume();
    const desk = this.desk;
    this.pruning = setInterval(() => void desk.prune().catch((error: unknown) => context.logger.warn('old calls not removed from the journal', { error })), PRUNE_EVERY_MS);
    this.pruning.unref();
    this.context = context;
  }

  async stop(): Promise<void> {
    this.context = undefined;
    clearInterval(this.pruning);
    await this.desk?.stop();
  }

  health(): ConnectorHealth {
    const sources = [this.config.twilio ? 'Twilio callbacks' : undefined, this.config.ctiToken ? 'CTI events' : undefined].filter(Boolean).join(' and ');
    return {
      ready: this.context !== undefined,
      status: this.context ? `listening for ${sources}` : 'stopped',
      ...(this.desk?.lastProducedAt ? { lastMessageAt: this.desk.lastProducedAt } : {}),
      errors: this.desk?.errors ?? 0,
    };
  }
}
