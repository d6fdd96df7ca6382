import { api, type TicketSummary, type TicketWalletSection } from './api.ts';
import { fill, h } from './dom.ts';
import { dateTime } from './i18n.ts';
import { may } from './me.ts';
import { wt } from './wallet-i18n.ts';

type Found = Extract<TicketWalletSection, { state: 'found' }>;

/**
 * The customer's wallet beside the conversation: who they are at the wallet (or why there was no
 * lookup), the transactions matching what they wrote, a possible double charge, the refunds they named,
 * and, on a security ticket and for those allowed, the freeze action behind a confirm step.
 */
export class WalletPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly action: HTMLElement;
  private readonly notice: HTMLElement;
  private shown = '';
  private confirming = false;
  private last: [TicketSummary, TicketWalletSection | undefined] | undefined;

  constructor(
    private readonly ticketId: string,
    private readonly onError: (error: unknown) => boolean,
    private readonly onChanged: () => Promise<void>,
  ) {
    this.body = h('div', { class: 'wallet-body' });
    this.action = h('div', { class: 'wallet-action' });
    this.notice = h('p', { class: 'wallet-notice', id: 'wallet-notice', role: 'status' });
    this.element = h('section', { class: 'wallet card', id: 'wallet', hidden: true, 'aria-label': wt('title') }, h('h3', { text: wt('title') }), this.body, this.action, this.notice);
  }

  /** Redrawn only when something changed, and never under an open confirm step. */
  show(ticket: TicketSummary, wallet: TicketWalletSection | undefined): void {
    this.last = [ticket, wallet];
    this.element.hidden = wallet === undefined;
    if (!wallet) return;
    const signature = JSON.stringify([ticket.category, wallet]);
    if (signature === this.shown || this.confirming) return;
    this.shown = signature;
    fill(this.body, ...this.describe(wallet));
    const canFreeze = ticket.category === 'security' && may('wallet.act') && !wallet.frozen && (wallet.state === 'found' || wallet.state === 'unavailable');
    fill(this.action, canFreeze ? this.freezeButton() : null);
  }

  private describe(wallet: TicketWalletSection): (Node | null)[] {
    const frozen = wallet.frozen ? h('p', { class: 'flag', id: 'wallet-frozen', text: `❄ ${wt('frozen', { at: dateTime(wallet.frozen.at) })}` }) : null;
    if (wallet.state === 'no-lookup') return [h('p', { class: 'muted', id: 'wallet-none', 'data-none': wallet.none, title: wallet.reason, text: wt(`none.${wallet.none}`) }), frozen];
    const who = h('p', { class: 'wallet-customer', id: 'wallet-customer', text: `${wt('customer', { ref: wallet.customerRef })} · ${wt(`via.${wallet.via}`)}` });
    if (wallet.state === 'unavailable') return [who, h('p', { class: 'flag', id: 'wallet-unavailable', role: 'alert', text: `${wt('unavailable')}: ${wallet.reason}` }), frozen];
    if (wallet.state === 'unknown-customer') return [who, h('p', { class: 'muted', id: 'wallet-unknown', text: wt('unknownCustomer', { ref: wallet.customerRef }) }), frozen];
    return [who, frozen, this.duplicate(wallet), ...this.matches(wallet), ...this.refunds(wallet)];
  }

  private duplicate(wallet: Found): HTMLElement | null {
    const d = wallet.duplicate;
    if (!d) return null;
    const to = d.counterparty ? wt('duplicateTo', { party: d.counterparty }) : '';
    return h('p', { class: 'flag suspect', id: 'wallet-duplicate', role: 'alert', text: `⚠ ${wt('duplicate', { a: d.transactionIds[0], b: d.transactionIds[1], amount: d.amount, currency: d.currency, to, minutes: d.minutesApart })}` });
  }

  private matches(wallet: Found): HTMLElement[] {
    if (wallet.matches.length === 0) return [h('p', { class: 'muted', id: 'wallet-no-matches', text: wt('noMatches', { since: dateTime(wallet.since) }) })];
    return [
      h('h4', { text: wt('matches') }),
      h(
        'ul',
        { class: 'wallet-matches', id: 'wallet-matches' },
        wallet.matches.map(({ transaction: tx, why }) =>
          h(
            'li',
            { 'data-transaction': tx.id },
            h('strong', { class: 'wallet-amount', text: `${tx.amount} ${tx.currency}` }),
            ` ${tx.counterparty ?? ''} · ${dateTime(tx.createdAt)} · `,
            h('span', { class: `chip tx-${tx.status}`, text: tx.status }),
            h('span', { class: 'muted wallet-id', text: ` ${tx.id} (${why.map((w) => wt(`why.${w}`)).join(', ')})` }),
          ),
        ),
      ),
    ];
  }

  private refunds(wallet: Found): HTMLElement[] {
    if (wallet.refunds.length === 0) return [];
    return [
      h('h4', { text: wt('refunds') }),
      h(
        'ul',
        { class: 'wallet-refunds', id: 'wallet-refunds' },
        wallet.refunds.map((r) => h('li', { 'data-refund': r.id, text: `${r.id}: ${r.status === 'unknown' ? wt('refund.unknown') : r.status}${'amount' in r && r.amount ? ` · ${r.amount} ${r.currency ?? ''}` : ''}` })),
      ),
    ];
  }

  /** The button opens the confirm step: a reason, a warning, and the one button that freezes. */
  private freezeButton(): HTMLElement {
    const open = h('button', { type: 'button', id: 'wallet-freeze', class: 'danger', text: wt('freeze') });
    open.addEventListener('click', () => {
      this.confirming = true;
      fill(this.action, this.confirmForm());
      this.action.querySelector<HTMLInputElement>('#wallet-freeze-reason')?.focus();
    });
    return open;
  }

  private confirmForm(): HTMLElement {
    const reason = h('input', { type: 'text', id: 'wallet-freeze-reason', required: true, minlength: 3, maxlength: 500, 'aria-label': wt('freezeReason'), placeholder: wt('freezeReason') });
    const confirm = h('button', { type: 'submit', id: 'wallet-freeze-confirm', class: 'danger', text: wt('freezeConfirm') });
    const cancel = h('button', { type: 'button', id: 'wallet-freeze-cancel', class: 'link', text: wt('freezeCancel') });
    const form = h('form', { class: 'wallet-confirm', id: 'wallet-confirm' }, h('p', { class: 'flag', text: wt('freezeWarning') }), reason, h('div', { class: 'wallet-confirm-actions' }, confirm, cancel));
    cancel.addEventListener('click', () => this.closeConfirm());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (reason.value.trim().length < 3) return;
      confirm.disabled = true;
      confirm.textContent = wt('freezing');
      api
        .freezeWallet(this.ticketId, reason.value.trim())
        .then((answer) => {
          const refused = answer.notice && 'state' in answer.notice && answer.notice.state === 'refused' ? answer.notice.error : undefined;
          this.say(refused ? wt('freezeNoticeRefused', { reason: refused }) : wt('freezeDone'), refused ? 'error' : 'ok');
          this.closeConfirm();
          return this.onChanged();
        })
        .catch((error: unknown) => {
          if (this.onError(error)) return;
          confirm.disabled = false;
          confirm.textContent = wt('freezeConfirm');
          this.say(wt('freezeFailed', { reason: error instanceof Error ? error.message : String(error) }), 'error');
        });
    });
    return form;
  }

  private closeConfirm(): void {
    this.confirming = false;
    this.shown = '';
    if (this.last) this.show(...this.last);
  }

  private say(text: string, kind: 'ok' | 'error'): void {
    this.notice.textContent = text;
    this.notice.className = `wallet-notice ${kind}`;
  }
}
