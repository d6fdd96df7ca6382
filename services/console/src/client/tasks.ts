import { api, type TicketTask } from './api.ts';
import { fill, h, newKey } from './dom.ts';
import { dateTime, t } from './i18n.ts';
import { may } from './me.ts';

/** A ticket's tasks (follow-ups such as a call back), ticked off here, and a box to add one. */
export class TasksPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly notice: HTMLElement;
  private shown = '';
  /** One key per draft: adding the same task again after a failure records it once. */
  private key = newKey();

  constructor(
    private readonly ticketId: string,
    private readonly onError: (error: unknown) => boolean,
    private readonly onChanged: () => Promise<void>,
  ) {
    this.list = h('ul', { class: 'task-list', id: 'task-list' });
    this.notice = h('p', { class: 'task-notice', role: 'status' });
    const text = h('input', { type: 'text', id: 'task-text', maxlength: 2000, placeholder: t('tasks.placeholder'), 'aria-label': t('tasks.title') });
    const add = h('button', { type: 'submit', id: 'task-add', text: t('tasks.add') });
    const form = h('form', { class: 'task-form', id: 'task-form' }, text, add);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = text.value.trim();
      if (!value) return;
      add.disabled = true;
      api
        .addTask(this.ticketId, value, this.key)
        .then(() => {
          text.value = '';
          this.key = newKey();
          this.notice.textContent = '';
          return this.onChanged();
        })
        .catch((error: unknown) => this.failed(error))
        .finally(() => (add.disabled = false));
    });
    // Those who may not change the ticket see its tasks, without the box to add one.
    this.element = h('section', { class: 'tasks card', id: 'tasks', 'aria-label': t('tasks.title') }, h('h3', { text: t('tasks.title') }), this.list, may('tickets.update') ? form : null, this.notice);
  }

  private failed(error: unknown): void {
    if (this.onError(error)) return;
    this.notice.textContent = t('tasks.failed', { reason: error instanceof Error ? error.message : String(error) });
    this.notice.className = 'task-notice error';
  }

  show(tasks: readonly TicketTask[]): void {
    const signature = JSON.stringify(tasks);
    if (signature === this.shown) return;
    this.shown = signature;
    if (tasks.length === 0) return fill(this.list, h('li', { class: 'muted', text: t('tasks.none') }));
    fill(
      this.list,
      tasks.map((task) => {
        const box = h('input', { type: 'checkbox', id: `task-${task.id}`, checked: task.doneAt !== undefined, disabled: !may('tickets.update') });
        box.addEventListener('change', () => {
          api
            .setTaskDone(this.ticketId, task.id, box.checked)
            .then(() => this.onChanged())
            .catch((error: unknown) => this.failed(error));
        });
        return h(
          'li',
          { class: task.doneAt ? 'task done' : 'task', 'data-task': task.id },
          h('label', { for: `task-${task.id}` }, box, h('span', { class: 'task-text', text: task.text })),
          h('time', { class: 'muted', datetime: task.createdAt, text: dateTime(task.createdAt) }),
        );
      }),
    );
  }
}
