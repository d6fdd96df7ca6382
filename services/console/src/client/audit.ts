import { api, type AuditEntry } from './api.ts';
import { fill, h } from './dom.ts';
import { dateTime, t } from './i18n.ts';
import { live } from './live.ts';
import { Refresher } from './refresher.ts';

/** The audit trail, newest first: who did what, when and from where (admins and supervisors). */
export class AuditView {
  readonly element: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly refresher = new Refresher(() => this.load());
  private readonly unsubscribe: () => void;

  constructor(private readonly onError: (error: unknown) => boolean) {
    this.rows = h('tbody', { id: 'audit-rows' });
    this.element = h(
      'section',
      { class: 'audit card' },
      h('h2', { text: t('audit.title') }),
      h('table', { class: 'audit-table', id: 'audit' }, h('thead', {}, h('tr', {}, ...(['audit.at', 'audit.who', 'audit.action', 'audit.target', 'audit.details', 'audit.from'] as const).map((key) => h('th', { text: t(key) })))), this.rows),
    );
    void this.refresher.now();
    this.unsubscribe = live.onEvent(() => this.refresher.soon());
  }

  stop(): void {
    this.refresher.stop();
    this.unsubscribe();
  }

  private async load(): Promise<void> {
    try {
      const { entries } = await api.audit();
      fill(this.rows, entries.map((e) => this.row(e)));
    } catch (error) {
      if (!this.onError(error)) fill(this.rows, h('tr', {}, h('td', { class: 'error', colspan: 6, text: error instanceof Error ? error.message : String(error) })));
    }
  }

  private row(entry: AuditEntry): HTMLElement {
    const details = Object.entries(entry.details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
    return h(
      'tr',
      { 'data-action': entry.action },
      h('td', { text: dateTime(entry.at) }),
      h('td', { text: entry.actorEmail ?? '—' }),
      h('td', { text: entry.action }),
      h('td', { text: entry.target ?? '' }),
      h('td', { class: 'muted', text: details }),
      h('td', { class: 'muted', text: entry.ip ?? '' }),
    );
  }
}
