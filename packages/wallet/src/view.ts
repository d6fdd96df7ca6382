import type { Entities } from '@switchboard/schema';
import { resolveCustomer, type CustomerMapping, type SenderOf } from './customer.ts';
import { WalletNotFoundError, type Refund, type WalletLedger } from './ledger.ts';
import { lookupSince, matchTransactions, namedRefunds, type DuplicateHint, type MatchSettings, type TransactionMatch } from './matching.ts';

/** A refund the customer named: the ledger's state of it, or `unknown` when the ledger has none. */
export type RefundStatus = Refund | { id: string; status: 'unknown' };

/** What a ticket shows of the wallet: always an answer, never an error (a failing ledger is one of the answers). */
export type WalletSection =
  /** `error`: a fault of ours while reading the ticket (logged), not of the ledger. */
  | { state: 'no-lookup'; none: 'suspect' | 'unverified' | 'no-customer-message' | 'error'; reason: string }
  | { state: 'unavailable'; customerRef: string; via: 'verified-sender' | 'mapping'; unavailable: 'ledger unavailable'; reason: string }
  | { state: 'unknown-customer'; customerRef: string; via: 'verified-sender' | 'mapping'; reason: string }
  | {
      state: 'found';
      customerRef: string;
      via: 'verified-sender' | 'mapping';
      /** The ledger was asked for transactions since then. */
      since: string;
      matches: TransactionMatch[];
      duplicate?: DuplicateHint;
      refunds: RefundStatus[];
    };

/** A ticket's message, as far as the wallet reads it. */
export interface TicketMessage extends SenderOf {
  sentAt: string;
  entities?: Entities;
}

// A customer naming more refunds than this is asking something a person should read.
const MAX_REFUNDS = 5;

/**
 * The wallet section of a ticket: who the customer is (or why there is no lookup), then, from the
 * ledger, the transactions that match what they wrote and the refunds they named. Any ledger failure
 * (late, unreachable, refusing) becomes `unavailable` with its reason: the ticket answers regardless.
 */
export async function walletSection(ledger: WalletLedger, messages: readonly TicketMessage[], mapping: CustomerMapping, settings: MatchSettings): Promise<WalletSection> {
  const customer = resolveCustomer(messages, mapping);
  if (customer.customerRef === undefined) return { state: 'no-lookup', none: customer.none, reason: customer.reason };
  const who = { customerRef: customer.customerRef, via: customer.via };
  const said = messages.filter((m) => m.direction === 'inbound' && m.entities).map((m) => ({ entities: m.entities!, sentAt: m.sentAt }));
  const since = lookupSince(said.length > 0 ? said : messages.filter((m) => m.direction === 'inbound').map((m) => ({ entities: EMPTY, sentAt: m.sentAt })), settings.timeZone);
  try {
    const [transactions, refunds] = await Promise.all([
      ledger.transactions(customer.customerRef, since),
      Promise.all(namedRefunds(said).slice(0, MAX_REFUNDS).map(async (id): Promise<RefundStatus> => (await ledger.refund(id)) ?? { id, status: 'unknown' })),
    ]);
    return { state: 'found', ...who, since: since.toISOString(), ...matchTransactions(said, transactions, settings), refunds };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof WalletNotFoundError) return { state: 'unknown-customer', ...who, reason };
    return { state: 'unavailable', ...who, unavailable: 'ledger unavailable', reason };
  }
}

const EMPTY: Entities = { amounts: [], references: [], times: [], cardLast4: [], counterparties: [] };
