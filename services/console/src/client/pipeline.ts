import { api, type ChannelHealth, type DeadLetterEntry, type PipelineStats } from './api.ts';
import { fill, h, sparkline } from './dom.ts';
import { ago, dateTime, label, t } from './i18n.ts';
import { Poller } from './poller.ts';

const POLL_MS = 3_000;
const HISTORY = 60;
/** The list also changes without the DLQ growing (a replay from the CLI): look again this often. */
const DLQ_RELIST_MS = 30_000;

/** Values seen by this page over time (lag, DLQ size, channel errors), for the sparklines. */
class History {
  private readonly series = new Map<string, number[]>();

  push(key: string, value: number): number[] {
    const values = this.series.get(key) ?? [];
    values.push(value);
    if (values.length > HISTORY) values.shift();
    this.series.set(key, values);
    return values;
  }
}

const history = new History();

function card(id: string, title: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'card panel', id }, h('h2', { text: title }), ...children);
}

/** Rates, lag, dead letters with their replay, and each channel's health. */
export class PipelineView {
  readonly element: HTMLElement;
  private readonly rates = h('div', { class: 'panel-body' });
  private readonly lag = h('div', { class: 'panel-body' });
  private readonly dlqSummary = h('div', { class: 'panel-body' });
  private readonly dlqList = h('ol', { class: 'dead-letters', id: 'dead-letters' });
  private readonly dlqNotice = h('p', { class: 'dlq-notice', id: 'dlq-notice', role: 'status' });
  private readonly channels = h('div', { class: 'panel-body' });
  /** The channels whose details the reader opened. */
  private readonly openDetails = new Set<string>();
  private readonly tickets = h('div', { class: 'panel-body' });
  private readonly status = h('p', { class: 'list-status muted', id: 'pipeline-status' });
  private readonly poller: Poller;
  /** The DLQ size the shown list belongs to: the list is fetched again only when it changes. */
  private listedSize: number | null | undefined;
  private listedAt = 0;

  constructor(private readonly onError: (error: unknown) => boolean) {
    this.element = h(
      'div',
      { class: 'pipeline' },
      this.status,
      h(
        'div',
        { class: 'panels' },
        card('panel-rates', t('pipeline.rates'), this.rates),
        card('panel-lag', t('pipeline.lag'), this.lag),
        card('panel-dlq', t('pipeline.dlq'), this.dlqSummary, this.dlqNotice, this.dlqList),
        card('panel-channels', t('pipeline.channels'), this.channels),
        card('panel-tickets', t('pipeline.tickets'), this.tickets),
      ),
    );
    this.poller = new Poller(() => this.load(), () => POLL_MS).start();
  }

  stop(): void {
    this.poller.stop();
  }

  private async load(): Promise<void> {
    try {
      const [stats, { channels }] = await Promise.all([api.pipeline(), api.channels()]);
      this.showRates(stats);
      this.showLag(stats);
      this.showDlqSummary(stats);
      this.showChannels(channels);
      this.showTickets(stats);
      if (stats.dlq.size !== this.listedSize || Date.now() - this.listedAt > DLQ_RELIST_MS) await this.loadDeadLetters();
      this.status.textContent = t('inbox.updated', { time: new Date().toLocaleTimeString() });
      this.status.classList.remove('error');
    } catch (error) {
      if (this.onError(error)) return;
      this.status.textContent = t('pipeline.error', { reason: error instanceof Error ? error.message : String(error) });
      this.status.classList.add('error');
    }
  }

