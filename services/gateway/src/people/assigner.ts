import type { Logger } from '@switchboard/runtime';
import { planAssignments, type TeamStore } from '@switchboard/team';
import type { TicketStore } from '@switchboard/ticket-store';
import type { TeamDirectory } from './access.ts';
import type { Presence } from './presence.ts';

/**
 * Offers the queue to the agents: on a timer and whenever someone comes online, the open tickets go to
 * their team's least-loaded online agent (planAssignments), and tickets of an agent gone offline before
 * answering go back to the queue. Each change is audited as the system's.
 */
export class Assigner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: TicketStore,
    private readonly team: TeamStore,
    private readonly directory: TeamDirectory,
    private readonly presence: Presence,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
    this.unsubscribe = presence.onChange((_user, online) => online && void this.runOnce());
  }

  /** One planning round; concurrent calls share the round in progress. */
  runOnce(): Promise<void> {
    this.running ??= this.plan()
      .catch((error: unknown) => this.logger.warn('assignment round failed; the next one tries again', { error }))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async plan(): Promise<void> {
    const [queue, users] = await Promise.all([this.store.queue(), this.team.users.list()]);
    const load = new Map<string, number>();
    for (const t of queue) if (t.assignee) load.set(t.assignee, (load.get(t.assignee) ?? 0) + 1);
    const agents = users
      .filter((u) => u.role === 'agent' && !u.disabled)
      .map((u) => ({ id: u.id, teamIds: u.teamIds, capacity: u.capacity, load: load.get(u.id) ?? 0, online: this.presence.isOnline(u.id) }));
    const tickets = await Promise.all(
      queue.map(async (t) => ({
        id: t.id,
        teamId: await this.directory.teamOfCategory(t.category),
        priority: t.priority,
        createdAt: t.createdAt.toISOString(),
        ...(t.assignee ? { assignee: t.assignee } : {}),
        responded: t.firstResponseAt !== undefined,
      })),
    );
    // Tickets assigned to someone who is not an agent (a supervisor took one) stay with them.
    const agentIds = new Set(agents.map((a) => a.id));
    const plan = planAssignments(tickets.filter((t) => !t.assignee || agentIds.has(t.assignee)), agents);
    const changes = [...plan.assign.map((a) => ({ ticketId: a.ticketId, assignee: a.agentId as string | null })), ...plan.unassign.map((id) => ({ ticketId: id, assignee: null }))];
    if (changes.length === 0) return;
    await this.store.assign(changes);
    const numbers = new Map(queue.map((t) => [t.id, t.number]));
    for (const change of changes) await this.team.audit.record({ email: 'system' }, 'ticket.assign', numbers.get(change.ticketId), { to: change.assignee, by: 'assignment' });
    this.logger.info('tickets assigned', { assigned: plan.assign.length, reoffered: plan.unassign.length });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe();
    await this.running;
  }
}
