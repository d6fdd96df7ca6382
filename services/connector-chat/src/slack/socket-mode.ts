import { SocketModeClient } from '@slack/socket-mode';
import type { App, Logger, Receiver, ReceiverEvent } from '@slack/bolt';

type SocketModeOptions = NonNullable<ConstructorParameters<typeof SocketModeClient>[0]>;

interface Envelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

/**
 * Socket Mode that acknowledges an envelope only once Bolt has processed it, that is once its message
 * is in Kafka. Bolt's own SocketModeReceiver acknowledges an Events API envelope before the listeners
 * run (App.processEvent calls ack() first), and Slack never redelivers an acknowledged envelope: a
 * crash or a failed produce in between would lose the customer's message. An envelope whose
 * processing fails is left unacknowledged, so Slack delivers it again (retry_attempt), as it retries an
 * HTTP event answered 500.
 */
export class AckAfterProcessingReceiver implements Receiver {
  readonly client: SocketModeClient;
  private app?: App;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    options: { appToken: string; clientOptions: SocketModeOptions['clientOptions'] },
    private readonly logger: Logger,
  ) {
    this.client = new SocketModeClient({ appToken: options.appToken, clientOptions: options.clientOptions, logger });
    this.client.on('slack_event', (envelope: Envelope) => {
      const handling = this.onEnvelope(envelope).finally(() => this.pending.delete(handling));
      this.pending.add(handling);
    });
  }

  init(app: App): void {
    this.app = app;
  }

  /** Resolves once Slack has said hello on the socket. */
  start(): Promise<unknown> {
    return this.client.start();
  }

  /** Envelopes being processed finish first, so their acknowledgements still go out. */
  async stop(): Promise<unknown> {
    await Promise.allSettled(this.pending);
    return this.client.disconnect();
  }

  private async onEnvelope(envelope: Envelope): Promise<void> {
    let response: Record<string, unknown> | undefined;
    const event: ReceiverEvent = {
      body: envelope.body,
      // What a listener answers (none do for messages) goes back with the real acknowledgement below.
      ack: async (answer?: unknown) => {
        if (answer && typeof answer === 'object') response = answer as Record<string, unknown>;
      },
      ...(envelope.retry_num !== undefined ? { retryNum: envelope.retry_num } : {}),
      ...(envelope.retry_reason ? { retryReason: envelope.retry_reason } : {}),
    };
    try {
      await this.app!.processEvent(event);
    } catch (error) {
      // The app's error handler has counted and logged it; no acknowledgement, so Slack delivers it again.
      this.logger.warn(`envelope ${envelope.envelope_id} not acknowledged: ${String(error)}`);
      return;
    }
    try {
      await envelope.ack(response);
    } catch (error) {
      // The socket closed meanwhile: Slack delivers the envelope again on the next connection.
      this.logger.warn(`envelope ${envelope.envelope_id} processed but its acknowledgement was not sent: ${String(error)}`);
    }
  }
}
