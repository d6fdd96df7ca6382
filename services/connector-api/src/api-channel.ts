import { z } from 'zod';
import { Attachment, messageId, Sender, type InboundMessageInput } from '@switchboard/schema';
import { HttpError, json, jsonBody, parseBody, requireBearer, type HttpRequest, type HttpRoute } from '@switchboard/http';
import type { Connector, ConnectorContext, ConnectorHealth } from '@switchboard/connector-sdk';

export const API_MESSAGES_PATH = '/api/v1/messages';
export const API_DEFAULT_ACCOUNT = 'api';

/**
 * What a client posts. Strict: an unknown (misspelt) field is an error instead of being dropped,
 * so a typo in `conversationKey` cannot silently split a conversation.
 */
export const ApiMessageBody = z
  .object({
    externalId: z.string().min(1).max(500).describe("The client's own id of the message: posting it again is a no-op."),
    sender: Sender,
    text: z.string().min(1).max(100_000),
    conversationKey: z.string().min(1).max(500).optional().describe('The thread; default `api:<sender.id>`.'),
    subject: z.string().max(1_000).optional(),
    account: z.string().min(1).max(200).optional().describe(`Which of our API integrations received it; default "${API_DEFAULT_ACCOUNT}".`),
    sentAt: z.iso.datetime({ offset: true }).optional().describe('When the customer sent it; default now.'),
    attachments: z.array(Attachment).max(50).optional(),
  })
  .strict();
export type ApiMessageBody = z.infer<typeof ApiMessageBody>;

/** The envelope of a posted message: its id is deterministic, so a retried POST is the same message. */
export function toInboundMessage(body: ApiMessageBody, receivedAt = new Date()): InboundMessageInput {
  const account = body.account ?? API_DEFAULT_ACCOUNT;
  return {
    schemaVersion: 1,
    id: messageId('api', account, body.externalId),
    channel: 'api',
    account,
    externalId: body.externalId,
    conversationKey: body.conversationKey ?? `api:${body.sender.id}`,
    sender: body.sender,
    ...(body.subject !== undefined ? { subject: body.subject } : {}),
    text: body.text,
    attachments: body.attachments ?? [],
    sentAt: body.sentAt ? new Date(body.sentAt).toISOString() : receivedAt.toISOString(),
    receivedAt: receivedAt.toISOString(),
    meta: {},
  };
}

export interface ApiChannelOptions {
  token: string;
  maxBodyBytes: number;
}

/**
 * The generic API channel: `POST /api/v1/messages` for systems that have no connector of their own
 * (the wallet app's in-app form, partners). It answers 202 only once Kafka acknowledged the message.
 * It has no `send`: an API client reads replies from `GET /api/v1/tickets/:id`.
 */
export class ApiChannel implements Connector {
  readonly name = 'api';
  readonly channels = ['api'] as const;
  readonly routes: readonly HttpRoute[];
  readonly pages = [{ name: 'API', path: API_MESSAGES_PATH, method: 'POST' as const }];
  private context: ConnectorContext | undefined;
  private accepted = 0;
  private failures = 0;
  private lastMessageAt: string | undefined;

  constructor(private readonly options: ApiChannelOptions) {
    this.routes = [{ method: 'POST', path: API_MESSAGES_PATH, maxBodyBytes: options.maxBodyBytes, handle: (request) => this.post(request) }];
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
  }

  async stop(): Promise<void> {
    this.context = undefined;
  }

  health(): ConnectorHealth {
    return {
      ready: this.context !== undefined,
      status: this.context ? 'accepting messages' : 'stopped',
      ...(this.lastMessageAt ? { lastMessageAt: this.lastMessageAt } : {}),
      errors: this.failures,
      details: { accepted: this.accepted },
    };
  }

  private async post(request: HttpRequest) {
    requireBearer(request, this.options.token);
    const context = this.context;
    if (!context) throw new HttpError(503, 'the API channel is not running');
    const body = parseBody(ApiMessageBody, jsonBody(request));
    const message = toInboundMessage(body);
    try {
      await context.emit([message]);
    } catch (error) {
      this.failures++;
      context.logger.error('could not produce an API message', { id: message.id, error });
      throw new HttpError(503, 'the message could not be stored; retry later with the same externalId');
    }
    this.accepted++;
    this.lastMessageAt = message.receivedAt;
    return json(202, { id: message.id, conversationKey: message.conversationKey });
  }
}

export function createApiChannel(options: ApiChannelOptions): ApiChannel {
  return new ApiChannel(options);
}