  private showRates(stats: PipelineStats): void {
    const rows = stats.topics.map((topic) => {
      const produced = topic.producedPerSecond.at(-1) ?? 0;
      const consumed = topic.consumedPerSecond.at(-1) ?? 0;
      return h(
        'tr',
        { 'data-role': topic.role },
        h('th', { scope: 'row', title: topic.topic, text: topic.role }),
        h('td', { class: 'num produced', text: produced.toFixed(1) }),
        h('td', { class: 'num consumed', text: consumed.toFixed(1) }),
        h('td', { class: 'chart' }, sparkline([{ values: topic.producedPerSecond, className: 'produced' }, { values: topic.consumedPerSecond, className: 'consumed' }], `${topic.role} ${t('pipeline.produced')} / ${t('pipeline.consumed')}`)),
        h('td', { class: 'num muted total', text: `${topic.produced} / ${topic.consumed}` }),
      );
    });
    fill(
      this.rates,
      h('p', { class: 'muted small', text: t('pipeline.ratesHint', { s: stats.sampleIntervalMs / 1000 }) }),
      h(
        'table',
        { class: 'stats', id: 'rates' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { text: t('pipeline.topic') }),
            h('th', { class: 'num' }, h('span', { class: 'key produced' }), t('pipeline.produced')),
            h('th', { class: 'num' }, h('span', { class: 'key consumed' }), t('pipeline.consumed')),
            h('th'),
            h('th', { class: 'num total', text: t('pipeline.total') }),
          ),
        ),
        h('tbody', {}, rows),
      ),
    );
  }

  private showLag(stats: PipelineStats): void {
    const rows = stats.lag.map((reading) => {
      const values = reading.lag === null ? [] : history.push(`lag ${reading.group} ${reading.topic}`, reading.lag);
      return h(
        'tr',
        { 'data-group': reading.group },
        h('th', { scope: 'row' }, h('span', { text: reading.group }), h('small', { class: 'muted', text: reading.topic })),
        h('td', { class: 'num lag', title: reading.error ?? '', text: reading.lag === null ? t('pipeline.unknown') : String(reading.lag) }),
        h('td', { class: 'chart' }, sparkline([{ values, className: 'lag' }], `${reading.group} ${t('pipeline.records')}`)),
      );
    });
    fill(this.lag, h('table', { class: 'stats', id: 'lag' }, h('thead', {}, h('tr', {}, h('th', { text: t('pipeline.group') }), h('th', { class: 'num', text: t('pipeline.records') }), h('th'))), h('tbody', {}, rows)));
  }

  private showDlqSummary(stats: PipelineStats): void {
    const size = stats.dlq.size;
    const values = size === null ? [] : history.push('dlq', size);
    fill(
      this.dlqSummary,
      h(
        'div',
        { class: 'dlq-size' },
        h('strong', { id: 'dlq-size', 'data-size': size ?? '', text: size === null ? t('pipeline.unknown') : t('pipeline.dlqSize', { n: size }) }),
        sparkline([{ values, className: 'dlq' }], t('pipeline.dlq')),
      ),
    );
  }

  private async loadDeadLetters(): Promise<void> {
    const { size, entries } = await api.deadLetters(20);
    this.listedSize = size;
    this.listedAt = Date.now();
    if (entries.length === 0) {
      fill(this.dlqList, h('li', { class: 'muted', text: t('pipeline.dlqEmpty') }));
      return;
    }
    fill(
      this.dlqList,
      entries.map((entry) => this.deadLetter(entry)),
    );
  }

  private deadLetter(entry: DeadLetterEntry): HTMLElement {
    let action: HTMLElement;
    if (entry.replayed) action = h('span', { class: 'chip replayed', text: t('pipeline.replayed') });
    else if (!entry.replayable) action = h('span', { class: 'chip muted', text: t('pipeline.notReplayable') });
    else {
      const button = h('button', { type: 'button', class: 'small reprocess', text: t('pipeline.reprocess') });
      button.addEventListener('click', () => {
        button.disabled = true;
        api
          .replay(entry.id)
          .then((result) => {
            if (result.outcome === 'replayed') this.dlqNotice.textContent = t('pipeline.replayDone', { topic: entry.sourceTopic ?? '' });
            else if (result.outcome === 'already-replayed') this.dlqNotice.textContent = t('pipeline.replayAlready');
            else this.dlqNotice.textContent = t('pipeline.replayFailed', { reason: result.error ?? result.outcome });
            this.listedSize = undefined;
            return this.poller.now();
          })
          .catch((error: unknown) => {
            if (this.onError(error)) return;
            button.disabled = false;
            this.dlqNotice.textContent = t('pipeline.replayFailed', { reason: error instanceof Error ? error.message : String(error) });
          });
      });
      action = button;
    }
    return h(
      'li',
      { class: 'dead-letter', 'data-id': entry.id, 'data-replayed': entry.replayed ? 'true' : 'false' },
      h('div', { class: 'dead-letter-head' }, h('code', { class: 'dead-letter-id', text: entry.id }), action),
      h('p', { class: 'reason', text: entry.reason }),
      h('p', { class: 'muted small', text: `${entry.stage} · ${entry.sourceTopic ?? '–'} · ${dateTime(entry.failedAt)} · ${entry.size} B` }),
      h('pre', { class: 'preview', text: entry.preview }),
    );
  }

  private showChannels(channels: ChannelHealth[]): void {
    fill(
      this.channels,
      h(
        'ul',
        { class: 'channels', id: 'channels' },
        channels.map((channel) => {
          const errors = channel.errors ?? 0;
          const values = history.push(`errors ${channel.name}`, errors);
          return h(
            'li',
            { 'data-channel': channel.name, class: channel.ready ? 'ready' : 'down' },
            h('span', { class: 'dot', 'aria-hidden': 'true' }),
            h(
              'div',
              { class: 'channel-main' },
              h('strong', { text: channel.name }),
              h('small', { class: 'muted', text: ` ${channel.channels.map((c) => label('channel', c)).join(', ')}` }),
              h('p', { class: 'small', text: `${channel.ready ? t('pipeline.connected') : t('pipeline.down')} · ${channel.status}` }),
              h('p', { class: 'small muted', text: `${channel.lastMessageAt ? t('pipeline.lastMessage', { age: ago(channel.lastMessageAt) }) : t('pipeline.noMessage')} · ${t('pipeline.errors', { n: errors })}` }),
              ...(channel.details ? [this.channelDetails(channel.name, channel.details)] : []),
            ),
            sparkline([{ values, className: 'errors' }], t('pipeline.errors', { n: errors }), 80, 24),
          );
        }),
      ),
    );
  }

  /** What the connector says beyond its status (accounts, quotas, webhooks), one row per value; stays open across refreshes. */
  private channelDetails(name: string, details: Record<string, unknown>): HTMLElement {
    const rows = flatten(details).slice(0, MAX_DETAIL_ROWS);
    const box = h('details', { class: 'channel-details' }, h('summary', { text: t('pipeline.details') }), h('dl', {}, rows.flatMap(([key, value]) => [h('dt', { text: key }), h('dd', { text: value })])));
    (box as HTMLDetailsElement).open = this.openDetails.has(name);
    box.addEventListener('toggle', () => ((box as HTMLDetailsElement).open ? this.openDetails.add(name) : this.openDetails.delete(name)));
    return box;
  }

  private showTickets(stats: PipelineStats): void {
    const totals = stats.tickets;
    if (!totals) {
      fill(this.tickets, h('p', { class: 'muted', text: t('pipeline.unknown') }));
      return;
    }
    const most = Math.max(1, ...Object.values(totals.byCategory));
    fill(
      this.tickets,
      h('p', { text: t('pipeline.ticketTotals', { tickets: totals.tickets, messages: totals.messages, corrections: totals.corrections }) }),
      h(
        'ul',
        { class: 'bars' },
        Object.entries(totals.byCategory).map(([category, count]) => {
          const bar = h('span', { class: `bar category-${category}` });
          bar.style.width = `${Math.round((count / most) * 100)}%`;
          return h('li', {}, h('span', { class: 'bar-label', text: label('category', category) }), h('span', { class: 'bar-track' }, bar), h('span', { class: 'num', text: String(count) }));
        }),
      ),
    );
  }
}

const MAX_DETAIL_ROWS = 40;

/** `{ accounts: [{ status: 'ok' }] }` → `[['accounts.0.status', 'ok']]`: nested health details as readable rows. */
export function flatten(value: unknown, path = ''): [string, string][] {
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return path ? [[path, Array.isArray(value) ? '[]' : '{}']] : [];
    return entries.flatMap(([key, inner]) => flatten(inner, path ? `${path}.${key}` : key));
  }
  return [[path, value === undefined ? '' : String(value)]];
}
