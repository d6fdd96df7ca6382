import { Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError, TwitterApi, type TwitterApiTokens } from 'twitter-api-v2';
import { AbortedError, sleep, SwitchboardError } from '@switchboard/runtime';

/** What went wrong with one API call, classified for the retry policy. Carries no request (its headers hold tokens). */
export class XApiError extends SwitchboardError {
  override readonly name = 'XApiError';
  constructor(
    message: string,
    readonly endpoint: string,
    /** HTTP status; undefined for a network error. */
    readonly status: number | undefined,
    /** v1.1's numeric error code (88 rate limit, 187 duplicate) or v2's problem type, from the body. */
    readonly code: number | string | undefined,
    /** When the endpoint's window resets (ms since epoch), from `x-rate-limit-reset`. */
    readonly resetAt: number | undefined,
  ) {
    // Worth retrying as is: rate limits, server errors, network failures; a 4xx says the request is wrong.
    super(message, { retriable: status === undefined || status === 429 || code === 88 || status >= 500 || status === 420 });
  }

  get rateLimited(): boolean {
    return this.status === 429 || this.code === 88;
  }

  /** A short reason for health and logs: "429 rate limited", "503", "network: socket hang up". */
  get reason(): string {
    if (this.status === undefined) return `network: ${this.message}`;
    if (this.rateLimited) return `${this.status} rate limited`;
    return this.message === `HTTP ${this.status}` ? String(this.status) : `${this.status} ${this.message}`;
  }
}

/** How a client signs its calls: fixed keys, or an access token that may need refreshing (OAuth 2.0). */
export interface Signer {
  /** The tokens for the next call. */
  tokens(signal?: AbortSignal): Promise<TwitterApiTokens | string>;
  /** Called after a 401 with these tokens: true when new tokens are worth one more try. */
  renew?(signal?: AbortSignal): Promise<boolean>;
}

export interface XRequest {
  /** `2` or `1.1`: which prefix of the API root. */
  version: '2' | '1.1';
  method: 'GET' | 'POST' | 'PUT';
  /** Relative to the version's prefix, `:name` filled from `params` (`users/:id/mentions`). */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  body?: Record<string, unknown>;
  bodyMode?: 'json' | 'url';
  signal?: AbortSignal;
}

export interface XResponse<T> {
  data: T;
  headers: IncomingHttpHeaders;
}

interface Window {
  remaining: number;
  resetAt: number;
}

/**
 * One credential's client for the X API, on twitter-api-v2's request maker (OAuth 1.0a signing,
 * bearer tokens, response parsing) with what the connector needs around it: a configurable API root
 * (the library's `prefix`, and an http agent for a local server), per-endpoint windows from
 * `x-rate-limit-remaining/reset` (a call waits for the reset instead of hammering; a 429 carries no
 * Retry-After, so its reset header is the wait), a timeout, and errors that say what to do.
 */
export class XClient {
  private readonly windows = new Map<string, Window>();
  private readonly waits = new Map<string, number>();
  private readonly agent: HttpAgent | HttpsAgent;
  private cached: { tokens: TwitterApiTokens | string; client: TwitterApi } | undefined;

  constructor(
    private readonly options: { apiBase: string; timeoutMs: number; signer: Signer },
  ) {
    this.agent = options.apiBase.startsWith('http:') ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  }

  /** A call waiting for a rate-limit window, for health. */
  get waitingFor(): { endpoint: string; until: number } | undefined {
    const [first] = [...this.waits].sort(([, a], [, b]) => b - a);
    return first ? { endpoint: first[0], until: first[1] } : undefined;
  }

  /** What the endpoint's last answer said about its window (for pacing polls), if anything. */
  window(method: XRequest['method'], version: XRequest['version'], path: string): Window | undefined {
    return this.windows.get(endpointKey({ method, version, path }));
  }

  async request<T>(request: XRequest): Promise<XResponse<T>> {
    const endpoint = endpointKey(request);
    await this.waitForWindow(endpoint, request.signal);
    try {
      return await this.send<T>(request, endpoint);
    } catch (error) {
      if (!(error instanceof XApiError) || error.status !== 401 || !this.options.signer.renew) throw error;
      if (!(await this.options.signer.renew(request.signal))) throw error;
      return this.send<T>(request, endpoint);
    }
  }

