import { api, ApiError, type Me } from './api.ts';
import { h } from './dom.ts';
import { t, type MessageKey } from './i18n.ts';

function field(id: string, labelKey: MessageKey, attributes: Record<string, string | boolean>): [HTMLElement, HTMLInputElement] {
  const input = h('input', { id, name: id, required: true, ...attributes }) as HTMLInputElement;
  return [h('label', { for: id, text: t(labelKey) }), input];
}

function reasonOf(error: unknown): string {
  if (error instanceof ApiError && error.status === 423) return t('login.locked', { until: new Date(String(error.body?.lockedUntil ?? '')).toLocaleTimeString() });
  if (error instanceof ApiError && error.status === 429) return t('login.slowDown');
  if (error instanceof ApiError && error.status === 403) return t('login.disabled');
  return t('login.unreachable');
}

/** The sign-in form: email and password, and single sign-on when the team has an identity provider. */
export function loginForm(options: { reason?: MessageKey; sso: boolean; onSignedIn: (me: Me) => void; languageToggle: HTMLElement }): HTMLElement {
  const error = h('p', { id: 'login-error', class: 'form-error', role: 'alert', text: options.reason ? t(options.reason) : undefined });
  const [emailLabel, email] = field('email', 'login.email', { type: 'email', autocomplete: 'username', spellcheck: 'false' });
  const [passwordLabel, password] = field('password', 'login.password', { type: 'password', autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', id: 'login-submit', text: t('login.submit') }) as HTMLButtonElement;
  const form = h(
    'form',
    { class: 'login card', id: 'login' },
    h('div', { class: 'login-head' }, h('h1', { text: t('title') }), options.languageToggle),
    h('h2', { text: t('login.title') }),
    emailLabel,
    email,
    passwordLabel,
    password,
    error,
    submit,
    options.sso ? h('a', { class: 'button secondary', id: 'login-sso', href: '/api/v1/session/oidc', text: t('login.sso') }) : null,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    api
      .signIn(email.value.trim(), password.value)
      .then((answer) => {
        if ('user' in answer && answer.user) options.onSignedIn(answer.user);
        else {
          error.textContent = t('login.wrong');
          password.select();
        }
      })
      .catch((failure: unknown) => (error.textContent = reasonOf(failure)))
      .finally(() => (submit.disabled = false));
  });
  return form;
}

/** The one-time setup link's page: the first admin chooses their email, name and password. */
export function setupForm(token: string, onSignedIn: (me: Me) => void): HTMLElement {
  const error = h('p', { id: 'setup-error', class: 'form-error', role: 'alert' });
  const [nameLabel, name] = field('setup-name', 'setup.name', { type: 'text', autocomplete: 'name' });
  const [emailLabel, email] = field('setup-email', 'login.email', { type: 'email', autocomplete: 'username' });
  const [passwordLabel, password] = field('setup-password', 'login.password', { type: 'password', autocomplete: 'new-password', minlength: '12' });
  const submit = h('button', { type: 'submit', id: 'setup-submit', text: t('setup.submit') }) as HTMLButtonElement;
  const form = h('form', { class: 'login card', id: 'setup' }, h('h1', { text: t('title') }), h('h2', { text: t('setup.title') }), h('p', { class: 'muted', text: t('setup.intro') }), nameLabel, name, emailLabel, email, passwordLabel, password, error, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    api
      .setup(token, email.value.trim(), name.value.trim(), password.value)
      .then(({ user }) => {
        history.replaceState(null, '', '#/inbox');
        onSignedIn(user);
      })
      .catch((failure: unknown) => (error.textContent = failure instanceof Error ? failure.message : String(failure)))
      .finally(() => (submit.disabled = false));
  });
  return form;
}
