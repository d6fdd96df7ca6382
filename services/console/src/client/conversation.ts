import { api, ApiError, type RelatedConversation, type ReplyWindow, type SlaReading, type StoredMessage, type TicketSummary } from './api.ts';
import { audioPlayer, callLine } from './call.ts';
import { channelIcon, fill, h, maskedText, newKey } from './dom.ts';
import { dateTime, duration, label, lang, t, type MessageKey } from './i18n.ts';
import { live } from './live.ts';
import { may } from './me.ts';
import { Refresher } from './refresher.ts';
import { relatedLine } from './related.ts';
import { TasksPanel } from './tasks.ts';
import { CATEGORIES, channelView, PRIORITIES, STATUSES, type ChannelView } from './vocabulary.ts';
import { WalletPanel } from './wallet.ts';

function maskTitle(mask: string): string {
  if (mask.startsWith('[card')) return t('mask.card');
  return mask === '[code]' ? t('mask.code') : t('mask.password');
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function percent(confidence: number | undefined): string {
  return confidence === undefined ? '–' : `${Math.round(confidence * 100)}%`;
}

/** A clock of the ticket: "first response: due in 2 h 5 min", "resolution: breached", … */
function slaText(key: 'sla.firstResponse' | 'sla.resolution', clock: SlaReading['firstResponse']): HTMLElement {
  const state = clock.state === 'running' || clock.state === 'warning' ? t('sla.dueIn', { left: duration(Date.parse(clock.dueAt ?? '') - Date.now()) }) : t(`sla.${clock.state}`);
  return h('span', { class: `sla sla-${clock.state}`, 'data-clock': key, text: `${t(key)}: ${state}` });
}

/** The spam button says what a click does: clear the ticket's mark, or set it. */
function showSpamToggle(button: HTMLButtonElement, ticket: TicketSummary): HTMLButtonElement {
  button.dataset.spam = ticket.spam ? 'yes' : 'no';
  button.textContent = t(ticket.spam ? 'ticket.notSpam' : 'ticket.markSpam');
  return button;
}

/** One ticket: its thread, the classifier's reasons, status/category/priority controls and a reply box. */
export class ConversationView {
  readonly element: HTMLElement;
  private readonly head: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly decision: HTMLElement;
  private readonly thread: HTMLOListElement;
  private readonly replyNotice: HTMLElement;
  private readonly windowBanner: HTMLElement;
  private readonly refresher: Refresher;
  private readonly unsubscribe: (() => void)[];
  private readonly tasks: TasksPanel;
  private readonly wallet: WalletPanel;
  private shown = '';
  /** Agents to assign to (supervisors and admins only), loaded once per view. */
  private agents: Promise<{ id: string; name: string }[]> | undefined;
  /** One key per draft: a retried send of the same text is recognised by the server, not sent twice. */
  private replyKey = newKey();

  constructor(
    private readonly ticketId: string,
    private readonly onError: (error: unknown) => boolean,
    private readonly onChanged: () => void,
  ) {
    this.head = h('div', { class: 'conversation-head' });
    this.controls = h('form', { class: 'controls', id: 'controls' });
    this.decision = h('section', { class: 'decision card', id: 'decision', 'aria-label': t('decision.title') });
    this.thread = h('ol', { class: 'thread', id: 'thread', 'aria-label': t('thread.title') });
    this.replyNotice = h('p', { class: 'reply-notice', id: 'reply-notice', role: 'status' });
    this.windowBanner = h('p', { class: 'reply-window', id: 'reply-window', hidden: true });
    this.tasks = new TasksPanel(ticketId, onError, () => this.refresher.now());
    this.wallet = new WalletPanel(ticketId, onError, () => this.refresher.now());
    this.element = h(
      'section',
      { class: 'conversation', id: 'conversation', 'data-ticket': ticketId },
      h('a', { href: '#/inbox', class: 'back link', text: `‹ ${t('back')}` }),
      this.head,
      this.controls,
      h('div', { class: 'conversation-body' }, h('div', { class: 'thread-column' }, this.thread, may('tickets.reply') ? this.replyForm() : h('p', { class: 'muted read-only', id: 'read-only', text: t('reply.readOnly') }), this.wallet.element, this.tasks.element), this.decision),
    );
    this.controls.addEventListener('submit', (event) => event.preventDefault());
    this.refresher = new Refresher(() => this.load());
    void this.refresher.now();
    this.unsubscribe = [
      live.onEvent((event) => event.ticketId === this.ticketId && this.refresher.soon()),
      live.onState((state) => state === 'live' && this.refresher.soon()),
    ];
  }

  stop(): void {
    this.refresher.stop();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private async load(): Promise<void> {
    try {
      const { ticket, messages, tasks, related, replyWindow, sla, wallet } = await api.ticket(this.ticketId);
      // Only a channel that can post in public offers the choice.
      const publicLabel = this.element.querySelector<HTMLElement>('#reply-public-label');
      if (publicLabel) publicLabel.hidden = !channelView(ticket.channel).publicReplies;
      this.showWindow(replyWindow, channelView(ticket.channel));
      this.tasks.show(tasks);
      this.wallet.show(ticket, wallet);
      const signature = JSON.stringify([ticket, messages, related, sla]);
      if (signature === this.shown) return;
      this.shown = signature;
      this.showHead(ticket, sla, related);
      if (may('tickets.update')) await this.showControls(ticket);
      this.showDecision(ticket, messages);
      this.showThread(messages);
    } catch (error) {
      if (this.onError(error)) return;
      if (error instanceof ApiError && error.status === 404) {
        this.refresher.stop();
        fill(this.head, h('p', { class: 'error', text: t('ticket.notFound') }));
        return;
      }
      this.replyNotice.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * The channel's reply window: when it closes and how a reply goes out now (the channel's sentence for
   * the decision's mode), or why nothing can be sent now (and then no send button).
   */
  private showWindow(window: ReplyWindow, channel: ChannelView): void {
    const send = this.element.querySelector<HTMLButtonElement>('#reply-send');
    if (!send) return;
    send.disabled = !window.allowed;
    // Nothing can ever be sent on the channel: the box would only invite a reply that cannot go.
    const text = this.element.querySelector<HTMLTextAreaElement>('#reply-text');
    if (text) text.disabled = !window.allowed && window.code === 'receive-only';
    const lines: string[] = [];
    if (!window.allowed) lines.push(t(`window.${window.code}`));
    else {
      const mode = window.mode ? channel.replyModes[window.mode]?.[lang()] : undefined;
      if (mode) lines.push(mode);
      if (window.closesAt) lines.push(t('window.closesIn', { left: duration(Date.parse(window.closesAt) - Date.now()) }));
      if (window.remaining !== undefined) lines.push(t('window.remaining', { n: window.remaining }));
    }
    this.windowBanner.hidden = lines.length === 0;
    this.windowBanner.className = `reply-window${window.allowed ? '' : ' closed'}`;
    this.windowBanner.textContent = lines.join(' ');
  }

  private showHead(ticket: TicketSummary, sla: SlaReading | undefined, related: readonly RelatedConversation[]): void {
    const customer = [ticket.customer.name, ticket.customer.address ?? ticket.customer.id].filter(Boolean).join(' · ');
    fill(
      this.head,
      h(
        'h2',
        {},
        channelIcon(ticket.channel, label('channel', ticket.channel)),
        h('span', { class: 'number', id: 'ticket-number', text: ticket.number }),
        h('span', { class: 'subject' }, maskedText(ticket.subject ?? ticket.preview, maskTitle)),
      ),
      h(
        'p',
        { class: 'muted' },
        `${t('ticket.customer')}: `,
        h('span', { class: 'customer', text: customer }),
        ` · ${label('channel', ticket.channel)} · ${label('language', ticket.language)} · ${t('ticket.opened')} ${dateTime(ticket.createdAt)} · ${t('ticket.messages', { n: ticket.messageCount })}`,
        ticket.linkedTicketId ? ` · ${t('ticket.linked', { id: ticket.linkedTicketId })}` : '',
      ),
      sla ? h('p', { class: 'sla-line', id: 'ticket-sla' }, slaText('sla.firstResponse', sla.firstResponse), ' · ', slaText('sla.resolution', sla.resolution)) : null,
      // What the connector found, in its own words: why this sender is not trusted, why no reply can go out.
      ticket.customer.suspect ? h('p', { class: 'flag suspect', id: 'customer-suspect', role: 'alert', text: `⚠ ${t('sender.suspect')}: ${ticket.customer.suspect.reason}` }) : null,
      ticket.customer.unusableAddress ? h('p', { class: 'flag', id: 'customer-unusable', text: `${t('sender.unusable')}: ${ticket.customer.unusableAddress.reason}` }) : null,
      ticket.spam ? h('p', { class: 'flag spam', id: 'ticket-spam', text: `${t('ticket.spam')}: ${ticket.spam.reason}` }) : null,
      related.length > 0 ? relatedLine(related) : null,
    );
  }

  /** Built once; later refreshes only move the selects to the stored values (unless one is in use). */
  private async showControls(ticket: TicketSummary): Promise<void> {
    const selects = this.controls.querySelectorAll('select');
    const spamToggle = this.controls.querySelector<HTMLButtonElement>('#ticket-spam-toggle');
    if (spamToggle) showSpamToggle(spamToggle, ticket);
    if (selects.length > 0) {
      selects.forEach((select) => {
        if (select !== document.activeElement) select.value = (ticket[select.name as 'status' | 'category' | 'priority' | 'assignee'] as string | undefined) ?? '';
      });
      return;
    }
    const agents = may('tickets.assign') ? await (this.agents ??= api.users().then(({ users }) => users.filter((u) => u.role === 'agent' && !u.disabled))) : [];
    const result = h('span', { class: 'control-result', id: 'control-result', role: 'status' });
    const control = (field: 'status' | 'category' | 'priority' | 'assignee', values: readonly { value: string; text: string }[], key: MessageKey) => {
      const id = `ticket-${field}`;
      const current = (ticket[field] as string | undefined) ?? '';
      const element = h(
        'select',
        { id, name: field },
        values.map(({ value, text }) => h('option', { value, text, selected: current === value })),
      );
      element.addEventListener('change', () => this.save(ticket.id, { [field]: field === 'assignee' && element.value === '' ? null : element.value }, result));
      return h('label', { for: id }, h('span', { text: t(key) }), element);
    };
    const of = (kind: 'status' | 'category' | 'priority', values: readonly string[]) => values.map((value) => ({ value, text: label(kind, value) }));
    const toggle = showSpamToggle(h('button', { type: 'button', id: 'ticket-spam-toggle', class: 'link' }), ticket);
    toggle.addEventListener('click', () => this.save(ticket.id, { spam: toggle.dataset.spam !== 'yes' }, result));
    fill(
      this.controls,
      control('status', of('status', STATUSES), 'filter.status'),
      control('category', of('category', CATEGORIES), 'filter.category'),
      control('priority', of('priority', PRIORITIES), 'filter.priority'),
      may('tickets.assign') ? control('assignee', [{ value: '', text: t('assignee.none') }, ...agents.map((a) => ({ value: a.id, text: a.name }))], 'filter.assignee') : null,
      toggle,
      result,
    );
  }

  /** PATCHes the ticket, says whether it was saved, and refreshes. */
  private save(ticketId: string, patch: Record<string, string | boolean | null>, result: HTMLElement): void {
    result.textContent = '';
    api
      .patchTicket(ticketId, patch)
      .then(() => {
        result.textContent = t('ticket.saved');
        result.className = 'control-result ok';
        this.onChanged();
        return this.refresher.now();
      })
      .catch((error: unknown) => {
        if (this.onError(error)) return;
        result.textContent = t('ticket.saveFailed', { reason: error instanceof Error ? error.message : String(error) });
        result.className = 'control-result error';
      });
  }

  private showDecision(ticket: TicketSummary, messages: StoredMessage[]): void {
    // The classifier's decision on what the customer wrote, not on an event of the conversation.
    const written = messages.filter((m) => m.direction === 'inbound' && !m.event);
    const decided = written.find((m) => m.explanation) ?? written[0] ?? messages.find((m) => m.direction === 'inbound');
    const list = (items: readonly string[] | undefined, id: string) =>
      items && items.length > 0 ? h('ul', { class: 'reasons', id }, items.map((item) => h('li', { text: item }))) : h('p', { class: 'muted', id, text: t('decision.none') });
    const redactions = messages.flatMap((m) => m.redactions ?? []);
    fill(
      this.decision,
      h('h3', { text: t('decision.title') }),
      h(
        'dl',
        {},
        h('dt', { text: t('decision.category') }),
        h('dd', { id: 'decision-category' }, h('span', { class: `chip category category-${decided?.category ?? ticket.category}`, text: label('category', decided?.category ?? ticket.category) })),
        h('dt', { text: t('decision.confidence') }),
        h('dd', { id: 'decision-confidence', text: percent(decided?.confidence ?? ticket.confidence) }),
        h('dt', { text: t('filter.priority') }),
        h('dd', {}, h('span', { class: `chip priority priority-${decided?.priority ?? ticket.priority}`, text: label('priority', decided?.priority ?? ticket.priority) })),
      ),
      h('p', { class: ticket.triage ? 'triage-flag on' : 'triage-flag', id: 'decision-triage', text: ticket.triage ? `⚑ ${t('decision.triage')}` : t('decision.noTriage') }),
      h('h4', { text: t('decision.priorityRules') }),
      list(decided?.explanation?.priorityRules, 'decision-rules'),
      h('h4', { text: t('decision.features') }),
      list(decided?.explanation?.features, 'decision-features'),
      redactions.length > 0 ? h('h4', { text: t('decision.redactions') }) : null,
      redactions.length > 0 ? h('ul', { class: 'reasons' }, redactions.map((r) => h('li', { text: `${r.kind} × ${r.count}` }))) : null,
    );
  }

  private showThread(messages: StoredMessage[]): void {
    const atBottom = this.thread.scrollHeight - this.thread.scrollTop - this.thread.clientHeight < 40;
    const grew = this.thread.children.length !== messages.length;
    fill(
      this.thread,
      messages.map((m) => (m.event ? this.event(m) : this.message(m))),
    );
    if (atBottom || grew) this.thread.scrollTop = this.thread.scrollHeight;
  }

  private message(m: StoredMessage): HTMLElement {
    const inbound = m.direction === 'inbound';
    const who = inbound ? m.sender.name || m.sender.address || m.sender.id : m.kind === 'ack' ? t('thread.ack') : (m.author?.name ?? t('thread.you'));
    const state = m.deliveryState;
    return h(
      'li',
      { class: `message ${m.direction}${m.kind === 'ack' ? ' ack' : ''}${m.deletedAt ? ' deleted' : ''}`, 'data-id': m.id, 'data-state': state },
      h(
        'div',
        { class: 'message-meta' },
        h('strong', { text: who }),
        h('time', { datetime: m.sentAt, text: dateTime(m.sentAt) }),
        m.editedAt ? h('span', { class: 'muted', text: t('thread.edited') }) : null,
        m.autoSubmitted && !m.call ? h('span', { class: 'chip', text: t('thread.auto', { reason: m.autoSubmitted }) }) : null,
        inbound && m.sender.suspect ? h('span', { class: 'chip suspect', title: m.sender.suspect.reason, text: `⚠ ${t('chip.suspect')}` }) : null,
        inbound && m.spam ? h('span', { class: 'chip spam', title: m.spam.reason, text: t('chip.spam') }) : null,
        !inbound && state
          ? h('span', { class: `delivery state-${state}`, title: m.deliveryReason ?? '', text: state === 'failed' && m.deliveryReason ? `${t(`state.${state}`)}: ${m.deliveryReason}` : t(`state.${state}`) })
          : null,
      ),
      m.call ? callLine(m.call) : null,
      m.subject ? h('p', { class: 'message-subject', text: m.subject }) : null,
      h('p', { class: 'message-text' }, m.deletedAt ? h('span', { class: 'muted', text: t('thread.deleted') }) : null, maskedText(m.text, maskTitle)),
      m.attachments.length > 0
        ? h(
            'div',
            { class: 'attachments' },
            h('span', { class: 'muted', text: `${t('thread.attachments')}:` }),
            h(
              'ul',
              {},
              m.attachments.map((a, i) =>
                h('li', {}, `📎 ${a.name} (${a.contentType}, ${sizeText(a.size)})`, a.contentType.startsWith('audio/') && a.storageRef ? audioPlayer(this.ticketId, m, i, this.onError) : null),
              ),
            ),
          )
        : null,
      inbound && m.category
        ? h(
            'p',
            { class: 'message-why muted' },
            `${label('category', m.category)} ${percent(m.confidence)}`,
            m.priority ? ` · ${label('priority', m.priority)}` : '',
            m.explanation && m.explanation.priorityRules.length > 0 ? ` · ${m.explanation.priorityRules.join(', ')}` : '',
          )
        : null,
    );
  }

  /** Something the customer did or the channel reported (a follow, a location, a session entered): its name and every field. */
  private event(m: StoredMessage): HTMLElement {
    const event = m.event!;
    const fields = Object.entries(event.fields);
    return h(
      'li',
      { class: `message event${event.opensTicket ? ' asks' : ''}`, 'data-id': m.id, 'data-event': event.type },
      h(
        'div',
        { class: 'message-meta' },
        h('strong', { text: t('thread.event', { type: event.type }) }),
        h('span', { text: m.sender.name || m.sender.address || m.sender.id }),
        h('time', { datetime: m.sentAt, text: dateTime(m.sentAt) }),
        event.opensTicket ? h('span', { class: 'chip', text: t('thread.eventAsks') }) : null,
      ),
      m.text ? h('p', { class: 'message-text' }, maskedText(m.text, maskTitle)) : null,
      fields.length > 0
        ? h('dl', { class: 'event-fields' }, fields.flatMap(([name, value]) => [h('dt', { text: name }), h('dd', { text: typeof value === 'string' ? value : JSON.stringify(value) })]))
        : null,
    );
  }

  private replyForm(): HTMLElement {
    const text = h('textarea', { id: 'reply-text', name: 'text', rows: 3, required: true, placeholder: t('reply.placeholder'), 'aria-label': t('reply.title') });
    const publicBox = h('input', { type: 'checkbox', id: 'reply-public', name: 'public' });
    const send = h('button', { type: 'submit', id: 'reply-send', text: t('reply.send') });
    const form = h(
      'form',
      { class: 'reply', id: 'reply' },
      this.windowBanner,
      text,
      h('div', { class: 'reply-actions' }, h('label', { class: 'public', hidden: true, id: 'reply-public-label' }, publicBox, h('span', { text: t('reply.public') })), send),
      this.replyNotice,
    );
    text.addEventListener('input', () => (this.replyNotice.textContent = ''));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = text.value.trim();
      if (!body) return;
      send.disabled = true;
      send.textContent = t('reply.sending');
      api
        .reply(this.ticketId, body, this.replyKey, publicBox.checked)
        .then(() => {
          text.value = '';
          this.replyKey = newKey();
          this.replyNotice.textContent = t('reply.queued');
          this.replyNotice.className = 'reply-notice ok';
          this.onChanged();
          return this.refresher.now();
        })
        .catch((error: unknown) => {
          if (this.onError(error)) return;
          // The same key is kept: sending again cannot produce a second reply.
          this.replyNotice.textContent = t('reply.failed', { reason: error instanceof Error ? error.message : String(error) });
          this.replyNotice.className = 'reply-notice error';
        })
        .finally(() => {
          send.disabled = false;
          send.textContent = t('reply.send');
        });
    });
    return form;
  }
}
