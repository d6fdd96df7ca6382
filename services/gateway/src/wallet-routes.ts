import { z } from 'zod';
import type { Language } from '@switchboard/schema';
import { HttpError, json, jsonBody, parseBody, pathParams, type HttpRequest, type HttpResponse, type HttpRoute } from '@switchboard/http';
import type { TicketStore } from '@switchboard/ticket-store';
import type { Logger } from '@switchboard/runtime';
import type { TeamStore } from '@switchboard/team';
import { resolveCustomer, WalletNotFoundError, WalletUnavailableError } from '@switchboard/wallet';
import type { TicketAccess } from './people/access.ts';
import type { Authenticator, Principal } from './people/authenticator.ts';
import { readableTicket, ReplyQueue, type ReplyOutcome } from './replies.ts';
import { FREEZE_NOTICE_KEY, type TicketWallet } from './wallet.ts';

export const FREEZE_PATH = '/api/v1/tickets/:id/wallet/freeze';

const FreezeBody = z
  .object({
    reason: z.string().trim().min(3).max(500),
    confirm: z.literal(true, 'confirm: true is required: a freeze locks the customer out of their money'),
  })
  .strict();

/** What the customer is told, on their channel, in the ticket's language. */
export function freezeNotice(language: Language, ticketNumber: string): string {
  if (language === 'zh-Hans') return `为保护您的资金安全，我们已冻结您的钱包账户（工单 ${ticketNumber}）：在与您核实身份之前，账户无法付款或转出。回复本消息，我们将协助您解冻。`;
  if (language === 'zh-Hant') return `為保護您的資金安全，我們已凍結您的錢包帳戶（工單 ${ticketNumber}）：在與您核實身分之前，帳戶無法付款或轉出。回覆本訊息，我們將協助您解凍。`;
  return `To protect your money, we have frozen your wallet account (ticket ${ticketNumber}): no payment can leave it until we have verified your identity with you. Reply to this message and we will help you unfreeze it.`;
}

export interface WalletRoutesOptions {
  store: TicketStore;
  auth: Authenticator;
  access: TicketAccess;
  team: TeamStore;
  replies: ReplyQueue;
  /** Undefined when no ledger is configured: the route then says so. */
  wallet?: TicketWallet;
  logger: Logger;
}

/**
 * Freezing a compromised account from its security ticket: `wallet.act` (supervisors and admins), a
 * confirmed body, a verified customer. The ledger freezes (idempotent per ticket at the ledger), the
 * audit trail records it, and the customer is told through the reply path every agent's reply takes,
 * under one key per ticket: a second freeze of the ticket finds that notice and does nothing again.
 */
export function walletRoutes(options: WalletRoutesOptions): HttpRoute[] {
  const { store, auth, access, team, replies, wallet, logger } = options;
  // Two clicks at once on one ticket: the second waits for the first and answers as a repeat.
  const inFlight = new Map<string, Promise<HttpResponse>>();

  const freeze = async (request: HttpRequest, principal: Principal, ticketId: string, reason: string): Promise<HttpResponse> => {
    if (!wallet) throw new HttpError(404, 'no wallet ledger is configured (WALLET_API_BASE)');
    const { ticket, messages } = await readableTicket(store, access, principal, ticketId);
    if (ticket.category !== 'security') return json(409, { error: `ticket ${ticket.number} is not a security ticket (${ticket.category}): accounts are frozen from security tickets only`, code: 'not-security' });
    const customer = resolveCustomer(messages, wallet.settings.mapping);
    if (customer.customerRef === undefined) return json(409, { error: customer.reason, code: 'no-verified-customer' });
    const noticeId = ReplyQueue.idOf(ticket.id, FREEZE_NOTICE_KEY);
    if (messages.some((m) => m.id === noticeId)) return json(200, { frozen: true, duplicate: true, notice: { id: noticeId } });
    let frozen;
    try {
      frozen = await wallet.ledger.freeze(customer.customerRef, { reason, ticketNumber: ticket.number, agent: principal.user.email });
    } catch (error) {
      logger.warn('freeze not done', { ticketId: ticket.id, error });
      if (error instanceof WalletNotFoundError) return json(409, { error: 'the wallet ledger knows no such customer', code: 'unknown-customer' });
      throw new HttpError(error instanceof WalletUnavailableError ? 503 : 502, `ledger unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
    await team.audit.record(auth.actor(request, principal), 'wallet.freeze', ticket.number, { customerRef: customer.customerRef, via: customer.via, freezeId: frozen.freezeId, reason });
    let notice: ReplyOutcome;
    try {
      notice = await replies.send(request, principal, ticket.id, { text: freezeNotice(ticket.language, ticket.number) }, FREEZE_NOTICE_KEY);
    } catch (error) {
      // Frozen, not yet told: asking again freezes nothing twice (the ledger answers the same) and sends the notice.
      const why = error instanceof Error ? error.message : String(error);
      return json(503, { error: `the account is frozen, but the customer's notice could not be queued (${why}); ask again to send it`, frozen: true, freezeId: frozen.freezeId });
    }
    return json(200, { frozen: true, freezeId: frozen.freezeId, frozenAt: frozen.frozenAt, notice: notice.state === 'queued' ? { id: notice.id, state: 'queued' } : notice });
  };

  return [
    {
      method: 'POST',
      path: FREEZE_PATH,
      maxBodyBytes: 8 * 1024,
      async handle(request) {
        const principal = await auth.require(request, 'wallet.act');
        const { reason } = parseBody(FreezeBody, jsonBody(request));
        const ticketId = pathParams(FREEZE_PATH, request.path)!.id!;
        const pending = inFlight.get(ticketId);
        if (pending) return pending.then(() => freeze(request, principal, ticketId, reason));
        const work = freeze(request, principal, ticketId, reason).finally(() => inFlight.delete(ticketId));
        inFlight.set(ticketId, work);
        return work;
      },
    },
  ];
}
