import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local wallet ledger that follows the shapes of issue 29's API: bearer auth (401 on any other
 * token), 404 for an unknown customer or refund, a slow mode that answers after a delay (to prove a
 * client's timeout), a broken mode that answers a shape no client should accept, and a freeze that
 * is idempotent per ticket: the same ticket asked twice freezes once and answers the same.
 */
export interface FakeTransaction {
  id: string;
  amount: string | number;
  currency: string;
  status: string;
  createdAt: string;
  counterparty?: string | null;
}

export interface FakeRefund {
  id: string;
  status: string;
  amount?: string;
  currency?: string;
  updatedAt?: string;
}

export interface FakeFreeze {
  customerRef: string;
  freezeId: string;
  frozenAt: string;
  body: { reason: string; ticketNumber: string; agent: string };
}

export interface FakeLedger {
  url: string;
  token: string;
  customers: Map<string, FakeTransaction[]>;
  refunds: Map<string, FakeRefund>;
  /** Every freeze that took effect (a repeated ticket is not added again). */
  freezes: FakeFreeze[];
  /** Every request as received: method, path with query, and whether its token was right. */
  requests: { method: string; path: string; authorized: boolean }[];
  /** Answer every request after `ms` (0: at once). */
  slow(ms: number): void;
  /** Answer transactions in a shape that breaks the contract (amount as an object). */
  broken(on: boolean): void;
  close(): Promise<void>;
}

export async function startFakeLedger(options: { token?: string; customers?: Record<string, FakeTransaction[]>; refunds?: FakeRefund[] } = {}): Promise<FakeLedger> {
  const token = options.token ?? 'fake-ledger-token-1234';
  const customers = new Map(Object.entries(options.customers ?? {}));
  const refunds = new Map((options.refunds ?? []).map((r) => [r.id, r]));
  const freezes: FakeFreeze[] = [];
  const requests: FakeLedger['requests'] = [];
  let delayMs = 0;
  let brokenShape = false;

  const answer = async (request: IncomingMessage, body: string): Promise<{ status: number; body: unknown }> => {
    const url = new URL(request.url ?? '/', 'http://ledger');
    const authorized = request.headers.authorization === `Bearer ${token}`;
    requests.push({ method: request.method ?? '', path: url.pathname + url.search, authorized });
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (!authorized) return { status: 401, body: { error: 'unauthorized' } };
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (request.method === 'GET' && parts.length === 4 && parts[0] === 'v1' && parts[1] === 'customers' && parts[3] === 'transactions') {
      const list = customers.get(parts[2]!);
      if (!list) return { status: 404, body: { error: 'no such customer' } };
      if (brokenShape) return { status: 200, body: { transactions: list.map((t) => ({ ...t, amount: { value: t.amount } })) } };
      const since = Date.parse(url.searchParams.get('since') ?? '');
      return { status: 200, body: { transactions: list.filter((t) => Number.isNaN(since) || Date.parse(t.createdAt) >= since) } };
    }
    if (request.method === 'GET' && parts.length === 3 && parts[0] === 'v1' && parts[1] === 'refunds') {
      const refund = refunds.get(parts[2]!);
      return refund ? { status: 200, body: refund } : { status: 404, body: { error: 'no such refund' } };
    }
    if (request.method === 'POST' && parts.length === 4 && parts[0] === 'v1' && parts[1] === 'customers' && parts[3] === 'freeze') {
      if (!customers.has(parts[2]!)) return { status: 404, body: { error: 'no such customer' } };
      const asked = JSON.parse(body) as FakeFreeze['body'];
      if (!asked.reason || !asked.ticketNumber || !asked.agent) return { status: 400, body: { error: 'reason, ticketNumber and agent are required' } };
      const earlier = freezes.find((f) => f.customerRef === parts[2] && f.body.ticketNumber === asked.ticketNumber);
      const freeze = earlier ?? { customerRef: parts[2]!, freezeId: `frz_${freezes.length + 1}`, frozenAt: new Date().toISOString(), body: asked };
      if (!earlier) freezes.push(freeze);
      return { status: 200, body: { freezeId: freeze.freezeId, frozenAt: freeze.frozenAt } };
    }
    return { status: 404, body: { error: 'no such route' } };
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      answer(request, Buffer.concat(chunks).toString('utf8'))
        .then(({ status, body }) => {
          if (response.destroyed) return;
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: String(error) }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    customers,
    refunds,
    freezes,
    requests,
    slow: (ms) => (delayMs = ms),
    broken: (on) => (brokenShape = on),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
