/**
 * The console's shell: sign-in (or the first admin's setup), the header with the live connection's state,
 * and the screens (inbox with its conversation, pipeline, audit, team) chosen by the URL's hash so the
 * browser's back button works. A screen shows only for the roles that may use it.
 */
import { api, type Me } from './api.ts';
import { AuditView } from './audit.ts';
import { ConversationView } from './conversation.ts';
import { fill, h } from './dom.ts';
import { lang, label, setLang, t, type MessageKey } from './i18n.ts';
import { InboxView } from './inbox.ts';
import { live, type LiveState } from './live.ts';
import { loginForm, setupForm } from './login.ts';
import { may, me, setMe } from './me.ts';
import { PipelineView } from './pipeline.ts';
import { TeamView } from './team.ts';
import { UnauthorizedError } from './api.ts';

/** Something on screen that listens or polls: stopped when the screen changes. */
interface Screen {
  stop(): void;
}

type Route = { screen: 'inbox'; ticketId?: string } | { screen: 'pipeline' } | { screen: 'audit' } | { screen: 'team' } | { screen: 'setup'; token: string };

function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const setup = /^setup\/(.+)$/.exec(hash);
  if (setup) return { screen: 'setup', token: decodeURIComponent(setup[1]!) };
  if (hash === 'pipeline' || hash === 'audit' || hash === 'team') return { screen: hash };
  const ticket = /^tickets\/(.+)$/.exec(hash);
  return ticket ? { screen: 'inbox', ticketId: decodeURIComponent(ticket[1]!) } : { screen: 'inbox' };
}

const app = document.getElementById('app')!;
let screens: Screen[] = [];

/** Any call that meets a refused session ends it here. */
function handleError(error: unknown): boolean {
  if (error instanceof UnauthorizedError) {
    signedOut('login.expired');
    return true;
  }
  return false;
}

function stopScreens(): void {
  for (const screen of screens) screen.stop();
  screens = [];
}

function signedOut(reason?: MessageKey): void {
  setMe(undefined);
  live.stop();
  stopScreens();
  void showLogin(reason);
}

function signedIn(user: Me): void {
  setMe(user);
  live.start();
  render();
}

function languageToggle(): HTMLElement {
  const button = h('button', { type: 'button', class: 'link', id: 'lang', 'aria-label': t('lang.toggleLabel'), text: t('lang.toggle') });
  button.addEventListener('click', () => {
    setLang(lang() === 'en' ? 'zh' : 'en');
    if (me()) render();
    else void showLogin();
  });
  return button;
}

async function showLogin(reason?: MessageKey): Promise<void> {
  document.title = t('title');
  document.body.className = 'signed-out';
  const route = currentRoute();
  if (route.screen === 'setup') {
    fill(app, h('main', { class: 'login-page' }, setupForm(route.token, signedIn)));
    return;
  }
  let sso = false;
  try {
    sso = (await api.session()).sso === true;
  } catch {
    // The form shows; signing in says what is wrong.
  }
  fill(app, h('main', { class: 'login-page' }, loginForm({ ...(reason ? { reason } : {}), sso, onSignedIn: signedIn, languageToggle: languageToggle() })));
  app.querySelector<HTMLInputElement>('#email')?.focus();
}

function liveIndicator(): HTMLElement {
  const indicator = h('span', { class: 'live-state', id: 'live-state', role: 'status' });
  const show = (state: LiveState) => {
    indicator.className = `live-state ${state}`;
    indicator.textContent = t(`live.${state}`);
  };
  screens.push({ stop: live.onState(show) });
  return indicator;
}

function header(route: Route): HTMLElement {
  const link = (href: string, key: MessageKey, active: boolean) => h('a', { href, class: active ? 'active' : undefined, 'aria-current': active ? 'page' : undefined, text: t(key) });
  const logout = h('button', { type: 'button', class: 'link', id: 'logout', text: t('logout') });
  logout.addEventListener('click', () => {
    void api.signOut().finally(() => signedOut());
  });
  const user = me()!;
  return h(
    'header',
    { class: 'topbar' },
    h('h1', { text: t('title') }),
    h(
      'nav',
      {},
      link('#/inbox', 'nav.inbox', route.screen === 'inbox'),
      may('pipeline.read') ? link('#/pipeline', 'nav.pipeline', route.screen === 'pipeline') : null,
      may('audit.read') ? link('#/audit', 'nav.audit', route.screen === 'audit') : null,
      may('users.manage') ? link('#/team', 'nav.team', route.screen === 'team') : null,
    ),
    h('div', { class: 'topbar-actions' }, liveIndicator(), h('span', { class: 'me', id: 'me', text: `${user.name} · ${label('role', user.role)}` }), languageToggle(), logout),
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
  if (!me()) return void showLogin();
  document.title = t('title');
  let route = currentRoute();
  if (route.screen === 'setup') route = { screen: 'inbox' };
  const main = h('main', { class: `screen screen-${route.screen}` });
  document.body.className = 'signed-in';
  if (route.screen === 'pipeline' && may('pipeline.read')) {
    const pipeline = new PipelineView(handleError);
    screens.push(pipeline);
    main.appendChild(pipeline.element);
  } else if (route.screen === 'audit' && may('audit.read')) {
    const audit = new AuditView(handleError);
    screens.push(audit);
    main.appendChild(audit.element);
  } else if (route.screen === 'team' && may('users.manage')) {
    const team = new TeamView(handleError);
    screens.push(team);
    main.appendChild(team.element);
  } else {
    const ticketId = route.screen === 'inbox' ? route.ticketId : undefined;
    inbox = new InboxView(handleError, ticketId);
    screens.push(inbox, { stop: () => conversation?.view?.stop() });
    main.appendChild(inbox.element);
    showConversation(main, ticketId);
  }
  fill(app, header(route), main);
}

function onHashChange(): void {
  const route = currentRoute();
  const main = app.querySelector<HTMLElement>('main.screen-inbox');
  if (route.screen === 'inbox' && inbox && main && me()) {
    inbox.select(route.ticketId);
    showConversation(main, route.ticketId);
  } else if (me()) render();
  else void showLogin();
}

window.addEventListener('hashchange', onHashChange);
api
  .session()
  .then((answer) => (answer.user ? signedIn(answer.user) : showLogin()))
  .catch(() => showLogin('login.unreachable'));
