import { api, type SlaReading, type TicketQuery, type TicketSummary } from './api.ts';
import { channelIcon, fill, h } from './dom.ts';
import { age, duration, label, t, type MessageKey } from './i18n.ts';
import { live } from './live.ts';
import { Refresher } from './refresher.ts';
import { CATEGORIES, CHANNELS, LANGUAGES, PRIORITIES, STATUSES } from './vocabulary.ts';

const FILTER_KEY = 'switchboard.console.filters';

/** The filters survive a reload and a language switch (this tab only). */
const filters: TicketQuery = loadFilters();

function loadFilters(): TicketQuery {
  try {
    return (JSON.parse(sessionStorage.getItem(FILTER_KEY) ?? '{}') as TicketQuery) ?? {};
  } catch {
    return {};
  }
}

function select(name: keyof TicketQuery, labelKey: MessageKey, options: { value: string; text: string }[], onChange: () => void, anyOption = true): HTMLElement {
  const id = `filter-${name}`;
  const element = h(
    'select',
    { id, name },
    anyOption ? h('option', { value: '', text: t('filter.any') }) : null,
    options.map((o) => h('option', { value: o.value, text: o.text, selected: filters[name] === o.value })),
  );
  element.addEventListener('change', () => {
    filters[name] = element.value || undefined;
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
    onChange();
  });
  return h('label', { class: 'filter', for: id }, h('span', { text: t(labelKey) }), element);
}

const options = (kind: 'status' | 'category' | 'priority' | 'channel' | 'language', values: readonly string[]) => values.map((value) => ({ value, text: label(kind, value) }));

/** The SLA chip of a row: only what needs attention (a warning or a breach). */
function slaChip(sla: SlaReading | undefined): HTMLElement | null {
  const clock = sla?.firstResponse.state === 'met' ? sla.resolution : sla?.firstResponse;
  if (!clock || (clock.state !== 'breached' && clock.state !== 'warning')) return null;
  const text = clock.state === 'breached' ? t('sla.breached') : t('sla.dueIn', { left: duration(Date.parse(clock.dueAt ?? '') - Date.now()) });
  return h('span', { class: `chip sla sla-${clock.state}`, text });
}

/** The ticket list with its filters; refreshed when the live connection says something changed. */
export class InboxView {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly status: HTMLElement;
  private readonly refresher: Refresher;
  private readonly unsubscribe: (() => void)[];
  private search: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly onError: (error: unknown) => boolean,
    private selectedId?: string,
  ) {
    const refresh = () => void this.refresher.now();
    const searchBox = h('input', { id: 'filter-q', type: 'search', value: filters.q ?? '', placeholder: t('filter.search'), 'aria-label': t('filter.search') });
    searchBox.addEventListener('input', () => {
      clearTimeout(this.search);
      this.search = setTimeout(() => {
        filters.q = searchBox.value.trim() || undefined;
        sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
        refresh();
      }, 300);
    });
    this.list = h('ol', { class: 'tickets', id: 'tickets', 'aria-live': 'polite' });
    this.status = h('p', { class: 'list-status muted', id: 'inbox-status' });
    this.element = h(
      'section',
      { class: 'inbox' },
      h(
        'form',
        { class: 'filters', id: 'filters', role: 'search' },
        select('status', 'filter.status', options('status', STATUSES), refresh),
        select('category', 'filter.category', options('category', CATEGORIES), refresh),
        select('priority', 'filter.priority', options('priority', PRIORITIES), refresh),
        select('channel', 'filter.channel', options('channel', CHANNELS.map((c) => c.id)), refresh),
        select('language', 'filter.language', options('language', LANGUAGES), refresh),
        select('assignee', 'filter.assignee', [{ value: 'me', text: t('assignee.me') }, { value: 'none', text: t('assignee.none') }], refresh),
        select('spam', 'filter.spam', [{ value: 'true', text: t('spam.only') }, { value: 'false', text: t('spam.none') }], refresh),
        select('sort', 'filter.sort', [{ value: 'newest', text: t('sort.newest') }, { value: 'urgent', text: t('sort.urgent') }], refresh, false),
        h('label', { class: 'filter filter-search' }, h('span', { text: t('filter.search') }), searchBox),
      ),
      this.status,
      this.list,
    );
    this.element.querySelector('form')!.addEventListener('submit', (event) => event.preventDefault());
    this.refresher = new Refresher(() => this.load());
    void this.refresher.now();
    this.unsubscribe = [live.onEvent(() => this.refresher.soon()), live.onState((state) => state === 'live' && this.refresher.soon())];
  }

  refresh(): Promise<void> {
    return this.refresher.now();
  }

  select(id: string | undefined): void {
    this.selectedId = id;
    this.list.querySelectorAll<HTMLElement>('li[data-id]').forEach((row) => row.classList.toggle('selected', row.dataset.id === id));
  }

  stop(): void {
    this.refresher.stop();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    clearTimeout(this.search);
  }

  private async load(): Promise<void> {
    try {
      const { tickets } = await api.tickets(filters);
      this.show(tickets);
      this.status.textContent = `${t('inbox.count', { n: tickets.length })} · ${t('inbox.updated', { time: new Date().toLocaleTimeString() })}`;
      this.status.classList.remove('error');
    } catch (error) {
      if (this.onError(error)) return;
      this.status.textContent = t('inbox.error', { reason: error instanceof Error ? error.message : String(error) });
      this.status.classList.add('error');
    }
  }

  private show(tickets: (TicketSummary & { sla?: SlaReading })[]): void {
    if (tickets.length === 0) {
      fill(this.list, h('li', { class: 'empty muted', text: t('inbox.empty') }));
      return;
    }
    fill(this.list, tickets.map((ticket) => this.row(ticket)));
  }

  private row(ticket: TicketSummary & { sla?: SlaReading }): HTMLElement {
    const customer = ticket.customer.name || ticket.customer.address || ticket.customer.id;
    return h(
      'li',
      { 'data-id': ticket.id, 'data-category': ticket.category, 'data-priority': ticket.priority, class: ticket.id === this.selectedId ? 'selected' : undefined },
      h(
        'a',
        { href: `#/tickets/${encodeURIComponent(ticket.id)}`, class: 'ticket-row' },
        channelIcon(ticket.channel, label('channel', ticket.channel)),
        h(
          'div',
          { class: 'ticket-main' },
          h('div', { class: 'ticket-line' }, h('strong', { class: 'customer', text: customer }), h('span', { class: 'number muted', text: ticket.number }), h('time', { class: 'age', datetime: ticket.lastMessageAt, title: ticket.lastMessageAt, text: age(ticket.lastMessageAt) })),
          h('p', { class: 'preview', text: ticket.subject ? `${ticket.subject} — ${ticket.preview}` : ticket.preview }),
          h(
            'div',
            { class: 'chips' },
            h('span', { class: `chip category category-${ticket.category}`, text: label('category', ticket.category) }),
            h('span', { class: `chip priority priority-${ticket.priority}`, text: label('priority', ticket.priority) }),
            ticket.status !== 'open' ? h('span', { class: `chip status status-${ticket.status}`, text: label('status', ticket.status) }) : null,
            ticket.triage ? h('span', { class: 'chip triage', title: t('decision.triage'), text: t('triage') }) : null,
            slaChip(ticket.sla),
            ticket.spam ? h('span', { class: 'chip spam', title: ticket.spam.reason, text: t('chip.spam') }) : null,
            ticket.customer.suspect ? h('span', { class: 'chip suspect', title: ticket.customer.suspect.reason, text: t('chip.suspect') }) : null,
          ),
        ),
      ),
    );
  }
}