  private async send<T>(request: XRequest, endpoint: string): Promise<XResponse<T>> {
    const client = await this.client(request.signal);
    const prefix = `${this.options.apiBase}${request.version}/`;
    const args = { fullResponse: true as const, prefix, timeout: this.options.timeoutMs, ...(request.params ? { params: request.params } : {}) };
    const call =
      request.method === 'GET'
        ? client.get<T>(request.path, request.query, args)
        : client[request.method === 'PUT' ? 'put' : 'post']<T>(request.path + queryString(request.query), request.body ?? {}, { ...args, ...(request.bodyMode ? { forceBodyMode: request.bodyMode } : {}) });
    try {
      const response = await abortable(call, request.signal);
      this.record(endpoint, response.headers);
      return { data: response.data, headers: response.headers };
    } catch (error) {
      throw this.failure(endpoint, error);
    }
  }

  private async client(signal?: AbortSignal): Promise<TwitterApi> {
    const tokens = await this.options.signer.tokens(signal);
    if (this.cached?.tokens !== tokens) this.cached = { tokens, client: new TwitterApi(tokens as TwitterApiTokens, { httpAgent: this.agent }) };
    return this.cached.client;
  }

  private failure(endpoint: string, error: unknown): Error {
    if (error instanceof AbortedError) return error;
    if (error instanceof ApiResponseError) {
      const resetAt = this.record(endpoint, error.headers);
      const failure = new XApiError(problemOf(error), endpoint, error.code, codeOf(error.data), resetAt);
      if (failure.rateLimited) this.windows.set(endpoint, { remaining: 0, resetAt: resetAt ?? 0 });
      return failure;
    }
    if (error instanceof ApiPartialResponseError) return new XApiError(`partial response: ${error.message}`, endpoint, undefined, undefined, undefined);
    if (error instanceof ApiRequestError) return new XApiError(error.requestError?.message ?? 'request failed', endpoint, undefined, undefined, undefined);
    return error instanceof Error ? error : new Error(String(error));
  }

  /** Keeps the endpoint's window; returns its reset (ms) when the headers had one. */
  private record(endpoint: string, headers: IncomingHttpHeaders): number | undefined {
    const reset = Number(headers['x-rate-limit-reset']);
    if (!Number.isFinite(reset) || reset <= 0) return undefined;
    const remaining = Number(headers['x-rate-limit-remaining']);
    const dayRemaining = Number(headers['x-user-limit-24hour-remaining']);
    const dayReset = Number(headers['x-user-limit-24hour-reset']);
    // A 24-hour allowance used up (DMs sent) outlasts the 15-minute window.
    if (dayRemaining === 0 && dayReset > 0) this.windows.set(endpoint, { remaining: 0, resetAt: dayReset * 1000 });
    else if (Number.isFinite(remaining)) this.windows.set(endpoint, { remaining, resetAt: reset * 1000 });
    return reset * 1000;
  }

  /** Waits until the endpoint's window resets when its last answer said nothing remains. */
  private async waitForWindow(endpoint: string, signal?: AbortSignal): Promise<void> {
    const window = this.windows.get(endpoint);
    if (!window || window.remaining > 0) return;
    const wait = window.resetAt - Date.now();
    if (wait > 0) {
      this.waits.set(endpoint, window.resetAt);
      try {
        await sleep(wait, signal);
      } finally {
        this.waits.delete(endpoint);
      }
    }
    this.windows.delete(endpoint);
  }
}

/** `GET 2/users/:id/mentions`: the endpoint as X limits it, per credential. */
function endpointKey(request: Pick<XRequest, 'method' | 'version' | 'path'>): string {
  return `${request.method} ${request.version}/${request.path}`;
}

function queryString(query: XRequest['query']): string {
  if (!query) return '';
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  return `?${search.toString()}`;
}

/** v2's problem `title: detail`, v1.1's `message (code)`, or the HTTP status. */
function problemOf(error: ApiResponseError): string {
  const data = error.data as { title?: unknown; detail?: unknown; errors?: { message?: unknown; code?: unknown }[]; error_description?: unknown } | undefined;
  if (typeof data?.detail === 'string') return `${typeof data.title === 'string' ? `${data.title}: ` : ''}${data.detail}`;
  const first = Array.isArray(data?.errors) ? data.errors[0] : undefined;
  if (typeof first?.message === 'string') return first.message;
  if (typeof data?.error_description === 'string') return data.error_description;
  return `HTTP ${error.code}`;
}

function codeOf(data: unknown): number | string | undefined {
  const body = data as { type?: unknown; errors?: { code?: unknown }[]; error?: unknown } | undefined;
  const first = Array.isArray(body?.errors) ? body.errors[0]?.code : undefined;
  if (typeof first === 'number') return first;
  if (typeof body?.type === 'string') return body.type;
  return typeof body?.error === 'string' ? body.error : undefined;
}

/** The library cannot cancel a request: a stopping connector stops waiting for it instead. */
function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
