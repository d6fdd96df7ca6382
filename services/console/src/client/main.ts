/**
 * The console's shell: sign-in, header, and the two screens (inbox with its conversation, pipeline)
 * chosen by the URL's hash so the browser's back button works.
 */
import { api, saveToken, savedToken, UnauthorizedError } from './api.ts';
import { ConversationView } from './conversation.ts';
import { fill, h } from './dom.ts';
import { lang, setLang, t, type MessageKey } from './i18n.ts';
import { InboxView } from './inbox.ts';
import { PipelineView } from './pipeline.ts';

/** Something on screen that polls: stopped when the screen changes. */
interface Screen {
  stop(): void;
}

type Route = { screen: 'inbox'; ticketId?: string } | { screen: 'pipeline' };

function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  if (hash === 'pipeline') return { screen: 'pipeline' };
  const ticket = /^tickets\/(.+)$/.exec(hash);
  return ticket ? { screen: 'inbox', ticketId: decodeURIComponent(ticket[1]!) } : { screen: 'inbox' };
}

const app = document.getElementById('app')!;
let screens: Screen[] = [];

/** Any call that meets a refused token ends the session here. */
function handleError(error: unknown): boolean {
  if (error instanceof UnauthorizedError) {
    signOut('login.expired');
    return true;
  }
  return false;
}

function stopScreens(): void {
  for (const screen of screens) screen.stop();
  screens = [];
}

function signOut(reason?: MessageKey): void {
  saveToken(null);
  stopScreens();
  showLogin(reason);
}

function toggleLang(): void {
  setLang(lang() === 'en' ? 'zh' : 'en');
  render();
}

function showLogin(reason?: MessageKey): void {
  document.title = t('title');
  document.body.className = 'signed-out';
  const error = h('p', { id: 'login-error', class: 'form-error', role: 'alert', text: reason ? t(reason) : undefined });
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const submit = h('button', { type: 'submit', id: 'login-submit', text: t('login.submit') });
  const form = h(
    'form',
    { class: 'login card', id: 'login' },
    h('div', { class: 'login-head' }, h('h1', { text: t('title') }), h('button', { type: 'button', class: 'link', id: 'lang', 'aria-label': t('lang.toggleLabel'), text: t('lang.toggle') })),
    h('h2', { text: t('login.title') }),
    h('p', { class: 'muted', text: t('login.intro') }),
    h('label', { for: 'token', text: t('login.token') }),
    input,
    error,
    submit,
  );
  form.querySelector('#lang')!.addEventListener('click', toggleLang);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      error.textContent = t('login.empty');
      return;
    }
    submit.disabled = true;
    error.textContent = '';
    api
      .checkToken(token)
      .then(() => {
        saveToken(token);
        render();
      })
      .catch((failure: unknown) => {
        error.textContent = failure instanceof UnauthorizedError ? t('login.wrong') : t('login.unreachable');
        input.select();
      })
      .finally(() => (submit.disabled = false));
  });
  fill(app, h('main', { class: 'login-page' }, form));
  input.focus();
}

function header(route: Route): HTMLElement {
  const link = (href: string, key: MessageKey, active: boolean) => h('a', { href, class: active ? 'active' : undefined, 'aria-current': active ? 'page' : undefined, text: t(key) });
  const langButton = h('button', { type: 'button', class: 'link', id: 'lang', 'aria-label': t('lang.toggleLabel'), text: t('lang.toggle') });
  langButton.addEventListener('click', toggleLang);
  const logout = h('button', { type: 'button', class: 'link', id: 'logout', text: t('logout') });
  logout.addEventListener('click', () => signOut());
  return h(
    'header',
    { class: 'topbar' },
    h('h1', { text: t('title') }),
    h('nav', {}, link('#/inbox', 'nav.inbox', route.screen === 'inbox'), link('#/pipeline', 'nav.pipeline', route.screen === 'pipeline')),
    h('div', { class: 'topbar-actions' }, langButton, logout),
  );
}

/** The inbox stays as it is (filters, scroll) while tickets are opened and closed. */
let inbox: InboxView | undefined;
let conversation: { view?: ConversationView; pane: HTMLElement } | undefined;

function showConversation(main: HTMLElement, ticketId: string | undefined): void {
  conversation?.view?.stop();
  const view = ticketId ? new ConversationView(ticketId, handleError, () => void inbox?.refresh()) : undefined;
  const pane = view?.element ?? h('section', { class: 'conversation placeholder' }, h('p', { class: 'muted', text: t('inbox.pick') }));
  if (conversation) conversation.pane.replaceWith(pane);
  else main.appendChild(pane);
  conversation = { ...(view ? { view } : {}), pane };
  document.body.className = ticketId ? 'signed-in has-ticket' : 'signed-in';
}

function render(): void {
  stopScreens();
  inbox = undefined;
  conversation = undefined;
  if (!savedToken()) return showLogin();
  document.title = t('title');
  const route = currentRoute();
  const main = h('main', { class: `screen screen-${route.screen}` });
  if (route.screen === 'pipeline') {
    document.body.className = 'signed-in';
    const pipeline = new PipelineView(handleError);
    screens.push(pipeline);
    main.appendChild(pipeline.element);
  } else {
    inbox = new InboxView(handleError, route.ticketId);
    screens.push(inbox, { stop: () => conversation?.view?.stop() });
    main.appendChild(inbox.element);
    showConversation(main, route.ticketId);
  }
  fill(app, header(route), main);
}

function onHashChange(): void {
  const route = currentRoute();
  const main = app.querySelector<HTMLElement>('main.screen-inbox');
  if (route.screen === 'inbox' && inbox && main && savedToken()) {
    inbox.select(route.ticketId);
    showConversation(main, route.ticketId);
  } else render();
}

window.addEventListener('hashchange', onHashChange);
render();
