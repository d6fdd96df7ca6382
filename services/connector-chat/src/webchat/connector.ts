import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Connector, ConnectorContext, ConnectorHealth, HttpRequest, HttpResponse, HttpRoute, SendResult, UpgradeRoute } from '@switchboard/connector-sdk';
import { messageId, type InboundMessageInput, type OutboundMessage } from '@switchboard/schema';
import { WEBCHAT_DEFAULTS, type WebchatConfig } from '../config.ts';
import { buildChatAssets, chatPageHeaders, type ChatAssets } from './assets.ts';
import { ConnectionCounter, SlidingWindowLimiter } from './limits.ts';
import { HistoryJournal } from './journal.ts';
import { IDENTITY_REFUSED, verifyWebchatIdentity } from './identity.ts';
import { ClientFrame, SESSION_ID, SESSION_TOKEN, type ErrorCode, type HistoryEntry, type ServerFrame } from './protocol.ts';
import { SessionStore, type Session } from './sessions.ts';
import { PermanentError } from '@switchboard/runtime';

export const WEBCHAT_ACCOUNT = 'web';
/** Frames of any kind one connection may send per 10 s before it is closed as abusive. */
const FRAMES_PER_10S = 40;
const HEARTBEAT_MS = 30_000;

export class WebchatSendError extends PermanentError {
  override readonly name = 'WebchatSendError';
}

/**
 * A session's public id from the browser's secret token. Conversation keys, topics and tickets carry
 * the id; only the token resumes the conversation, and the id does not give it away. A verified
 * customer's session is derived from their customerRef too: on a shared browser, someone signed in
 * as another customer, or not signed in, never opens their conversation with the same token.
 */
export function webchatSessionId(token: string, customerRef?: string): string {
  return createHash('sha256').update(customerRef === undefined ? token : `${token}\n${customerRef}`).digest('base64url').slice(0, 24);
}


export function webchatConversationKey(sessionId: string): string {
  return `webchat:${sessionId}`;
}

export function webchatMessageId(sessionId: string, clientId: string): string {
  return messageId('webchat', WEBCHAT_ACCOUNT, `${sessionId}:${clientId}`);
}

interface Client {
  socket: WebSocket;
  address: string;
  session?: Session;
  lang?: string;
  userAgent?: string;
  alive: boolean;
}

/**
 * The web chat: the page at /chat, the widget script at /chat/widget.js and the WebSocket at /chat/ws.
 * A customer message is acknowledged to the browser only after Kafka acknowledged its envelope, and
 * its id comes from the session and the browser's client id, so a resend after a dropped connection
 * is recognised instead of duplicated.
 */
export class WebchatConnector implements Connector {
  readonly name: string;
  readonly channels = ['webchat'] as const;
  readonly routes: readonly HttpRoute[];
  readonly pages = [{ name: 'web chat', path: '/chat' }];
  readonly upgrades: readonly UpgradeRoute[];

  private readonly sessions: SessionStore;
  private readonly clients = new Map<WebSocket, Client>();
  private readonly socketsBySession = new Map<string, Set<Client>>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly messageLimiter: SlidingWindowLimiter;
  private readonly frameLimiter = new SlidingWindowLimiter(FRAMES_PER_10S, 10_000);
  private readonly connections: ConnectionCounter;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private context?: ConnectorContext;
  private journal?: HistoryJournal;
  private assets?: ChatAssets;
  private heartbeat?: ReturnType<typeof setInterval>;
  private running = false;
  private errors = 0;
  private lastMessageAt?: string;

