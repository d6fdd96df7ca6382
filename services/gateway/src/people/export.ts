import { z } from 'zod';
import { Category } from '@switchboard/schema';
import { json, parseBody, type HttpRoute } from '@switchboard/http';
import type { TeamStore } from '@switchboard/team';
import type { TicketStore } from '@switchboard/ticket-store';
import type { TicketAccess } from './access.ts';
import type { Authenticator } from './authenticator.ts';

export const EXPORT_PATH = '/api/v1/export';
/** One call's tickets at most: the ticket list's own limit; later pages with `since`. */
const EXPORT_MAX = 500;

const ExportQuery = z
  .object({
    since: z.iso.datetime({ offset: true }).optional().describe('Tickets with activity at or after this time.'),
    category: Category.optional(),
    limit: z.coerce.number().int().min(1).max(EXPORT_MAX).optional(),
  })
  .strict();

/**
 * `GET /api/v1/export`: tickets with their messages as JSON lines, newest activity first, for analysts
 * (masked as they read everything), supervisors and admins. Audited with what was exported.
 */
export function exportRoute(store: TicketStore, team: TeamStore, auth: Authenticator, access: TicketAccess): HttpRoute {
  return {
    method: 'GET',
    path: EXPORT_PATH,
    async handle(request) {
      const principal = await auth.require(request, 'tickets.export');
      const query = parseBody(ExportQuery, Object.fromEntries(request.query), 'query');
      const since = query.since ? Date.parse(query.since) : undefined;
      const listed = await store.listTickets({ limit: query.limit ?? EXPORT_MAX, ...(query.category ? { category: query.category } : {}) }, await access.visibility(principal));
      const lines: string[] = [];
      for (const summary of listed.filter((t) => since === undefined || Date.parse(t.lastMessageAt) >= since)) {
        const found = await store.getTicket(summary.id);
        if (!found) continue;
        lines.push(JSON.stringify({ ticket: access.ticket(principal, found.ticket), messages: found.messages.map((m) => access.message(principal, m)) }));
      }
      await team.audit.record(auth.actor(request, principal), 'export', undefined, { tickets: lines.length, ...query });
      if (request.headers.accept === 'application/json') return json(200, { tickets: lines.map((l) => JSON.parse(l) as unknown) });
      return { status: 200, headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'content-disposition': 'attachment; filename="switchboard-export.jsonl"' }, body: lines.join('\n') + (lines.length ? '\n' : '') };
    },
  };
}
