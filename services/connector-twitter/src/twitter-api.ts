import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import Twit from 'twit';
import { AbortedError, sleep, SwitchboardError } from '@switchboard/runtime';

const require = createRequire(import.meta.url);
const twitEndpoints = require('twit/lib/endpoints.js') as { REST_ROOT: string };

/** Rate limits (429, code 88, the old 420), server errors and network failures are worth another try. */
function retriableStatus(status: number | undefined, code: number | undefined): boolean {
  return status === undefined || status === 429 || status === 420 || status >= 500 || code === 88;
}

/** What went wrong with one API call; `retriable` by status (a 401 or 403 stays what it is). */
export class TwitterApiError extends SwitchboardError {
  override readonly name = 'TwitterApiError';
  constructor(
    message: string,
    readonly endpoint: string,
    /** HTTP status; undefined for a network error. */
    readonly status: number | undefined,
    /** Twitter's own error code from the body (88 = rate limit, 187 = duplicate status, ...). */
    readonly code: number | undefined,
    /** When the endpoint's window resets (ms since epoch), from `x-rate-limit-reset`. */
    readonly resetAt: number | undefined,
  ) {
    super(message, { retriable: retriableStatus(status, code) });
  }

  get rateLimited(): boolean {
    return this.status === 429 || this.code === 88;
  }

  /** A short reason for health and logs: "429 rate limited", "503", "network: ECONNREFUSED". */
  get reason(): string {
    if (this.status === undefined) return `network: ${this.message}`;
    if (this.rateLimited) return `${this.status} rate limited`;
    return this.message === `HTTP ${this.status}` ? String(this.status) : `${this.status} ${this.message}`;
  }
}

interface RateWindow {
  remaining: number;
  resetAt: number;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
}

/** twit's private request builder, as of the pinned twit 2.2.11. */
type BuildReqOpts = (
  method: string,
  path: string,
  params: unknown,
  isStreaming: boolean,
  callback: (error: Error | null, reqOpts?: { url: string }) => void,
) => void;

/**
 * One account's v1.1 REST client: twit for OAuth 1.0a signing and request shapes, plus what twit
 * lacks: a configurable base URL, per-endpoint rate-limit accounting from `x-rate-limit-*` headers
 * (a call waits for the window's reset instead of hammering), and errors that carry the status.
 */
export class TwitterApi {
  private readonly twit: Twit;
  private readonly windows = new Map<string, RateWindow>();
  /** Endpoints whose calls wait for their rate-limit window, and until when. */
  private readonly waits = new Map<string, number>();

  constructor(options: { consumerKey: string; consumerSecret: string; accessToken: string; accessTokenSecret: string; apiBase: string; timeoutMs: number }) {
    this.twit = new Twit({
      consumer_key: options.consumerKey,
      consumer_secret: options.consumerSecret,
      access_token: options.accessToken,
      access_token_secret: options.accessTokenSecret,
      timeout_ms: options.timeoutMs,
    });
    retarget(this.twit, options.apiBase);
  }

  /** A call waiting for a rate-limit window, for health. */
  get waitingFor(): { endpoint: string; until: number } | undefined {
    const [first] = [...this.waits].sort(([, a], [, b]) => b - a);
    return first ? { endpoint: first[0], until: first[1] } : undefined;
  }

  async get<T>(endpoint: string, params: Twit.Params, signal?: AbortSignal): Promise<ApiResponse<T>> {
    return this.call<T>('get', endpoint, params, signal);
  }

  async post<T>(endpoint: string, params: Twit.Params, signal?: AbortSignal): Promise<ApiResponse<T>> {
    return this.call<T>('post', endpoint, params, signal);
  }

  private async call<T>(method: 'get' | 'post', endpoint: string, params: Twit.Params, signal?: AbortSignal): Promise<ApiResponse<T>> {
    await this.waitForWindow(endpoint, signal);
    const { error, data, response } = await new Promise<{ error: Error | undefined; data: unknown; response: IncomingMessage | undefined }>((resolve, reject) => {
      // twit cannot cancel a request; a stopping connector stops waiting for it instead.
      const onAbort = () => reject(new AbortedError());
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.twit[method](endpoint, params, (err, result, resp) => {
        signal?.removeEventListener('abort', onAbort);
        resolve({ error: err ?? undefined, data: result, response: resp ?? undefined });
      });
    });
    const status = response?.statusCode;
    const resetAt = this.recordWindow(endpoint, response);
    // twit reports only bodies that look like errors; a 503 with an empty body comes back as success.
    if (error || status === undefined || status >= 400) {
      const code = (error as { code?: unknown } | undefined)?.code;
      const message = error?.message ?? `HTTP ${status}`;
      const failure = new TwitterApiError(message, endpoint, status, typeof code === 'number' ? code : undefined, resetAt);
      if (failure.rateLimited) this.windows.set(endpoint, { remaining: 0, resetAt: resetAt ?? 0 });
      throw failure;
    }
    return { data: data as T, status };
  }

  private recordWindow(endpoint: string, response: IncomingMessage | undefined): number | undefined {
    const remaining = Number(response?.headers['x-rate-limit-remaining']);
    const reset = Number(response?.headers['x-rate-limit-reset']);
    if (!Number.isFinite(reset) || reset <= 0) return undefined;
    if (Number.isFinite(remaining)) this.windows.set(endpoint, { remaining, resetAt: reset * 1000 });
    return reset * 1000;
  }

  /** Waits until the endpoint's window resets when its last response said nothing remains. */
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

/**
 * Points a twit client at another API root. twit has no base-URL option: it prefixes relative paths
 * with the REST root of twit/lib/endpoints.js. An absolute path is taken as is, but then twit no
 * longer sends the JSON body that direct_messages/events/new needs, so the URL is rewritten after
 * twit built the request (JSON body, OAuth parameters) and before `request` signs and sends it.
 */
function retarget(twit: Twit, apiBase: string): void {
  if (apiBase === twitEndpoints.REST_ROOT) return;
  const client = twit as unknown as { _buildReqOpts: BuildReqOpts };
  const build = client._buildReqOpts.bind(twit);
  client._buildReqOpts = (method, path, params, isStreaming, callback) =>
    build(method, path, params, isStreaming, (error, reqOpts) => {
      if (reqOpts?.url.startsWith(twitEndpoints.REST_ROOT)) reqOpts.url = apiBase + reqOpts.url.slice(twitEndpoints.REST_ROOT.length);
      callback(error, reqOpts);
    });
}
