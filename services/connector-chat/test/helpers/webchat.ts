import WebSocket from 'ws';
import type { OutboundMessageInput } from '@switchboard/schema';
import type { ServerFrame } from '../../src/webchat/protocol.ts';

/** An agent's reply to a web chat session, as the outbound topic carries it. */
export function agentReply(sessionId: string, id: string, text: string, ticketNumber = 'SB-000007'): OutboundMessageInput {
  return {
    schemaVersion: 1,
    id,
    kind: 'reply',
    ticketId: `t-${ticketNumber}`,
    ticketNumber,
    channel: 'webchat',
    account: 'web',
    conversationKey: `webchat:${sessionId}`,
    recipient: { id: sessionId },
    text,
    createdAt: new Date().toISOString(),
  };
}

/** A scripted browser stand-in speaking the web chat's WebSocket protocol. */
export class ChatClient {
  readonly frames: ServerFrame[] = [];
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
  }

  static async connect(wsUrl: string, headers: Record<string, string> = {}): Promise<ChatClient> {
    const socket = new WebSocket(wsUrl, { headers });
    const client = new ChatClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The first frame (already received or still to come) that matches. */
  next<T extends ServerFrame['type']>(type: T, match: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true, timeoutMs = 10_000): Promise<Extract<ServerFrame, { type: T }>> {
    const test = (f: ServerFrame): boolean => f.type === type && match(f as Extract<ServerFrame, { type: T }>);
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen as Extract<ServerFrame, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 500)}`)), timeoutMs);
      this.waiters.push({ match: test, resolve: (f) => (clearTimeout(timer), resolve(f as Extract<ServerFrame, { type: T }>)) });
    });
  }

  /** Opens (or with its token, resumes) a session; `identity`: the token the wallet's site signed. */
  async hello(token?: string, profile?: { name?: string; email?: string }, identity?: string) {
    this.send({ type: 'hello', ...(token ? { token } : {}), ...(identity ? { identity } : {}), ...(profile ? { profile } : {}), lang: 'en' });
    return this.next('welcome');
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
