import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { resolveStorageRef } from '@switchboard/connector-sdk';
import { HttpError, json, jsonBody, parseBody, pathParams, type HttpRequest, type HttpResponse, type HttpRoute } from '@switchboard/http';
import { sha256Hex } from '@switchboard/runtime';
import { stableId } from '@switchboard/schema';
import { seesCustomerDetails, type TeamStore } from '@switchboard/team';
import type { TicketDetail, TicketStore } from '@switchboard/ticket-store';
import type { TicketAccess } from './people/access.ts';
import type { Authenticator, Principal } from './people/authenticator.ts';
import { readableTicket } from './replies.ts';

const TASKS_PATH = '/api/v1/tickets/:id/tasks';
const TASK_PATH = '/api/v1/tickets/:id/tasks/:task';
const ATTACHMENT_PATH = '/api/v1/tickets/:id/messages/:message/attachments/:index';

const TaskBody = z.object({ text: z.string().trim().min(1).max(2_000) }).strict();
const TaskPatch = z.object({ done: z.boolean() }).strict();

/** Served as they are only when a browser cannot run them; anything else is a download. */
const INLINE = /^(audio|image|video)\/[a-z0-9.+-]+$/;

export interface TicketWorkOptions {
  store: TicketStore;
  auth: Authenticator;
  access: TicketAccess;
  team: TeamStore;
  /** The connectors' data folder: attachment `storageRef`s are relative to it. */
  attachmentsDir: string;
}

/**
 * What agents do on a ticket besides replying, and what they open on it: tasks (a call back, when the
 * channel carries no reply), each created once per Idempotency-Key and marked done; and the bytes of
 * an attachment a connector kept (a call's recording, a mail's PDF), checked against its SHA-256.
 */
export function ticketWorkRoutes(options: TicketWorkOptions): HttpRoute[] {
  const { store, auth, access, team } = options;
  const params = (pattern: string, request: HttpRequest) => pathParams(pattern, request.path)!;
  const readable = (principal: Principal, given: string) => readableTicket(store, access, principal, given);
  return [
    {
      method: 'POST',
      path: TASKS_PATH,
      maxBodyBytes: 16 * 1024,
      async handle(request) {
        const principal = await auth.require(request, 'tickets.update');
        const { text } = parseBody(TaskBody, jsonBody(request));
        const given = params(TASKS_PATH, request).id!;
        // The task's id follows from the ticket's own id, however the request named the ticket.
        const { ticket } = await readable(principal, given);
        const header = request.headers['idempotency-key'];
        const key = typeof header === 'string' && header.trim() ? header.trim() : randomUUID();
        const result = await store.addTask(ticket.id, { id: stableId('task', ticket.id, key), text });
        if (!result) throw new HttpError(404, `no ticket ${given}`);
        if (result.created) await team.audit.record(auth.actor(request, principal), 'ticket.task', ticket.number, { task: result.task.id });
        return json(result.created ? 201 : 200, { task: result.task, ...(result.created ? {} : { duplicate: true }) });
      },
    },
    {
      method: 'PATCH',
      path: TASK_PATH,
      maxBodyBytes: 4 * 1024,
      async handle(request) {
        const principal = await auth.require(request, 'tickets.update');
        const { done } = parseBody(TaskPatch, jsonBody(request));
        const { id, task } = params(TASK_PATH, request);
        const { ticket } = await readable(principal, id!);
        const updated = await store.setTaskDone(ticket.id, task!, done);
        if (!updated) throw new HttpError(404, `ticket ${id} has no task ${task}`);
        await team.audit.record(auth.actor(request, principal), 'ticket.task', ticket.number, { task: updated.id, done });
        return json(200, { task: updated });
      },
    },
    {
      method: 'GET',
      path: ATTACHMENT_PATH,
      async handle(request) {
        const principal = await auth.require(request, 'tickets.read');
        // A recording or a scanned card is the customer's own: not for the roles that see them masked.
        if (!seesCustomerDetails(principal.user.role)) throw new HttpError(403, `the ${principal.user.role} role may not open attachments`);
        const p = params(ATTACHMENT_PATH, request);
        const found = await readable(principal, p.id!);
        await team.audit.record(auth.actor(request, principal), 'ticket.attachment', found.ticket.number, { message: p.message, index: Number(p.index) });
        return serveAttachment(options.attachmentsDir, found, p);
      },
    },
  ];
}

async function serveAttachment(attachmentsDir: string, found: TicketDetail, p: Record<string, string>): Promise<HttpResponse> {
  const message = found.messages.find((m) => m.id === p.message);
  const file = message?.attachments[Number(p.index)];
  if (!message || !file || !/^\d+$/.test(p.index!)) throw new HttpError(404, 'no such attachment');
  const path = file.storageRef ? resolveStorageRef(attachmentsDir, file.storageRef) : undefined;
  if (!path) throw new HttpError(404, `the bytes of ${file.name} were not kept`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new HttpError(404, `the bytes of ${file.name} are not in the attachment store`);
  }
  if (file.sha256 && sha256Hex(bytes) !== file.sha256) throw new HttpError(409, `the stored bytes of ${file.name} do not match its SHA-256`);
  const contentType = INLINE.test(file.contentType) ? file.contentType : 'application/octet-stream';
  const filename = encodeURIComponent(file.name);
  return {
    status: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `${INLINE.test(file.contentType) ? 'inline' : 'attachment'}; filename*=UTF-8''${filename}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    },
    body: bytes,
  };
}
