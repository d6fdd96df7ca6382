import type { Logger } from '@switchboard/runtime';
import { maskName, maskReference, maskText, seesCustomerDetails } from '@switchboard/team';
import type { StoredMessage, TicketSummary } from '@switchboard/ticket-store';
import { walletSection, type FreezeRequest, type FreezeResult, type LedgerTransaction, type Refund, type WalletLedger, type WalletSection, type WalletSettings } from '@switchboard/wallet';
import type { Principal } from './people/authenticator.ts';
import { ReplyQueue } from './replies.ts';

/** The key of the freeze notice on the reply path: its outbound id marks a ticket whose account was frozen. */
export const FREEZE_NOTICE_KEY = 'wallet-freeze';

/** The ticket's wallet section as the API answers it: the ledger's part, and whether this ticket froze the account. */
export type TicketWalletSection = WalletSection & { frozen?: { noticeId: string; at: string } };

const CACHE_MS = 15_000;
// A failing ledger is asked again sooner: it may be back, and the ticket says it is not.
const FAILURE_CACHE_MS = 5_000;

/**
 * Reads of the ledger shared for a few seconds: the console reloads an open ticket on every change, and
 * neither the ledger nor a person should wait 2 s per reload on a ledger that is down. Freezes are never
 * cached.
 */
export class CachedLedger implements WalletLedger {
  private readonly cache = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(
    private readonly ledger: WalletLedger,
    private readonly now: () => number = Date.now,
  ) {}

  transactions(customerRef: string, since: Date): Promise<LedgerTransaction[]> {
    return this.remember(`t\u001f${customerRef}\u001f${since.toISOString()}`, () => this.ledger.transactions(customerRef, since));
  }

  refund(id: string): Promise<Refund | undefined> {
    return this.remember(`r\u001f${id}`, () => this.ledger.refund(id));
  }

  freeze(customerRef: string, request: FreezeRequest): Promise<FreezeResult> {
    return this.ledger.freeze(customerRef, request);
  }

  private remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    const at = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > at) return hit.value as Promise<T>;
    if (this.cache.size > 5_000) for (const [k, v] of this.cache) if (v.until <= at) this.cache.delete(k);
    const value = load();
    const entry = { until: at + CACHE_MS, value };
    this.cache.set(key, entry);
    value.catch(() => (entry.until = Math.min(entry.until, this.now() + FAILURE_CACHE_MS)));
    return value;
  }
}

/** The wallet on a ticket: its section for whoever reads it (masked for analysts), over one ledger. */
export class TicketWallet {
  readonly ledger: WalletLedger;

  constructor(
    ledger: WalletLedger,
    readonly settings: WalletSettings,
    private readonly logger: Logger,
  ) {
    this.ledger = new CachedLedger(ledger);
  }

  /** Never throws: whatever goes wrong, the rest of the ticket answers and this section says why. */
  async section(principal: Principal, ticket: TicketSummary, messages: readonly StoredMessage[]): Promise<TicketWalletSection> {
    let section: TicketWalletSection;
    try {
      section = await walletSection(this.ledger, messages, this.settings.mapping, this.settings.match);
    } catch (error) {
      this.logger.error('wallet section failed', { ticketId: ticket.id, error });
      section = { state: 'no-lookup', none: 'error', reason: 'the wallet section could not be built' };
    }
    const notice = messages.find((m) => m.id === ReplyQueue.idOf(ticket.id, FREEZE_NOTICE_KEY));
    if (notice) section = { ...section, frozen: { noticeId: notice.id, at: notice.sentAt } };
    return seesCustomerDetails(principal.user.role) ? section : maskSection(section);
  }
}

/**
 * What an analyst sees: amounts, currencies, statuses and days (what per-category sums need), with every
 * id masked and counterparties' names masked as people's names are.
 */
export function maskSection(section: TicketWalletSection): TicketWalletSection {
  const frozen = section.frozen ? { frozen: { ...section.frozen, noticeId: maskReference(section.frozen.noticeId) } } : {};
  if (section.state === 'no-lookup') return { ...section, reason: maskText(section.reason), ...frozen };
  const customerRef = maskReference(section.customerRef);
  if (section.state !== 'found') return { ...section, customerRef, ...frozen };
  const party = (name: string | undefined) => (name === undefined ? {} : { counterparty: maskName(name) });
  return {
    ...section,
    customerRef,
    matches: section.matches.map((m) => ({ ...m, transaction: { ...m.transaction, id: maskReference(m.transaction.id), ...party(m.transaction.counterparty) } })),
    ...(section.duplicate
      ? { duplicate: { ...section.duplicate, transactionIds: [maskReference(section.duplicate.transactionIds[0]), maskReference(section.duplicate.transactionIds[1])], ...party(section.duplicate.counterparty) } }
      : {}),
    refunds: section.refunds.map((r) => ({ ...r, id: maskReference(r.id) })),
    ...frozen,
  };
}