  /** `name` names checkpoints and the outbound consumer group: a second instance needs its own. */
  constructor(
    private readonly config: WebchatConfig = WEBCHAT_DEFAULTS,
    options: { name?: string } = {},
  ) {
    this.name = options.name ?? 'webchat';
    this.sessions = new SessionStore(config.maxSessions, config.historyPerSession);
    this.messageLimiter = new SlidingWindowLimiter(config.rateLimit.messages, config.rateLimit.windowMs);
    this.connections = new ConnectionCounter(config.maxConnectionsPerIp);
    const serve =
      (pick: (a: ChatAssets) => string, contentType: string, headersFor: (request: HttpRequest) => Record<string, string> = () => ({})) =>
      async (request: HttpRequest): Promise<HttpResponse> => {
        if (!this.assets) return { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'web chat not started' };
        return { status: 200, headers: { 'content-type': contentType, 'x-content-type-options': 'nosniff', ...headersFor(request) }, body: pick(this.assets) };
      };
    this.routes = [
      { method: 'GET', path: '/chat', handle: serve((a) => a.page, 'text/html; charset=utf-8', (request) => chatPageHeaders(request.headers.host, this.config.frameAncestors)) },
      { method: 'GET', path: '/chat/chat.js', handle: serve((a) => a.chatJs, 'text/javascript; charset=utf-8') },
      { method: 'GET', path: '/chat/chat.css', handle: serve((a) => a.chatCss, 'text/css; charset=utf-8') },
      { method: 'GET', path: '/chat/widget.js', handle: serve((a) => a.widgetJs, 'text/javascript; charset=utf-8', () => ({ 'cache-control': 'public, max-age=300' })) },
    ];
    this.upgrades = [{ path: '/chat/ws', handleUpgrade: (req, socket, head) => this.onUpgrade(req, socket, head) }];
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    this.assets = await buildChatAssets();
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.journal = HistoryJournal.open(context.dataDir, this.sessions, {
      compactAfter: this.config.maxSessions * this.config.historyPerSession,
      logger: context.logger,
    });
    this.running = true;
    context.logger.info('web chat started', { page: '/chat', widget: '/chat/widget.js', socket: '/chat/ws' });
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.heartbeat);
    // Messages being produced finish first, so nothing acknowledged is lost.
    await Promise.allSettled(this.inFlight.values());
    for (const client of this.wss.clients) client.close(1001, 'server stopping');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.journal?.close();
  }

  health(): ConnectorHealth {
    return {
      ready: this.running,
      status: this.running ? 'serving' : 'stopped',
      errors: this.errors,
      ...(this.lastMessageAt ? { lastMessageAt: this.lastMessageAt } : {}),
      details: { openSockets: this.wss.clients.size, sessions: this.sessions.size },
    };
  }

  /** An agent reply: shown live on the session's open pages, and kept in its history for later. */
  async send(message: OutboundMessage): Promise<SendResult> {
    const match = /^webchat:(.+)$/.exec(message.conversationKey);
    if (!match || !SESSION_ID.test(match[1]!)) throw new WebchatSendError(`not a web chat conversation key: ${message.conversationKey}`);
    const sessionId = match[1]!;
    const entry: HistoryEntry = { id: message.id, from: message.kind === 'ack' ? 'system' : 'agent', text: message.text, at: message.createdAt };
    if (this.remember(sessionId, entry)) this.broadcast(sessionId, { type: 'message', entry });
    return { externalId: message.id };
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!this.running) return refuse('503 Service Unavailable');
    if (!this.originAllowed(req)) return refuse('403 Forbidden');
    const address = req.socket.remoteAddress ?? 'unknown';
    if (!this.connections.tryOpen(address)) return refuse('429 Too Many Requests');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req, address));
  }

  /** Browsers always send Origin: a page of another site may not open a customer's session. */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (this.config.allowedOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  private onConnection(socket: WebSocket, req: IncomingMessage, address: string): void {
    const client: Client = { socket, address, alive: true, userAgent: req.headers['user-agent'] };
    const connectionKey = randomBytes(8).toString('hex');
    this.clients.set(socket, client);
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data, isBinary) => {
      if (!this.frameLimiter.take(connectionKey).allowed) return socket.close(1008, 'too many frames');
      if (isBinary) return this.reply(client, { type: 'error', code: 'bad_frame', message: 'text frames only' });
      void this.onFrame(client, data.toString()).catch((error: unknown) => {
        this.errors++;
        this.context?.logger.error('web chat frame failed', { error });
      });
    });
    socket.on('close', () => {
      this.connections.close(address);
      this.clients.delete(socket);
      this.frameLimiter.forget(connectionKey);
      if (client.session) this.leave(client.session.id, client);
    });
    socket.on('error', (error) => this.context?.logger.warn('web chat socket error', { error }));
  }

  private async onFrame(client: Client, raw: string): Promise<void> {
    let frame: ClientFrame;
    try {
      frame = ClientFrame.parse(JSON.parse(raw));
    } catch (error) {
      const clientId = safeClientId(raw);
      return this.fail(client, 'bad_frame', `unreadable frame: ${error instanceof Error ? error.message.slice(0, 200) : 'invalid'}`, clientId);
    }
    if (frame.type === 'hello') return this.onHello(client, frame);
    const session = client.session;
    if (!session) return this.fail(client, 'not_ready', 'send hello first');
    if (frame.type === 'profile') {
      session.profile = frame.profile;
      return;
    }
    await this.onMessage(client, session, frame.clientId, frame.text);
  }

  private onHello(client: Client, hello: Extract<ClientFrame, { type: 'hello' }>): void {
    if (client.session) this.leave(client.session.id, client);
    const token = hello.token && SESSION_TOKEN.test(hello.token) ? hello.token : randomBytes(24).toString('base64url');
    // Checked on every hello, so an expired token stops verifying at the next reconnect.
    const identity = hello.identity === undefined ? undefined : verifyWebchatIdentity(this.config.identitySecret, hello.identity);
    const customerRef = identity?.ok ? identity.customerRef : undefined;
    const sessionId = webchatSessionId(token, customerRef);
    const session = this.sessions.open(sessionId);
    if (customerRef) session.customerRef = customerRef;
    if (hello.profile && (hello.profile.name || hello.profile.email)) session.profile = hello.profile;
    client.session = session;
    client.lang = hello.lang;
    let sockets = this.socketsBySession.get(sessionId);
    if (!sockets) this.socketsBySession.set(sessionId, (sockets = new Set()));
    sockets.add(client);
    this.reply(client, { type: 'welcome', token, sessionId, verified: customerRef !== undefined, history: session.history, limits: { maxChars: this.config.maxMessageChars } });
    if (identity && !identity.ok) {
      // The reason only: neither the token nor the reference it claims is logged.
      this.context?.logger.warn('web chat identity refused: the session continues anonymous', { reason: identity.reason });
      this.reply(client, { type: 'error', code: 'identity_refused', reason: identity.reason, message: IDENTITY_REFUSED[identity.reason] });
    }
  }

  private async onMessage(client: Client, session: Session, clientId: string, rawText: string): Promise<void> {
    const known = session.history.find((e) => e.clientId === clientId);
    if (known) return this.reply(client, { type: 'ack', clientId, id: known.id });
    const key = `${session.id}:${clientId}`;
    const running = this.inFlight.get(key);
    if (running) {
      const id = await running.catch(() => undefined);
      if (id) this.reply(client, { type: 'ack', clientId, id });
      return;
    }
    const text = rawText.trim();
    if (!text) return this.fail(client, 'bad_frame', 'empty message', clientId);
    if ([...text].length > this.config.maxMessageChars) return this.fail(client, 'too_long', `messages are limited to ${this.config.maxMessageChars} characters`, clientId);
    const limit = this.messageLimiter.take(session.id);
    if (!limit.allowed) return this.fail(client, 'rate_limited', `at most ${this.config.rateLimit.messages} messages per ${this.config.rateLimit.windowMs / 1000} s`, clientId, limit.retryAfterMs);

    const produce = this.produce(client, session, clientId, text);
    this.inFlight.set(key, produce);
    try {
      const id = await produce;
      this.reply(client, { type: 'ack', clientId, id });
    } catch (error) {
      this.errors++;
      this.context?.logger.error('web chat message not produced', { sessionId: session.id, clientId, error });
      // Not acknowledged: the browser keeps it and resends it under the same client id.
      this.fail(client, 'unavailable', 'message not saved yet, retrying', clientId, 3_000);
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async produce(client: Client, session: Session, clientId: string, text: string): Promise<string> {
    const context = this.context;
    if (!context) throw new Error('web chat not started');
    const now = new Date().toISOString();
    const envelope: InboundMessageInput = {
      schemaVersion: 1,
      id: webchatMessageId(session.id, clientId),
      channel: 'webchat',
      account: WEBCHAT_ACCOUNT,
      externalId: `${session.id}:${clientId}`,
      conversationKey: webchatConversationKey(session.id),
      sender: {
        id: session.id,
        ...(session.profile.name ? { name: session.profile.name } : {}),
        ...(session.profile.email ? { address: session.profile.email } : {}),
        ...(session.customerRef ? { customerRef: session.customerRef } : {}),
      },
      text,
      sentAt: now,
      receivedAt: now,
      meta: { clientId, ...(client.lang ? { lang: client.lang } : {}), ...(client.userAgent ? { userAgent: client.userAgent.slice(0, 300) } : {}) },
    };
    await context.emit([envelope]);
    const entry: HistoryEntry = { id: envelope.id, from: 'customer', text, at: now, clientId };
    this.remember(session.id, entry);
    this.broadcast(session.id, { type: 'message', entry }, client);
    this.lastMessageAt = now;
    return envelope.id;
  }

  /** Keeps the entry in the session's history, in memory and on disk; false when it was there already. */
  private remember(sessionId: string, entry: HistoryEntry): boolean {
    const added = this.sessions.append(sessionId, entry);
    if (added) this.journal?.record(sessionId, entry);
    return added;
  }

  private leave(sessionId: string, client: Client): void {
    const sockets = this.socketsBySession.get(sessionId);
    sockets?.delete(client);
    if (sockets?.size === 0) this.socketsBySession.delete(sessionId);
  }

  private broadcast(sessionId: string, frame: ServerFrame, except?: Client): void {
    for (const client of this.socketsBySession.get(sessionId) ?? []) if (client !== except) this.reply(client, frame);
  }

  private reply(client: Client, frame: ServerFrame): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(frame));
  }

  private fail(client: Client, code: ErrorCode, message: string, clientId?: string, retryAfterMs?: number): void {
    this.reply(client, { type: 'error', code, message, ...(clientId ? { clientId } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  /** Drops connections that stopped answering pings (a phone that went away without closing). */
  private checkAlive(): void {
    for (const client of this.clients.values()) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }
}

/** The client id of a frame that failed validation, when it has one, so the browser can mark it. */
function safeClientId(raw: string): string | undefined {
  try {
    const id = (JSON.parse(raw) as { clientId?: unknown }).clientId;
    return typeof id === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export function createWebchatConnector(config?: WebchatConfig, options?: { name?: string }): WebchatConnector {
  return new WebchatConnector(config, options);
}
