import { api, type StoredMessage } from './api.ts';
import { h, svg } from './dom.ts';
import { t, type MessageKey } from './i18n.ts';

/** `3:07`. */
export function minutesSeconds(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function handset(): SVGElement {
  return svg(
    'svg',
    { class: 'call-icon', viewBox: '0 0 24 24', width: 18, height: 18, 'aria-hidden': 'true' },
    svg('path', { d: 'M7 4h2.5l1.3 3.6-1.8 1.3a10.5 10.5 0 0 0 6.1 6.1l1.3-1.8L20 14.5V17a2 2 0 0 1-2.1 2A15 15 0 0 1 5 6.1 2 2 0 0 1 7 4z', fill: 'none', stroke: 'currentColor', 'stroke-width': 1.8, 'stroke-linejoin': 'round' }),
  );
}

/** The line of a message that records a call: direction, how it ended, how long, who answered. Any channel's calls. */
export function callLine(call: NonNullable<StoredMessage['call']>): HTMLElement {
  const parts = [
    call.durationSeconds !== undefined ? t('call.duration', { d: minutesSeconds(call.durationSeconds) }) : null,
    call.agent ? t('call.agent', { agent: call.agent }) : null,
    call.line ? t('call.line', { line: call.line }) : null,
  ].filter((p): p is string => p !== null);
  return h(
    'p',
    { class: `call call-${call.outcome}`, 'data-direction': call.direction, 'data-outcome': call.outcome },
    handset(),
    h('span', { class: 'call-direction', text: `${call.direction === 'inbound' ? '↙' : '↗'} ${t(call.direction === 'inbound' ? 'call.inbound' : 'call.outbound')}` }),
    h('span', { class: 'call-outcome chip', text: t(`call.outcome.${call.outcome}` as MessageKey) }),
    parts.length > 0 ? h('span', { class: 'call-facts', text: parts.join(' · ') }) : null,
  );
}

/**
 * A player for an audio attachment: the bytes are fetched with the token on the first click and played
 * from an object URL (the page's CSP allows blob: media only).
 */
export function audioPlayer(ticketId: string, message: StoredMessage, index: number, onError: (error: unknown) => boolean): HTMLElement {
  const file = message.attachments[index]!;
  const holder = h('div', { class: 'player', id: `player-${message.id}-${index}` });
  const button = h('button', { type: 'button', class: 'play', text: `▶ ${t('player.play')}`, title: file.name });
  button.addEventListener('click', () => {
    button.disabled = true;
    button.textContent = t('player.loading');
    api
      .attachment(ticketId, message.id, index)
      .then((blob) => {
        const audio = h('audio', { controls: true, preload: 'metadata', 'aria-label': file.name });
        audio.src = URL.createObjectURL(blob);
        holder.replaceChildren(audio);
        void audio.play().catch(() => undefined);
      })
      .catch((error: unknown) => {
        if (onError(error)) return;
        holder.replaceChildren(h('span', { class: 'error', text: t('player.failed', { reason: error instanceof Error ? error.message : String(error) }) }));
      });
  });
  holder.append(button);
  return holder;
}
