import { z } from 'zod';
import { Category, Priority } from '@switchboard/schema';
import { HttpError, json, jsonBody, parseBody, pathParams, type HttpRequest, type HttpRoute } from '@switchboard/http';
import { TicketPatch, TicketStatus } from '@switchboard/ticket-store';
import { can, readSla, type SlaPolicy } from '@switchboard/team';
import type { Principal } from './people/authenticator.ts';
import { ViewAudit } from './people/view-audit.ts';
import { readableTicket, ReplyBody, ReplyQueue, replyResponse, type ReplyQueueOptions } from './replies.ts';
import { agentReplyDecision } from './reply-window.ts';
import type { TicketWallet } from './wallet.ts';

export { buildReply, ReplyBody } from './replies.ts';

export const TICKETS_PATH = '/api/v1/tickets';
const TICKET_PATH = '/api/v1/tickets/:id';
const REPLIES_PATH = '/api/v1/tickets/:id/replies';

const TicketQuery = z
  .object({
    status: TicketStatus.optional(),
    category: Category.optional(),
    priority: Priority.optional(),
    channel: z.string().min(1).optional(),
    language: z.string().min(1).optional(),
    q: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    offset: z.coerce.number().int().min(0).optional(),
    sort: z.enum(['newest', 'urgent']).optional(),
    /** A user id, `me`, or `none` (unassigned). */
    assignee: z.string().min(1).max(100).optional(),
    unassigned: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    spam: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  })
  .strict();

// Who made a correction is the signed-in person, never what the client says.
const PatchBody = TicketPatch.omit({ by: true }).refine((patch) => Object.keys(patch).length > 0, { message: 'nothing to change: give status, priority, category, assignee or spam' });

export interface ReadApiOptions extends Omit<ReplyQueueOptions, 'now'> {
  sla: SlaPolicy;
  /** The time reply windows are measured at; default the wall clock. */
  now?: () => Date;
  /** The wallet's ledger, when one is configured: the ticket then carries a `wallet` section. */
  wallet?: TicketWallet;
}

/**
 * The agents' API over the ticket store: list, read, update, reply, each allowed by the person's role
 * and limited to the queues they may see (analysts see everything, masked). A reply is produced to Kafka
 * before it is recorded, so a client that retries after any failure (same Idempotency-Key) still gets it
 * sent; the connectors send each outbound id once, whatever the topic holds. Every action is audited.
 */
export function readApiRoutes(options: ReadApiOptions): HttpRoute[] {
  const { store, producer, topics, channels, auth, access, team, logger } = options;
  const now = options.now ?? (() => new Date());
  const views = new ViewAudit(team.audit);
  const replies = new ReplyQueue({ store, producer, topics, channels, auth, access, team, logger, now });
  const readable = (principal: Principal, id: string) => readableTicket(store, access, principal, id);
  const idOf = (pattern: string, request: HttpRequest) => pathParams(pattern, request.path)!.id!;
  const slaOf = async (ids: readonly string[]) => new Map((await store.queue(ids)).map((row) => [row.id, readSla(row, options.sla, now())]));

  return [
    {
      method: 'GET',
      path: TICKETS_PATH,
      async handle(request) {
        const principal = await auth.require(request, 'tickets.read');
        // An empty parameter (a cleared search box) means no filter, not an invalid one.
        const given = Object.fromEntries([...request.query].filter(([, value]) => value !== ''));
        const { assignee, ...filter } = parseBody(TicketQuery, given, 'query');
        const who = assignee === 'none' ? { unassigned: true } : assignee ? { assignee: assignee === 'me' ? principal.user.id : assignee } : {};
        const tickets = await store.listTickets({ ...filter, ...who }, await access.visibility(principal));
        const sla = await slaOf(tickets.filter((t) => t.status !== 'resolved').map((t) => t.id));
        return json(200, { tickets: tickets.map((t) => ({ ...access.ticket(principal, t), ...(sla.get(t.id) ? { sla: sla.get(t.id) } : {}) })) });
      },
    },
    {
      method: 'GET',
      path: TICKET_PATH,
      async handle(request) {
        const principal = await auth.require(request, 'tickets.read');
        const { ticket, messages, tasks, related } = await readable(principal, idOf(TICKET_PATH, request));
        // Asked first and awaited last: the ledger's (at most 2 s) runs beside the store's reads.
        const wallet = options.wallet?.section(principal, ticket, messages);
        await views.viewed(auth.actor(request, principal), ticket.number);
        return json(200, {
          ticket: access.ticket(principal, ticket),
          messages: messages.map((m) => access.message(principal, m)),
          tasks,
          related: await access.related(principal, related, (ids) => store.queue(ids)),
          sla: (await slaOf([ticket.id])).get(ticket.id),
          replyWindow: agentReplyDecision(channels, ticket, messages, now()),
          ...(wallet ? { wallet: await wallet } : {}),
        });
      },
    },
    {
      method: 'PATCH',
      path: TICKET_PATH,
      maxBodyBytes: 16 * 1024,
      async handle(request) {
        const patch = parseBody(PatchBody, jsonBody(request));
        const principal = await auth.require(request, 'tickets.update');
        if (patch.assignee !== undefined && !can(principal.user.role, 'tickets.assign')) throw new HttpError(403, `the ${principal.user.role} role may not assign tickets`);
        const { ticket: before } = await readable(principal, idOf(TICKET_PATH, request));
        const ticket = (await store.updateTicket(before.id, { ...patch, by: principal.user.email }))!;
        const actor = auth.actor(request, principal);
        if (patch.category !== undefined && patch.category !== before.category) await team.audit.record(actor, 'ticket.correct', ticket.number, { field: 'category', from: before.category, to: patch.category });
        if (patch.priority !== undefined && patch.priority !== before.priority) await team.audit.record(actor, 'ticket.correct', ticket.number, { field: 'priority', from: before.priority, to: patch.priority });
        if (patch.assignee !== undefined) await team.audit.record(actor, 'ticket.assign', ticket.number, { from: before.assignee ?? null, to: patch.assignee });
        if (patch.status !== undefined && patch.status !== before.status) await team.audit.record(actor, 'ticket.status', ticket.number, { from: before.status, to: patch.status });
        return json(200, { ticket: access.ticket(principal, ticket) });
      },
    },
    {
      method: 'POST',
      path: REPLIES_PATH,
      maxBodyBytes: 256 * 1024,
      async handle(request) {
        const principal = await auth.require(request, 'tickets.reply');
        const body = parseBody(ReplyBody, jsonBody(request));
        const header = request.headers['idempotency-key'];
        const key = typeof header === 'string' && header.trim() ? header.trim() : undefined;
        return replyResponse(await replies.send(request, principal, idOf(REPLIES_PATH, request), body, key));
      },
    },
  ];
}
