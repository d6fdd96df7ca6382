import type { RelatedConversation } from './api.ts';
import { channelIcon, h } from './dom.ts';
import { label, t } from './i18n.ts';

/** The customer's conversations on other channels (the same phone number), with their latest tickets. */
export function relatedLine(related: readonly RelatedConversation[]): HTMLElement {
  return h(
    'p',
    { class: 'related', id: 'related' },
    `${t('related.title')}: `,
    related.map((r) =>
      h(
        r.ticket ? 'a' : 'span',
        { class: 'related-item', ...(r.ticket ? { href: `#/tickets/${encodeURIComponent(r.ticket.id)}` } : {}) },
        channelIcon(r.channel, label('channel', r.channel)),
        ` ${label('channel', r.channel)}${r.ticket ? ` ${r.ticket.number} (${label('status', r.ticket.status)})` : ''}`,
      ),
    ),
  );
}
