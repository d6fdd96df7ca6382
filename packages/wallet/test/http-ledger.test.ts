/**
 * The HTTP ledger against the local fake of the wallet's API: the shapes, the token, unknown customers
 * and refunds, the 2-second timeout, and answers that break the contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPermanent, isRetriable } from '@switchboard/runtime';
import { startFakeLedger, type FakeLedger } from '@switchboard/testkit';
import { HttpWalletLedger, LEDGER_TIMEOUT_MS, WalletNotFoundError, WalletRefusedError, WalletUnavailableError } from '../src/index.ts';

let fake: FakeLedger;
let ledger: HttpWalletLedger;

beforeAll(async () => {
  fake = await startFakeLedger({
    customers: {
      'cus 42/x': [
        { id: 'TX1', amount: '38.50', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T07:01:00Z', counterparty: 'Lucky Coffee' },
        { id: 'TX0', amount: 12, currency: 'CNY', status: 'succeeded', createdAt: '2026-11-01T07:01:00Z', counterparty: null },
      ],
    },
    refunds: [{ id: 'RF9', status: 'processing', amount: '38.50', currency: 'CNY', updatedAt: '2026-12-06T08:00:00Z' }],
  });
  ledger = new HttpWalletLedger({ base: `${fake.url}/`, token: fake.token });
});

afterAll(async () => {
  await fake?.close();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return error;
}

describe('HttpWalletLedger', () => {
  it('reads transactions since a moment, with the reference escaped in the path and amounts as decimal strings', async () => {
    const transactions = await ledger.transactions('cus 42/x', new Date('2026-12-01T00:00:00Z'));
    expect(transactions).toEqual([{ id: 'TX1', amount: '38.50', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T07:01:00Z', counterparty: 'Lucky Coffee' }]);
    expect(fake.requests.at(-1)).toEqual({ method: 'GET', path: '/v1/customers/cus%2042%2Fx/transactions?since=2026-12-01T00%3A00%3A00.000Z', authorized: true });
    const all = await ledger.transactions('cus 42/x', new Date('2026-01-01T00:00:00Z'));
    expect(all.find((t) => t.id === 'TX0')).toEqual({ id: 'TX0', amount: '12', currency: 'CNY', status: 'succeeded', createdAt: '2026-11-01T07:01:00Z' });
  });

  it('reads a refund, and answers undefined for one the ledger does not have', async () => {
    expect(await ledger.refund('RF9')).toEqual({ id: 'RF9', status: 'processing', amount: '38.50', currency: 'CNY', updatedAt: '2026-12-06T08:00:00Z' });
    expect(await ledger.refund('RF-none')).toBeUndefined();
  });

  it('says a customer is unknown (404) as a permanent WalletNotFoundError', async () => {
    const error = await failure(ledger.transactions('cus_nobody', new Date()));
    expect(error).toBeInstanceOf(WalletNotFoundError);
    expect(isPermanent(error)).toBe(true);
    expect(await failure(ledger.freeze('cus_nobody', { reason: 'stolen phone', ticketNumber: 'SB-000001', agent: 'a@wallet.test' }))).toBeInstanceOf(WalletNotFoundError);
  });

  it('freezes once per ticket: the same ticket twice answers the same freeze', async () => {
    const first = await ledger.freeze('cus 42/x', { reason: 'stolen phone', ticketNumber: 'SB-000007', agent: 'sue@wallet.test' });
    const again = await ledger.freeze('cus 42/x', { reason: 'stolen phone', ticketNumber: 'SB-000007', agent: 'sue@wallet.test' });
    expect(again).toEqual(first);
    expect(fake.freezes.filter((f) => f.body.ticketNumber === 'SB-000007')).toEqual([{ customerRef: 'cus 42/x', freezeId: first.freezeId, frozenAt: first.frozenAt, body: { reason: 'stolen phone', ticketNumber: 'SB-000007', agent: 'sue@wallet.test' } }]);
  });

  it('refuses on a wrong token (401) without ever naming the token', async () => {
    const secret = 'wrong-token-abcdef-123456';
    const error = await failure(new HttpWalletLedger({ base: fake.url, token: secret }).transactions('cus 42/x', new Date()));
    expect(error).toBeInstanceOf(WalletRefusedError);
    expect(isPermanent(error)).toBe(true);
    expect(error.message).toContain('401');
    expect(`${error.message} ${String(error.cause ?? '')} ${error.stack ?? ''}`).not.toContain(secret);
    expect(fake.requests.at(-1)?.authorized).toBe(false);
  });

  it(`gives up after ${LEDGER_TIMEOUT_MS} ms on a slow ledger, as a retriable WalletUnavailableError`, async () => {
    fake.slow(5_000);
    try {
      const started = Date.now();
      const error = await failure(ledger.transactions('cus 42/x', new Date()));
      const took = Date.now() - started;
      expect(error).toBeInstanceOf(WalletUnavailableError);
      expect(isRetriable(error)).toBe(true);
      expect(error.message).toBe('the wallet ledger did not answer transactions within 2000 ms');
      expect(took).toBeGreaterThanOrEqual(LEDGER_TIMEOUT_MS - 50);
      expect(took).toBeLessThan(LEDGER_TIMEOUT_MS + 1_500);
    } finally {
      fake.slow(0);
    }
  });

  it('refuses an answer that breaks the contract, naming where and not what', async () => {
    fake.broken(true);
    try {
      const error = await failure(ledger.transactions('cus 42/x', new Date('2026-01-01T00:00:00Z')));
      expect(error).toBeInstanceOf(WalletRefusedError);
      expect(error.message).toMatch(/^the wallet ledger answered transactions in an unexpected shape \(transactions\.0\.amount: /);
      expect(error.message).not.toContain('38.50');
    } finally {
      fake.broken(false);
    }
  });

  it('says an unreachable ledger is unavailable', async () => {
    const gone = await startFakeLedger();
    await gone.close();
    const error = await failure(new HttpWalletLedger({ base: gone.url, token: gone.token }).refund('RF9'));
    expect(error).toBeInstanceOf(WalletUnavailableError);
    expect(error.message).toBe('the wallet ledger could not be reached for refund');
  });
});
