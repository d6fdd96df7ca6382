import type { Entities } from '@switchboard/schema';
import type { LedgerTransaction } from './ledger.ts';

/**
 * Which of a customer's transactions a ticket is about: pure, so every rule is a row of a table test.
 * Amounts are compared as integers of 1/10 000 (the schema's four decimals), never as floats.
 */

/** What one customer message said, as the router read it. */
export interface MessageEntities {
  entities: Entities;
  sentAt: string;
}

/** `1%` of the amount the customer named, or `2.00` in its currency: what fees make a ledger amount differ by. */
export type FeeTolerance = { percent: string } | { absolute: string };

export interface MatchSettings {
  feeTolerance: FeeTolerance;
  /** The calendar a "day" is read in (the router reads "yesterday" in its own zone). */
  timeZone: string;
  /** Two charges of one amount to one counterparty this close together look like a double charge. */
  duplicateWindowMinutes: number;
}

export const DEFAULT_MATCH_SETTINGS: MatchSettings = { feeTolerance: { percent: '1' }, timeZone: 'Asia/Shanghai', duplicateWindowMinutes: 30 };

export type MatchReason = 'named' | 'amount' | 'day';

export interface TransactionMatch {
  transaction: LedgerTransaction;
  /** `named`: the customer gave its id; `amount` and `day`: it has an amount they wrote, on a day they meant. */
  why: MatchReason[];
}

export interface DuplicateHint {
  transactionIds: [string, string];
  amount: string;
  currency: string;
  counterparty?: string;
  minutesApart: number;
}

export interface MatchResult {
  matches: TransactionMatch[];
  duplicate?: DuplicateHint;
}

const SCALE = 4;
const UNIT = 10n ** BigInt(SCALE);

/** `38.5` → 385000n; the sign dropped, since ledgers disagree on whether a debit is negative. */
export function toUnits(decimal: string): bigint {
  const match = /^-?(\d+)(?:\.(\d{0,4}))?$/.exec(decimal.trim());
  if (!match) throw new Error(`not a decimal amount: ${decimal}`);
  return BigInt(match[1]!) * UNIT + BigInt((match[2] ?? '').padEnd(SCALE, '0'));
}

function tolerance(named: bigint, fee: FeeTolerance): bigint {
  if ('absolute' in fee) return toUnits(fee.absolute);
  return (named * toUnits(fee.percent)) / (100n * UNIT);
}

/** The calendar day of `iso` in `timeZone`, as `YYYY-MM-DD`. */
export function dayOf(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** The days a ticket means: every day the customer named, and the days they wrote on. */
function daysMeant(messages: readonly MessageEntities[], timeZone: string): Set<string> {
  return new Set(messages.flatMap((m) => [dayOf(m.sentAt, timeZone), ...m.entities.times.map((time) => time.date)]));
}

/** How far back to ask the ledger: a day before the earliest day the ticket means, whatever the zone. */
export function lookupSince(messages: readonly MessageEntities[], timeZone: string): Date {
  const earliest = [...daysMeant(messages, timeZone)].sort()[0];
  const start = earliest ? Date.parse(`${earliest}T00:00:00Z`) : Date.now();
  return new Date(start - 36 * 3_600_000);
}

/** The refund ids the customer named, once each, in the order they came. */
export function namedRefunds(messages: readonly MessageEntities[]): string[] {
  return [...new Set(messages.flatMap((m) => m.entities.references.filter((r) => r.kind === 'refund').map((r) => r.value)))];
}

// A failed or reversed payment took no money: two of them are no double charge.
const NOT_CHARGED = new Set(['failed', 'declined', 'cancelled', 'canceled', 'reversed']);

export function matchTransactions(messages: readonly MessageEntities[], transactions: readonly LedgerTransaction[], settings: MatchSettings = DEFAULT_MATCH_SETTINGS): MatchResult {
  const named = new Set(messages.flatMap((m) => m.entities.references.filter((r) => r.kind !== 'refund').map((r) => r.value.toLowerCase())));
  const amounts = messages.flatMap((m) => m.entities.amounts).map((a) => ({ units: toUnits(a.value), currency: a.currency }));
  const days = daysMeant(messages, settings.timeZone);
  const matches: TransactionMatch[] = [];
  for (const transaction of transactions) {
    const units = toUnits(transaction.amount);
    const amountFits = amounts.some((a) => (a.currency === undefined || a.currency === transaction.currency) && abs(units - a.units) <= tolerance(a.units, settings.feeTolerance));
    const dayFits = days.has(dayOf(transaction.createdAt, settings.timeZone));
    const why: MatchReason[] = [];
    if (named.has(transaction.id.toLowerCase())) why.push('named');
    if (amountFits && dayFits) why.push('amount', 'day');
    if (why.length > 0) matches.push({ transaction, why });
  }
  matches.sort((a, b) => Date.parse(a.transaction.createdAt) - Date.parse(b.transaction.createdAt));
  const duplicate = duplicateOf(matches.map((m) => m.transaction), settings.duplicateWindowMinutes);
  return duplicate ? { matches, duplicate } : { matches };
}

/** The first two charges (oldest first) of one amount, currency and counterparty within the window. */
function duplicateOf(transactions: readonly LedgerTransaction[], windowMinutes: number): DuplicateHint | undefined {
  const charged = transactions.filter((t) => !NOT_CHARGED.has(t.status.toLowerCase()));
  for (let i = 0; i < charged.length; i++) {
    for (let j = i + 1; j < charged.length; j++) {
      const [a, b] = [charged[i]!, charged[j]!];
      const minutesApart = Math.abs(Date.parse(b.createdAt) - Date.parse(a.createdAt)) / 60_000;
      const same = toUnits(a.amount) === toUnits(b.amount) && a.currency === b.currency && (a.counterparty ?? '') === (b.counterparty ?? '');
      if (same && minutesApart <= windowMinutes) {
        return { transactionIds: [a.id, b.id], amount: a.amount, currency: a.currency, ...(a.counterparty ? { counterparty: a.counterparty } : {}), minutesApart: Math.round(minutesApart) };
      }
    }
  }
  return undefined;
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
