import type { RelatedConversation, StoredMessage, TicketSummary, TicketTask } from '@switchboard/ticket-store';
import type { ChannelHealth } from '../channels.ts';
import type { DeadLetterEntry, ReplayOutcome } from '../dead-letters.ts';
import type { PipelineStats } from '../pipeline.ts';
import type { WalletSection } from '@switchboard/wallet';

/** The ticket's wallet section (the gateway's TicketWalletSection): the ledger's part, and the freeze this ticket made. */
export type TicketWalletSection = WalletSection & { frozen?: { noticeId: string; at: string } };

/** The freeze action's answer: the notice queued, or refused by the channel's window; `duplicate` for a ticket frozen before. */
export interface FreezeAnswer {
  frozen: true;
  duplicate?: true;
  freezeId?: string;
  notice?: { id: string; state?: 'queued' } | { state: 'refused'; code: string; error: string };
}

/** The server refused the session: the console goes back to the sign-in form. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** Any other failed call, with the server's own error message when it gave one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The CSRF token the server set beside the session cookie: echoed on every call that changes something. */
function csrfToken(): string {
  return /(?:^|;\s*)csrf_token=([^;]*)/.exec(document.cookie)?.[1] ?? '';
}

interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A 409 whose body is an answer, not a failure (a dead letter that cannot be replayed). */
  conflictIsAnswer?: boolean;
  /** A 401 whose body is an answer (asking who is signed in before anyone is). */
  unauthorizedIsAnswer?: boolean;
}

