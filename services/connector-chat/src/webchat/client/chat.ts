/**
 * The chat page. Customer text is only ever set with textContent, never parsed as HTML. The session
 * token, the optional profile and unacknowledged messages live in localStorage: a reload continues the
 * conversation and resends what the server had not acknowledged, under the same client id.
 * A signed-in customer's identity token (signed by the wallet's site) arrives in the URL fragment,
 * which is never sent to a server or a Referer; it is moved to sessionStorage (this tab only) and
 * dropped from the address bar.
 */
import type { ClientFrame, HistoryEntry, Profile, ServerFrame } from '../protocol.ts';
import { pickLang, STRINGS } from './i18n.ts';

interface Pending {
  clientId: string;
  text: string;
  at: string;
}

const KEYS = { session: 'switchboard.chat.session-token', profile: 'switchboard.chat.profile', outbox: 'switchboard.chat.outbox', identity: 'switchboard.chat.identity' };
const lang = pickLang(location.search, navigator.language);
const t = STRINGS[lang];
const embedded = new URLSearchParams(location.search).has('embed');

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const messages = $<HTMLOListElement>('messages');
const status = $<HTMLParagraphElement>('status');
const notice = $<HTMLParagraphElement>('notice');
const profileForm = $<HTMLFormElement>('profile');
const composer = $<HTMLFormElement>('composer');
const input = $<HTMLTextAreaElement>('input');
const closeButton = $<HTMLButtonElement>('close');

let socket: WebSocket | undefined;
let sessionToken = localStorage.getItem(KEYS.session) ?? undefined;
keepIdentityFromUrl();
let maxChars = 2_000;
let reconnectDelay = 1_000;
let resendTimer: ReturnType<typeof setTimeout> | undefined;

function keepIdentityFromUrl(): void {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('identity');
  if (!fromUrl) return;
  sessionStorage.setItem(KEYS.identity, fromUrl);
  history.replaceState(null, '', location.pathname + location.search);
}

function load<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}
const outbox = (): Pending[] => load<Pending[]>(KEYS.outbox, []);
const saveOutbox = (items: Pending[]) => localStorage.setItem(KEYS.outbox, JSON.stringify(items));

function randomId(): string {
  // getRandomValues works on plain http too, where crypto.randomUUID does not.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function localize(): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t.title;
  $('title').textContent = t.title;
  messages.dataset.empty = t.empty;
  $('profile-intro').textContent = t.profileIntro;
  $('name-label').textContent = t.name;
  $('email-label').textContent = t.email;
  $('start').textContent = t.start;
  $('skip').textContent = t.skip;
  $('send').textContent = t.send;
  input.placeholder = t.placeholder;
  closeButton.title = t.close;
  closeButton.setAttribute('aria-label', t.close);
  closeButton.hidden = !embedded;
}

function setStatus(state: 'connecting' | 'online' | 'offline'): void {
  status.dataset.state = state;
  status.textContent = t[state];
}

function showNotice(text: string | undefined): void {
  notice.hidden = !text;
  notice.textContent = text ?? '';
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en', { hour: '2-digit', minute: '2-digit' });
}

function bubbleFor(clientId: string): HTMLLIElement | null {
  return messages.querySelector<HTMLLIElement>(`li[data-client-id="${CSS.escape(clientId)}"]`);
}

function render(entry: HistoryEntry, state: 'pending' | 'sent' | 'failed' = 'sent'): void {
  if (messages.querySelector(`li[data-id="${CSS.escape(entry.id)}"]`)) return;
  const existing = entry.clientId ? bubbleFor(entry.clientId) : null;
  const item = existing ?? document.createElement('li');
  item.className = `message ${entry.from}`;
  if (entry.id) item.dataset.id = entry.id;
  if (entry.clientId) item.dataset.clientId = entry.clientId;
  item.dataset.status = state;
  item.replaceChildren();
  const text = document.createElement('div');
  text.className = 'text';
  text.textContent = entry.text;
  const meta = document.createElement('small');
  meta.className = 'meta';
  const who = entry.from === 'customer' ? t.you : entry.from === 'agent' ? t.agent : '';
  const stateLabel = entry.from === 'customer' ? ` · ${state === 'pending' ? t.sending : state === 'failed' ? t.failed : t.sent}` : '';
  meta.textContent = `${who ? `${who} · ` : ''}${time(entry.at)}${stateLabel}`;
  item.append(text, meta);
  if (!existing) messages.append(item);
  messages.scrollTop = messages.scrollHeight;
}

