import { api, type UserRow } from './api.ts';
import { fill, h } from './dom.ts';
import { label, t } from './i18n.ts';
import { Refresher } from './refresher.ts';

const ROLES = ['agent', 'supervisor', 'analyst', 'admin'] as const;

/** The team (admins): who there is, their role, teams, whether they are online or locked; adding someone. */
export class TeamView {
  readonly element: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly teamsBox: HTMLSelectElement;
  private readonly refresher = new Refresher(() => this.load());
  private teamNames = new Map<string, string>();

  constructor(private readonly onError: (error: unknown) => boolean) {
    this.rows = h('tbody', { id: 'team-rows' });
    this.notice = h('p', { class: 'reply-notice', id: 'team-notice', role: 'status' });
    this.teamsBox = h('select', { id: 'user-teams', name: 'teams', multiple: true }) as HTMLSelectElement;
    this.element = h(
      'section',
      { class: 'team card' },
      h('h2', { text: t('team.title') }),
      h('table', { class: 'audit-table', id: 'team' }, h('thead', {}, h('tr', {}, ...(['team.name', 'login.email', 'team.role', 'team.teams', 'team.state'] as const).map((key) => h('th', { text: t(key) })))), this.rows),
      this.form(),
    );
    void this.refresher.now();
  }

  stop(): void {
    this.refresher.stop();
  }

  private form(): HTMLElement {
    const input = (id: string, key: Parameters<typeof t>[0], type = 'text') => [h('label', { for: id, text: t(key) }), h('input', { id, name: id, type, required: true })] as const;
    const [nameLabel, name] = input('user-name', 'team.name');
    const [emailLabel, email] = input('user-email', 'login.email', 'email');
    const [passwordLabel, password] = input('user-password', 'login.password', 'password');
    const role = h('select', { id: 'user-role', name: 'role' }, ROLES.map((r) => h('option', { value: r, text: label('role', r) }))) as HTMLSelectElement;
    const submit = h('button', { type: 'submit', id: 'user-create', text: t('team.add') });
    const form = h('form', { class: 'user-form', id: 'user-form' }, h('h3', { text: t('team.add') }), nameLabel, name, emailLabel, email, passwordLabel, password, h('label', { for: 'user-role', text: t('team.role') }), role, h('label', { for: 'user-teams', text: t('team.teams') }), this.teamsBox, submit, this.notice);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const teamIds = Array.from(this.teamsBox.selectedOptions, (o) => o.value);
      api
        .createUser({ email: (email as HTMLInputElement).value, name: (name as HTMLInputElement).value, role: role.value, password: (password as HTMLInputElement).value, teamIds })
        .then(() => {
          (form as HTMLFormElement).reset();
          this.notice.textContent = t('team.added');
          this.notice.className = 'reply-notice ok';
          return this.refresher.now();
        })
        .catch((error: unknown) => {
          if (this.onError(error)) return;
          this.notice.textContent = error instanceof Error ? error.message : String(error);
          this.notice.className = 'reply-notice error';
        });
    });
    return form;
  }

  private async load(): Promise<void> {
    try {
      const [{ users }, { teams }] = await Promise.all([api.users(), api.teams()]);
      this.teamNames = new Map(teams.map((team) => [team.id, team.name]));
      if (this.teamsBox.options.length === 0) fill(this.teamsBox, teams.map((team) => h('option', { value: team.id, text: team.name })));
      fill(this.rows, users.map((u) => this.row(u)));
    } catch (error) {
      if (!this.onError(error)) this.notice.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  private row(user: UserRow): HTMLElement {
    const state = user.disabled ? t('team.disabled') : user.lockedUntil && Date.parse(user.lockedUntil) > Date.now() ? t('team.locked') : user.online ? t('team.online') : t('team.offline');
    return h(
      'tr',
      { 'data-email': user.email },
      h('td', { text: user.name }),
      h('td', { text: user.email }),
      h('td', { text: label('role', user.role) }),
      h('td', { text: user.teamIds.map((id) => this.teamNames.get(id) ?? id).join(', ') }),
      h('td', { class: 'user-state', text: state }),
    );
  }
}
