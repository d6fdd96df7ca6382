import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute } from '@switchboard/http';
import type { Logger } from '@switchboard/runtime';
import type { TicketEvent, TicketStore } from '@switchboard/ticket-store';
import type { TicketAccess } from './access.ts';
import type { Authenticator, Principal } from './authenticator.ts';
import type { Presence } from './presence.ts';

export const EVENTS_PATH = '/api/v1/events';
const POLL_MS = 300;
const HEARTBEAT_MS = 15_000;
const REPLAY_LIMIT = 1_000;

interface Client {
  principal: Principal;
  response: ServerResponse;
  /** The last event id this client has been sent. */
  last: bigint;
}

/** The fields of an event a console needs: what changed, never a customer's words or details. */
function wireOf(event: TicketEvent): string {
  const { id, type, ticketId, at, data } = event;
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ id, type, ticketId, at, data })}\n\n`;
}

/**
 * The live console: `GET /api/v1/events`, server-sent events of every change a person may see (new
 * messages, assignments, status changes, delivery states), resumed after `Last-Event-ID` when the
 * browser reconnects. One reader follows the database's event feed for every client at once, and only
 * while someone listens.
 */
export class EventStream {
  private readonly clients = new Set<Client>();
  private last = 0n;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(
    private readonly store: TicketStore,
    private readonly auth: Authenticator,
    private readonly access: TicketAccess,
    private readonly presence: Presence,
    private readonly logger: Logger,
  ) {}

  route(): HttpRoute {
    return { method: 'GET', path: EVENTS_PATH, node: (request, response) => void this.open(request, response) };
  }

  private async open(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let principal: Principal | undefined;
    try {
      principal = await this.auth.principal({ headers: request.headers });
    } catch (error) {
      this.logger.error('live events: authentication failed', { error });
    }
    if (!principal) {
      response.writeHead(401, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: 'sign in first' }));
      return;
    }
    const resumeFrom = request.headers['last-event-id'] ?? new URL(request.url ?? '/', 'http://x').searchParams.get('after') ?? undefined;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    response.write('retry: 2000\n\n');
    const client: Client = { principal, response, last: 0n };
    const offline = this.presence.connected(principal.user.id);
    request.on('close', () => {
      this.clients.delete(client);
      offline();
      if (this.clients.size === 0) this.idle();
    });
    try {
      if (typeof resumeFrom === 'string' && /^\d+$/.test(resumeFrom)) {
        client.last = BigInt(resumeFrom);
        for (const event of await this.store.eventsAfter(resumeFrom, REPLAY_LIMIT)) await this.deliver(client, event);
      } else client.last = BigInt(await this.store.lastEventId());
    } catch (error) {
      this.logger.error('live events: the feed could not be read', { error });
      response.end();
      return;
    }
    if (this.clients.size === 0) this.last = this.last > client.last ? this.last : client.last;
    this.clients.add(client);
    response.write(`event: ready\ndata: ${JSON.stringify({ after: client.last.toString() })}\n\n`);
    this.run();
  }

  private run(): void {
    this.timer ??= setInterval(() => void this.tick(), POLL_MS);
    this.heartbeat ??= setInterval(() => {
      for (const client of this.clients) client.response.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
  }

  private idle(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = this.heartbeat = undefined;
  }

  private async tick(): Promise<void> {
    if (this.reading || this.clients.size === 0) return;
    this.reading = true;
    try {
      const from = [...this.clients].reduce((min, c) => (c.last < min ? c.last : min), this.last);
      const events = await this.store.eventsAfter(from.toString(), REPLAY_LIMIT);
      for (const event of events) {
        for (const client of this.clients) await this.deliver(client, event);
        this.last = BigInt(event.id);
      }
    } catch (error) {
      this.logger.warn('live events: the feed could not be read; trying again', { error });
    } finally {
      this.reading = false;
    }
  }

  private async deliver(client: Client, event: TicketEvent): Promise<void> {
    const id = BigInt(event.id);
    if (id <= client.last) return;
    client.last = id;
    const ticket = { category: String(event.data.category ?? ''), assignee: typeof event.data.assignee === 'string' ? event.data.assignee : undefined };
    // An agent also hears of a ticket leaving them (reassigned), so their view drops it.
    const left = event.data.previousAssignee === client.principal.user.id;
    if (left || (await this.access.mayRead(client.principal, ticket))) client.response.write(wireOf(event));
  }

  close(): void {
    this.idle();
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }
}
