/**
 * The Graph API calls of the connector and what their errors mean. Error shapes and codes as Meta
 * documents them: developers.facebook.com/docs/graph-api/guides/error-handling (codes 1, 2, 4, 10, 17,
 * 190 and its subcodes, 200-299, 341, 368), …/messenger-platform/error-codes (10/2018278 "This message
 * is sent outside of allowed window", 551 and 200/1545041 "This person isn't available right now",
 * 613 rate limit) and …/whatsapp/support/error-codes (4, 80007, 130429, 131048, 131056 throttling;
 * 131047 re-engagement; 131026 undeliverable; 132000/132001 template problems; 131000/131016 transient).
 */
import { PermanentSendError } from '@switchboard/connector-sdk';
import { TransientError } from '@switchboard/runtime';

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_msg?: string;
  error_data?: { details?: string };
  fbtrace_id?: string;
}

export type GraphFailureKind = 'token' | 'rate-limit' | 'window' | 'transient' | 'refused';

export interface GraphFailure {
  kind: GraphFailureKind;
  /** For the delivery report and the agent: what happened, with Meta's codes. */
  reason: string;
}

const TOKEN_SUBCODES: Record<number, string> = {
  458: 'the app is not installed',
  459: 'the user is checkpointed',
  460: 'the password was changed',
  463: 'the token expired',
  464: 'the user is unconfirmed',
  467: 'the token is invalid',
  492: 'the session is invalid',
};
const RATE_LIMIT_CODES = new Set([4, 17, 32, 341, 613, 80007, 130429, 131048, 131056]);
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016]);
const WINDOW_SUBCODES = new Set([2018278, 2018065]);
const UNAVAILABLE_SUBCODE = 1545041;

function codes(error: GraphErrorBody): string {
  return error.error_subcode ? `${error.code}/${error.error_subcode}` : `${error.code ?? 'no code'}`;
}

function detail(error: GraphErrorBody): string {
  const text = [error.message, error.error_data?.details].filter(Boolean).join(': ');
  return text || 'no message';
}

/** What a Graph error means for a send; `httpStatus` decides when the body has no code. */
export function classifyGraphError(httpStatus: number, error: GraphErrorBody | undefined): GraphFailure {
  if (!error || error.code === undefined) {
    const kind = httpStatus >= 500 || httpStatus === 429 ? (httpStatus === 429 ? 'rate-limit' : 'transient') : 'refused';
    return { kind, reason: `Graph API answered HTTP ${httpStatus} without an error code` };
  }
  const code = error.code;
  const what = `${detail(error)} (${codes(error)})`;
  if (code === 190 || code === 102) {
    const why = error.error_subcode ? TOKEN_SUBCODES[error.error_subcode] : undefined;
    return { kind: 'token', reason: `access token rejected by Meta${why ? `: ${why}` : ''} — ${what}` };
  }
  if (RATE_LIMIT_CODES.has(code)) return { kind: 'rate-limit', reason: `rate limited by Meta — ${what}` };
  if (code === 131047 || (code === 10 && error.error_subcode !== undefined && WINDOW_SUBCODES.has(error.error_subcode))) {
    return { kind: 'window', reason: `outside the messaging window — ${what}` };
  }
  if (TRANSIENT_CODES.has(code) || httpStatus >= 500) return { kind: 'transient', reason: `Meta is temporarily unavailable — ${what}` };
  if (code === 551 || error.error_subcode === UNAVAILABLE_SUBCODE) return { kind: 'refused', reason: `the person cannot receive messages now — ${what}` };
  return { kind: 'refused', reason: `refused by Meta — ${what}` };
}

/** A send the Graph API refused for good: reported failed at once, with the reason. */
export class GraphRefusal extends PermanentSendError {
  override readonly name = 'GraphRefusal';
  constructor(readonly failure: GraphFailure) {
    super(failure.reason);
  }
}

/** A send that may work a little later (rate limits, outages): retried by the host with backoff. */
export class GraphUnavailable extends TransientError {
  override readonly name = 'GraphUnavailable';
  constructor(readonly failure: GraphFailure) {
    super(failure.reason);
  }
}

export interface GraphClientOptions {
  base: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * POSTs JSON with a bearer token (never in the URL, so no log line or proxy sees it); a Graph error
 * becomes a GraphRefusal or a GraphUnavailable, as `classifyGraphError` decides.
 */
export class GraphClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GraphClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async post<T>(path: string, token: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetch(`${this.options.base}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 20_000),
      });
    } catch (error) {
      throw new GraphUnavailable({ kind: 'transient', reason: `Graph API unreachable: ${(error as Error).message}` });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    const error = (parsed as { error?: GraphErrorBody } | undefined)?.error;
    if (response.ok && parsed !== undefined && !error) return parsed as T;
    const failure = classifyGraphError(response.ok ? 502 : response.status, error);
    throw failure.kind === 'rate-limit' || failure.kind === 'transient' ? new GraphUnavailable(failure) : new GraphRefusal(failure);
  }
}
