import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

export const SIGNING_SECRET = 'test-signing-secret-8f2a61c0d9';
export const BOT_TOKEN = 'xoxb-test-0000-bot-token';
export const APP_TOKEN = 'xapp-1-A0SWITCHBOARD-0000-app-token';

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), 'utf8');
}

/** Slack's request signature: v0= hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. */
export function slackHeaders(body: string, options: { secret?: string; timestamp?: number; retryNum?: number } = {}): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = 'v0=' + createHmac('sha256', options.secret ?? SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
    ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
  };
}

export async function postEvent(baseUrl: string, body: string, options: Parameters<typeof slackHeaders>[1] = {}): Promise<Response> {
  return fetch(`${baseUrl}/slack/events`, { method: 'POST', headers: slackHeaders(body, options), body });
}

/** An event_callback whose message text and ts are ours to choose. */
export function messageEvent(options: { text: string; ts: string; eventId: string; channel?: string; threadTs?: string }): string {
  const event = JSON.parse(fixture('message.json')) as { event: Record<string, unknown>; event_id: string };
  event.event = { ...event.event, text: options.text, ts: options.ts, event_ts: options.ts, channel: options.channel ?? 'C0SUPPORT', ...(options.threadTs ? { thread_ts: options.threadTs } : {}) };
  event.event_id = options.eventId;
  return JSON.stringify(event);
}

export interface ApiCall {
  method: string;
  params: Record<string, string>;
  authorization: string | undefined;
}

/**
 * A local stand-in for the Slack Web API (https://slack.com/api/<method>), answering the shapes the
 * real one does: form-encoded or JSON arguments in, `{ ok, ... }` out. It also stands in for Socket
 * Mode: `apps.connections.open` hands out a WebSocket URL on this server, which says hello and then
 * carries the envelopes `deliver` sends; the client's acknowledgements are kept in `acks`.
 */
export class FakeSlackApi {
  readonly calls: ApiCall[] = [];
  /** Envelope ids acknowledged over the socket, in order. */
  readonly acks: string[] = [];
  private server?: Server;
  private nextTs = 1732470000;
  private readonly sockets = new WebSocketServer({ noServer: true });
  /** The connection Slack delivers on: the newest one, until it is closed or asked to reconnect. */
  private socket?: WebSocket;
  private socketsOpened = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
        const params = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(raw || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
        this.calls.push({ method, params, authorization: req.headers.authorization });
        res.setHeader('content-type', 'application/json');
        if (method === 'apps.connections.open') {
          const { port } = this.server!.address() as AddressInfo;
          res.end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}` }));
        } else if (method === 'chat.postMessage') {
          const ts = `${this.nextTs++}.000100`;
          res.end(JSON.stringify({ ok: true, channel: params.channel, ts, message: { text: params.text, ts, thread_ts: params.thread_ts } }));
        } else {
          res.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
        }
      });
    });
    this.server.on('upgrade', (req, socket, head) =>
      this.sockets.handleUpgrade(req, socket, head, (ws) => {
        this.socket = ws;
        this.socketsOpened++;
        ws.on('message', (data) => {
          const message = JSON.parse(String(data)) as { envelope_id?: string };
          if (message.envelope_id) this.acks.push(message.envelope_id);
        });
        // Slack pings every few seconds; a client that hears none for 30 s reconnects.
        const pinging = setInterval(() => ws.ping(), 5_000);
        ws.on('close', () => {
          clearInterval(pinging);
          if (this.socket === ws) this.socket = undefined;
        });
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0SWITCHBOARD' }, debug_info: { host: 'fake-applink' } }));
      }),
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
  }

  /** Socket Mode connections asked for with apps.connections.open so far. */
  get connections(): number {
    return this.calls.filter((c) => c.method === 'apps.connections.open').length;
  }

  /** WebSockets the client has opened so far: a connection asked for is usable only once counted here. */
  get socketsConnected(): number {
    return this.socketsOpened;
  }

  /**
   * What Slack sends before it recycles a connection: the client is to open a new one. Slack delivers
   * nothing more on the old one, so neither does `deliver`.
   */
  askToReconnect(): void {
    this.socket?.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake-applink' } }));
    this.socket = undefined;
  }

  /** Sends an Events API body (an event_callback) as a Socket Mode envelope; returns its id. */
  deliver(body: string, retryAttempt = 0): string {
    if (!this.socket || this.socket.readyState !== this.socket.OPEN) throw new Error('no open Socket Mode connection to deliver on');
    const envelopeId = randomUUID();
    this.socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type: 'events_api',
        payload: JSON.parse(body) as unknown,
        accepts_response_payload: false,
        retry_attempt: retryAttempt,
        retry_reason: retryAttempt > 0 ? 'timeout' : '',
      }),
    );
    return envelopeId;
  }

  posted(): ApiCall[] {
    return this.calls.filter((c) => c.method === 'chat.postMessage');
  }

  async stop(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
