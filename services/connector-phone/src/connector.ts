import { createHmac } from 'node:crypto';
import type { Connector, ConnectorContext, ConnectorHealth, HttpRoute } from '@switchboard/connector-sdk';
import { HttpError, json, jsonBody } from '@switchboard/http';
import { safeEqual } from '@switchboard/runtime';
import type { PhoneConfig } from './config.ts';
import { PhonePayload, normalizePhone } from './normalize.ts';

export class PhoneConnector implements Connector {
  readonly name = 'phone';
  readonly channels = ['phone'] as const;
  readonly routes: HttpRoute[];
  private context: ConnectorContext | undefined;
  private lastMessageAt: string | undefined;

  constructor(private readonly config: PhoneConfig) {
    this.routes = [{ method: 'POST', path: '/webhooks/phone', maxBodyBytes: 256 * 1024, handle: (request) => this.receive(request) }];
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
  }

  async stop(): Promise<void> {
    this.context = undefined;
  }

  health(): ConnectorHealth {
    return { ready: this.context !== undefined, status: this.context ? 'listening' : 'stopped', ...(this.lastMessageAt ? { lastMessageAt: this.lastMessageAt } : {}) };
  }

  private async receive(request: Parameters<Extract<HttpRoute, { handle: unknown }>['handle']>[0]) {
    const expected = createHmac('sha256', this.config.webhookSecret).update(request.rawBody).digest('hex');
    const signature = request.headers['x-signature'];
    if (!safeEqual(typeof signature === 'string' ? signature : undefined, expected)) throw new HttpError(401, 'bad signature');
    if (!this.context) throw new HttpError(503, 'connector not started');
    const parsed = PhonePayload.safeParse(jsonBody(request));
    if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    await this.context.emit([normalizePhone(parsed.data, this.config.account)]);
    this.lastMessageAt = new Date().toISOString();
    return json(202, { accepted: parsed.data.id });
  }
}
