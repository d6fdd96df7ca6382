import { z } from 'zod';
import { PermanentError, TransientError } from '@switchboard/runtime/errors';

/**
 * Amounts on the wire: a decimal string (what we prefer: no float rounding), or a JSON number, which
 * some ledgers send; either way kept as a decimal string from here on.
 */
const Amount = z.union([z.string().regex(/^-?\d{1,15}(\.\d{1,4})?$/), z.number().finite()]).transform((v) => (typeof v === 'number' ? String(v) : v));

export const LedgerTransaction = z.object({
  id: z.string().min(1).max(200),
  amount: Amount,
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** The ledger's own word (`succeeded`, `pending`, `failed`, `reversed`, …): shown as it is. */
  status: z.string().min(1).max(50),
  createdAt: z.iso.datetime({ offset: true }),
  counterparty: z.string().max(200).nullish().transform((v) => v ?? undefined),
});
export type LedgerTransaction = z.infer<typeof LedgerTransaction>;

export const TransactionsAnswer = z.object({ transactions: z.array(LedgerTransaction).max(1_000) });

export const RefundAnswer = z.object({
  id: z.string().min(1).max(200),
  status: z.string().min(1).max(50),
  amount: Amount.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
});
export type Refund = z.infer<typeof RefundAnswer>;

export const FreezeAnswer = z.object({
  /** The same for every request about one ticket: the ledger freezes once per ticket. */
  freezeId: z.string().min(1).max(200),
  frozenAt: z.iso.datetime({ offset: true }),
});
export type FreezeResult = z.infer<typeof FreezeAnswer>;

export interface FreezeRequest {
  reason: string;
  ticketNumber: string;
  /** Who asked (the signed-in person's email), for the wallet's own records. */
  agent: string;
}

/** What the ticket view and the freeze action need of the wallet's ledger, and nothing more. */
export interface WalletLedger {
  /** The customer's transactions created at or after `since`. Throws WalletNotFoundError for a customer the ledger does not know. */
  transactions(customerRef: string, since: Date): Promise<LedgerTransaction[]>;
  /** A refund's state; undefined when the ledger has no such refund. */
  refund(id: string): Promise<Refund | undefined>;
  /** Freezes the customer's account; asking again for the same ticket freezes once and answers the same. */
  freeze(customerRef: string, request: FreezeRequest): Promise<FreezeResult>;
}

/** The ledger did not answer in time, could not be reached, or answered 5xx/429: worth asking again later. */
export class WalletUnavailableError extends TransientError {
  override readonly name = 'WalletUnavailableError';
}

/** The ledger knows no such customer (404). */
export class WalletNotFoundError extends PermanentError {
  override readonly name = 'WalletNotFoundError';
}

/** The ledger refused us (401/403: our token) or answered something we cannot read: asking again will not help. */
export class WalletRefusedError extends PermanentError {
  override readonly name = 'WalletRefusedError';
}