async function call<T>(path: string, init: CallOptions = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...(method === 'GET' ? {} : { 'x-csrf-token': decodeURIComponent(csrfToken()) }), ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
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
  if (response.status === 401 && !init.unauthorizedIsAnswer) throw new UnauthorizedError('unauthorized');
  if (!response.ok && !(response.status === 409 && init.conflictIsAnswer && body) && !(response.status === 401 && init.unauthorizedIsAnswer)) {
    const message = (body as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`;
    throw new ApiError(response.status, message, body as Record<string, unknown> | undefined);
  }
  return body as T;
}

/** What the channel's reply policy says about replying now (the server's ReplyDecision). */
export type ReplyWindow =
  | { allowed: true; mode?: string; closesAt?: string; remaining?: number }
  | { allowed: false; code: 'window-closed' | 'template-only' | 'quota-exhausted' | 'not-for-automatic' | 'no-customer-message' | 'no-reply-address' | 'receive-only'; reason: string };

export interface TicketQuery {
  status?: string;
  category?: string;
  priority?: string;
  channel?: string;
  language?: string;
  q?: string;
  sort?: string;
  assignee?: string;
  unassigned?: string;
  /** `true`: only tickets marked spam; `false`: only those not marked. */
  spam?: string;
}

export interface Me {
  id: string;
  email: string;
  name: string;
  role: string;
  teamIds: string[];
}

export interface UserRow extends Me {
  capacity: number;
  disabled: boolean;
  online: boolean;
  lockedUntil: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorEmail?: string;
  action: string;
  target?: string;
  details: Record<string, unknown>;
  ip?: string;
}

export interface SlaClock {
  state: 'met' | 'running' | 'warning' | 'breached' | 'paused';
  targetMinutes: number;
  elapsedMinutes: number;
  dueAt?: string;
}
export interface SlaReading {
  firstResponse: SlaClock;
  resolution: SlaClock;
}

export const api = {
  /** Who is signed in: `user`, or nobody (with whether the first admin is still to be set up, and single sign-on). */
  session: () => call<{ user?: Me; error?: string; setup?: boolean; sso?: boolean }>('/api/v1/session', { unauthorizedIsAnswer: true }),
  signIn: (email: string, password: string) => call<{ user: Me }>('/api/v1/session', { method: 'POST', body: { email, password }, unauthorizedIsAnswer: true }),
  signOut: () => call<{ signedOut: boolean }>('/api/v1/session', { method: 'DELETE' }),
  setup: (token: string, email: string, name: string, password: string) => call<{ user: Me }>('/api/v1/setup', { method: 'POST', body: { token, email, name, password } }),
  users: () => call<{ users: UserRow[] }>('/api/v1/users'),
  createUser: (user: { email: string; name: string; role: string; password: string; teamIds: string[] }) => call<{ user: Me }>('/api/v1/users', { method: 'POST', body: user }),
  teams: () => call<{ teams: { id: string; name: string; categories: string[]; memberIds: string[] }[] }>('/api/v1/teams'),
  audit: (limit = 200) => call<{ entries: AuditEntry[] }>(`/api/v1/audit?limit=${limit}`),
  tickets(query: TicketQuery) {
    const params = new URLSearchParams({ limit: '200' });
    for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
    return call<{ tickets: (TicketSummary & { sla?: SlaReading })[] }>(`/api/v1/tickets?${params}`);
  },
  ticket: (id: string) =>
    call<{ ticket: TicketSummary; messages: StoredMessage[]; tasks: TicketTask[]; related: RelatedConversation[]; replyWindow: ReplyWindow; sla?: SlaReading; wallet?: TicketWalletSection }>(
      `/api/v1/tickets/${encodeURIComponent(id)}`,
    ),
  patchTicket: (id: string, patch: Record<string, string | boolean | null>) => call<{ ticket: TicketSummary }>(`/api/v1/tickets/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
  addTask: (id: string, text: string, idempotencyKey: string) =>
    call<{ task: TicketTask }>(`/api/v1/tickets/${encodeURIComponent(id)}/tasks`, { method: 'POST', body: { text }, headers: { 'idempotency-key': idempotencyKey } }),
  setTaskDone: (id: string, taskId: string, done: boolean) =>
    call<{ task: TicketTask }>(`/api/v1/tickets/${encodeURIComponent(id)}/tasks/${encodeURIComponent(taskId)}`, { method: 'PATCH', body: { done } }),
  /** An attachment's bytes, for an object URL the page's player plays (with the session cookie, like every call). */
  async attachment(ticketId: string, messageId: string, index: number): Promise<Blob> {
    const response = await fetch(`/api/v1/tickets/${encodeURIComponent(ticketId)}/messages/${encodeURIComponent(messageId)}/attachments/${index}`, {
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (response.status === 401) throw new UnauthorizedError('unauthorized');
    if (!response.ok) throw new ApiError(response.status, ((await response.json().catch(() => undefined)) as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`);
    return response.blob();
  },
  reply: (id: string, text: string, idempotencyKey: string, isPublic: boolean) =>
    call<{ id: string; state?: string; duplicate?: boolean }>(`/api/v1/tickets/${encodeURIComponent(id)}/replies`, {
      method: 'POST',
      body: isPublic ? { text, public: true } : { text },
      headers: { 'idempotency-key': idempotencyKey },
    }),
  freezeWallet: (id: string, reason: string) => call<FreezeAnswer>(`/api/v1/tickets/${encodeURIComponent(id)}/wallet/freeze`, { method: 'POST', body: { reason, confirm: true } }),
  pipeline: () => call<PipelineStats>('/api/v1/console/pipeline'),
  channels: () => call<{ channels: ChannelHealth[] }>('/api/v1/console/channels'),
  deadLetters: (limit = 20) => call<{ size: number | null; total: number; entries: DeadLetterEntry[] }>(`/api/v1/console/dlq?limit=${limit}`),
  replay: (id: string) => call<ReplayOutcome & { error?: string }>('/api/v1/console/dlq/replay', { method: 'POST', body: { id }, conflictIsAnswer: true }),
};

export type { ChannelHealth, DeadLetterEntry, PipelineStats, RelatedConversation, StoredMessage, TicketSummary, TicketTask };
