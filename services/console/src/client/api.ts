import type { RelatedConversation, StoredMessage, TicketSummary, TicketTask } from '@switchboard/ticket-store';
import type { ChannelHealth } from '../channels.ts';
import type { DeadLetterEntry, ReplayOutcome } from '../dead-letters.ts';
import type { PipelineStats } from '../pipeline.ts';

const TOKEN_KEY = 'switchboard.console.token';

/** The server refused the token: the console goes back to the sign-in form. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** Any other failed call, with the server's own error message when it gave one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  token?: string;
  /** A 409 whose body is an answer, not a failure (a dead letter that cannot be replayed). */
  conflictIsAnswer?: boolean;
}

async function call<T>(path: string, init: CallOptions = {}): Promise<T> {
  const token = init.token ?? savedToken() ?? '';
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    cache: 'no-store',
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.status === 401) throw new UnauthorizedError('unauthorized');
  if (!response.ok && !(response.status === 409 && init.conflictIsAnswer && body)) {
    const message = (body as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body as T;
}

/** What the channel's reply policy says about replying now (the server's ReplyDecision). */
export type ReplyWindow =
  | { allowed: true; mode?: string; closesAt?: string; remaining?: number }
  | { allowed: false; code: 'window-closed' | 'template-only' | 'quota-exhausted' | 'not-for-automatic' | 'no-customer-message' | 'receive-only'; reason: string };

export interface TicketQuery {
  status?: string;
  category?: string;
  priority?: string;
  channel?: string;
  language?: string;
  q?: string;
  sort?: string;
}

export const api = {
  /** Any bearer-protected call proves the token; this one is cheap. */
  checkToken: (token: string) => call<{ channels: ChannelHealth[] }>('/api/v1/console/channels', { token }),
  tickets(query: TicketQuery) {
    const params = new URLSearchParams({ limit: '200' });
    for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
    return call<{ tickets: TicketSummary[] }>(`/api/v1/tickets?${params}`);
  },
  ticket: (id: string) =>
    call<{ ticket: TicketSummary; messages: StoredMessage[]; tasks: TicketTask[]; related: RelatedConversation[]; replyWindow: ReplyWindow }>(`/api/v1/tickets/${encodeURIComponent(id)}`),
  addTask: (id: string, text: string, idempotencyKey: string) =>
    call<{ task: TicketTask }>(`/api/v1/tickets/${encodeURIComponent(id)}/tasks`, { method: 'POST', body: { text }, headers: { 'idempotency-key': idempotencyKey } }),
  setTaskDone: (id: string, taskId: string, done: boolean) =>
    call<{ task: TicketTask }>(`/api/v1/tickets/${encodeURIComponent(id)}/tasks/${encodeURIComponent(taskId)}`, { method: 'PATCH', body: { done } }),
  /** An attachment's bytes, read with the token (an <audio src> could not send it) for an object URL. */
  async attachment(ticketId: string, messageId: string, index: number): Promise<Blob> {
    const response = await fetch(`/api/v1/tickets/${encodeURIComponent(ticketId)}/messages/${encodeURIComponent(messageId)}/attachments/${index}`, {
      headers: { authorization: `Bearer ${savedToken() ?? ''}` },
      cache: 'no-store',
    });
    if (response.status === 401) throw new UnauthorizedError('unauthorized');
    if (!response.ok) throw new ApiError(response.status, ((await response.json().catch(() => undefined)) as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`);
    return response.blob();
  },
  patchTicket: (id: string, patch: Record<string, string>) => call<{ ticket: TicketSummary }>(`/api/v1/tickets/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
  reply: (id: string, text: string, idempotencyKey: string, isPublic: boolean) =>
    call<{ id: string; state?: string; duplicate?: boolean }>(`/api/v1/tickets/${encodeURIComponent(id)}/replies`, {
      method: 'POST',
      body: isPublic ? { text, public: true } : { text },
      headers: { 'idempotency-key': idempotencyKey },
    }),
  pipeline: () => call<PipelineStats>('/api/v1/console/pipeline'),
  channels: () => call<{ channels: ChannelHealth[] }>('/api/v1/console/channels'),
  deadLetters: (limit = 20) => call<{ size: number | null; total: number; entries: DeadLetterEntry[] }>(`/api/v1/console/dlq?limit=${limit}`),
  replay: (id: string) => call<ReplayOutcome & { error?: string }>('/api/v1/console/dlq/replay', { method: 'POST', body: { id }, conflictIsAnswer: true }),
};

export type { ChannelHealth, DeadLetterEntry, PipelineStats, RelatedConversation, StoredMessage, TicketSummary, TicketTask };
