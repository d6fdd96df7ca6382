import type { z } from 'zod';
import { registerSecret } from '@switchboard/runtime';
import { FreezeAnswer, RefundAnswer, TransactionsAnswer, WalletNotFoundError, WalletRefusedError, WalletUnavailableError, type FreezeRequest, type FreezeResult, type LedgerTransaction, type Refund, type WalletLedger } from './ledger.ts';

/** A ticket view waits on the ledger at most this long, then says "ledger unavailable" and answers. */
export const LEDGER_TIMEOUT_MS = 2_000;

export interface HttpLedgerOptions {
  /** `https://wallet.internal`; paths go under `{base}/v1/`. */
  base: string;
  /** Sent as `Authorization: Bearer`; never in a log line or an error. */
  token: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The wallet's ledger over HTTP. Every call is bounded by one timeout (connect, headers and body), and
 * every answer is validated before anyone reads it. Errors name the call and the status, never the
 * token or the customer reference (the reference is an account identifier, not something for logs).
 */
export class HttpWalletLedger implements WalletLedger {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpLedgerOptions) {
    this.base = options.base.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? LEDGER_TIMEOUT_MS;
    this.fetch = options.fetch ?? fetch;
    registerSecret(options.token);
  }

  async transactions(customerRef: string, since: Date): Promise<LedgerTransaction[]> {
    const path = `/v1/customers/${encodeURIComponent(customerRef)}/transactions?since=${encodeURIComponent(since.toISOString())}`;
    const answer = await this.call('transactions', 'GET', path, TransactionsAnswer);
    if (answer === undefined) throw new WalletNotFoundError('the wallet ledger knows no such customer');
    return answer.transactions;
  }

  async refund(id: string): Promise<Refund | undefined> {
    return this.call('refund', 'GET', `/v1/refunds/${encodeURIComponent(id)}`, RefundAnswer);
  }

  async freeze(customerRef: string, request: FreezeRequest): Promise<FreezeResult> {
    const answer = await this.call('freeze', 'POST', `/v1/customers/${encodeURIComponent(customerRef)}/freeze`, FreezeAnswer, request);
    if (answer === undefined) throw new WalletNotFoundError('the wallet ledger knows no such customer');
    return answer;
  }

  /** One request: the validated answer, undefined for a 404, or an error that says whether to retry. */
  private async call<S extends z.ZodType>(what: string, method: 'GET' | 'POST', path: string, schema: S, body?: unknown): Promise<z.infer<S> | undefined> {
    let status: number;
    let text: string;
    try {
      const response = await this.fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      // Read under the same signal: a ledger that sends headers and then stalls is as late as one that never answers.
      text = await response.text();
    } catch (error) {
      const late = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new WalletUnavailableError(late ? `the wallet ledger did not answer ${what} within ${this.timeoutMs} ms` : `the wallet ledger could not be reached for ${what}`, { cause: error });
    }
    if (status === 404) return undefined;
    if (status === 401 || status === 403) throw new WalletRefusedError(`the wallet ledger refused our token on ${what} (${status}): check WALLET_API_TOKEN`);
    if (status === 429 || status >= 500) throw new WalletUnavailableError(`the wallet ledger answered ${what} with ${status}`);
    if (status < 200 || status >= 300) throw new WalletRefusedError(`the wallet ledger answered ${what} with ${status}`);
    return parseAnswer(what, text, schema);
  }
}

function parseAnswer<S extends z.ZodType>(what: string, text: string, schema: S): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WalletRefusedError(`the wallet ledger answered ${what} with something that is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // Where the shape breaks, not the values: a value may be a customer's data.
  const where = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new WalletRefusedError(`the wallet ledger answered ${what} in an unexpected shape (${where.join('; ')})`);
}
