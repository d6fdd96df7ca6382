import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { resolveStorageRef } from '@switchboard/connector-sdk';
import { HttpError, json, jsonBody, parseBody, pathParams, requireBearer, type HttpRequest, type HttpResponse, type HttpRoute } from '@switchboard/http';
import { sha256Hex } from '@switchboard/runtime';
import { stableId } from '@switchboard/schema';
import type { TicketStore } from '@switchboard/ticket-store';

const TASKS_PATH = '/api/v1/tickets/:id/tasks';
const TASK_PATH = '/api/v1/tickets/:id/tasks/:task';
const ATTACHMENT_PATH = '/api/v1/tickets/:id/messages/:message/attachments/:index';

const TaskBody = z.object({ text: z.string().trim().min(1).max(2_000) }).strict();
const TaskPatch = z.object({ done: z.boolean() }).strict();

/** Served as they are only when a browser cannot run them; anything else is a download. */
const INLINE = /^(audio|image|video)\/[a-z0-9.+-]+$/;

export interface TicketWorkOptions {
  store: TicketStore;
  token: string;
  /** The connectors' data folder: attachment `storageRef`s are relative to it. */
  attachmentsDir: string;
}

/**
 * What agents do on a ticket besides replying, and what they open on it: tasks (a call back, when the
 * channel carries no reply), each created once per Idempotency-Key and marked done; and the bytes of
 * an attachment a connector kept (a call's recording, a mail's PDF), checked against its SHA-256.
 */
export function ticketWorkRoutes(options: TicketWorkOptions): HttpRoute[] {
  const { store, token } = options;
  const params = (pattern: string, request: HttpRequest) => pathParams(pattern, request.path)!;
  return [
    {
      method: 'POST',
      path: TASKS_PATH,
      maxBodyBytes: 16 * 1024,
      async handle(request) {
        requireBearer(request, token);
        const { text } = parseBody(TaskBody, jsonBody(request));
        const given = params(TASKS_PATH, request).id!;
        // The task's id follows from the ticket's own id, however the request named the ticket.
        const ticket = (await store.getTicket(given))?.ticket;
        if (!ticket) throw new HttpError(404, `no ticket ${given}`);
        const header = request.headers['idempotency-key'];
        const key = typeof header === 'string' && header.trim() ? header.trim() : randomUUID();
        const result = await store.addTask(ticket.id, { id: stableId('task', ticket.id, key), text });
        if (!result) throw new HttpError(404, `no ticket ${given}`);
        return json(result.created ? 201 : 200, { task: result.task, ...(result.created ? {} : { duplicate: true }) });
      },
    },
    {
      method: 'PATCH',
      path: TASK_PATH,
      maxBodyBytes: 4 * 1024,
      async handle(request) {
        requireBearer(request, token);
        const { done } = parseBody(TaskPatch, jsonBody(request));
        const { id, task } = params(TASK_PATH, request);
        const updated = await store.setTaskDone(id!, task!, done);
        if (!updated) throw new HttpError(404, `ticket ${id} has no task ${task}`);
        return json(200, { task: updated });
      },
    },
    {
      method: 'GET',
      path: ATTACHMENT_PATH,
      async handle(request) {
        requireBearer(request, token);
        return serveAttachment(options, params(ATTACHMENT_PATH, request));
      },
    },
  ];
}

async function serveAttachment({ store, attachmentsDir }: TicketWorkOptions, p: Record<string, string>): Promise<HttpResponse> {
  const found = await store.getTicket(p.id!);
  const message = found?.messages.find((m) => m.id === p.message);
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