function markPending(item: Pending, state: 'pending' | 'sent' | 'failed', id = ''): void {
  render({ id, from: 'customer', text: item.text, at: item.at, clientId: item.clientId }, state);
}

function send(frame: ClientFrame): boolean {
  if (socket?.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

function flushOutbox(): void {
  for (const item of outbox()) send({ type: 'message', clientId: item.clientId, text: item.text });
}

function onFrame(frame: ServerFrame): void {
  switch (frame.type) {
    case 'welcome': {
      sessionToken = frame.token;
      localStorage.setItem(KEYS.session, frame.token);
      maxChars = frame.limits.maxChars;
      input.maxLength = maxChars;
      messages.replaceChildren();
      for (const entry of frame.history) render(entry);
      const known = new Set(frame.history.map((e) => e.clientId).filter(Boolean));
      const remaining = outbox().filter((item) => !known.has(item.clientId));
      saveOutbox(remaining);
      for (const item of remaining) markPending(item, 'pending');
      flushOutbox();
      // The wallet knows who a signed-in customer is: no form asking for a name.
      showComposerOrProfile(frame.verified || frame.history.length > 0 || remaining.length > 0);
      return;
    }
    case 'ack': {
      const item = outbox().find((p) => p.clientId === frame.clientId);
      saveOutbox(outbox().filter((p) => p.clientId !== frame.clientId));
      const bubble = bubbleFor(frame.clientId);
      if (item) markPending(item, 'sent', frame.id);
      else if (bubble) bubble.dataset.id = frame.id;
      return;
    }
    case 'message':
      render(frame.entry);
      return;
    case 'error': {
      showNotice(t.errors[frame.code].replace('{n}', String(maxChars)));
      // A refused token stays refused: anonymous from the next reconnect on, without the notice again.
      if (frame.code === 'identity_refused') sessionStorage.removeItem(KEYS.identity);
      if (!frame.clientId) return;
      const item = outbox().find((p) => p.clientId === frame.clientId);
      if (frame.code === 'unavailable' || frame.code === 'not_ready') {
        clearTimeout(resendTimer);
        resendTimer = setTimeout(flushOutbox, frame.retryAfterMs ?? 3_000);
        return;
      }
      saveOutbox(outbox().filter((p) => p.clientId !== frame.clientId));
      if (item) {
        markPending(item, 'failed');
        if (!input.value) input.value = item.text;
      }
      return;
    }
  }
}

function connect(): void {
  setStatus('connecting');
  const url = new URL('chat/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener('open', () => {
    reconnectDelay = 1_000;
    setStatus('online');
    const signedIn = sessionStorage.getItem(KEYS.identity) ?? undefined;
    send({ type: 'hello', ...(sessionToken ? { token: sessionToken } : {}), ...(signedIn ? { identity: signedIn } : {}), profile: load<Profile>(KEYS.profile, {}), lang });
  });
  ws.addEventListener('message', (event) => {
    try {
      onFrame(JSON.parse(String(event.data)) as ServerFrame);
    } catch (error) {
      console.warn('chat: unreadable frame', error);
    }
  });
  ws.addEventListener('close', () => {
    if (socket !== ws) return;
    setStatus('offline');
    setTimeout(connect, reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, 15_000);
  });
}

function showComposerOrProfile(conversationStarted: boolean): void {
  const askProfile = !conversationStarted && localStorage.getItem(KEYS.profile) === null;
  profileForm.hidden = !askProfile;
  composer.hidden = askProfile;
  if (!askProfile && !embedded) input.focus();
}

function saveProfile(profile: Profile): void {
  localStorage.setItem(KEYS.profile, JSON.stringify(profile));
  send({ type: 'profile', profile });
  showComposerOrProfile(true);
  input.focus();
}

profileForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $<HTMLInputElement>('name').value.trim();
  const email = $<HTMLInputElement>('email').value.trim();
  saveProfile({ ...(name ? { name } : {}), ...(email ? { email } : {}) });
});
$('skip').addEventListener('click', () => saveProfile({}));

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  if ([...text].length > maxChars) {
    showNotice(t.errors.too_long.replace('{n}', String(maxChars)));
    return;
  }
  showNotice(undefined);
  const item: Pending = { clientId: randomId(), text, at: new Date().toISOString() };
  saveOutbox([...outbox(), item]);
  markPending(item, 'pending');
  input.value = '';
  send({ type: 'message', clientId: item.clientId, text });
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});
closeButton.addEventListener('click', () => parent.postMessage({ type: 'switchboard-chat:close' }, '*'));

localize();
connect();
