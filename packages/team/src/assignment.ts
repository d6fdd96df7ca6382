import { PRIORITIES, type Priority } from '@switchboard/schema';

export interface QueuedTicket {
  id: string;
  /** The team whose categories include the ticket's; undefined: no team takes it (supervisors see it). */
  teamId: string | undefined;
  priority: Priority;
  createdAt: string;
  assignee?: string;
  /** The assignee answered it: it is theirs to finish even when they go offline. */
  responded: boolean;
}

export interface AgentLoad {
  id: string;
  teamIds: readonly string[];
  /** Open tickets an agent takes at most at once. */
  capacity: number;
  /** Open tickets assigned now. */
  load: number;
  online: boolean;
}

export interface AssignmentPlan {
  assign: { ticketId: string; agentId: string }[];
  /** Tickets taken back from an agent who went offline before answering them: re-offered to the team. */
  unassign: string[];
}

const byUrgencyThenAge = (a: QueuedTicket, b: QueuedTicket) =>
  PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

/**
 * Who takes which ticket now. Tickets whose agent is offline and has not answered them go back to the
 * queue; then each team's unassigned tickets, most urgent and oldest first, go to the team's online
 * agent with the most room (lowest load for their capacity; ties to the least loaded, then by id), never
 * past capacity. What finds no agent waits for the next plan: an agent coming online, or freeing up.
 */
export function planAssignments(tickets: readonly QueuedTicket[], agents: readonly AgentLoad[]): AssignmentPlan {
  const byId = new Map(agents.map((a) => [a.id, { ...a }]));
  const unassign = tickets.filter((t) => t.assignee && !t.responded && !byId.get(t.assignee)?.online).map((t) => t.id);
  for (const id of unassign) {
    const agent = byId.get(tickets.find((t) => t.id === id)!.assignee!);
    if (agent) agent.load = Math.max(0, agent.load - 1);
  }
  const taken = new Set(unassign);
  const waiting = tickets.filter((t) => (!t.assignee || taken.has(t.id)) && t.teamId !== undefined).sort(byUrgencyThenAge);
  const assign: AssignmentPlan['assign'] = [];
  for (const ticket of waiting) {
    const candidates = [...byId.values()]
      .filter((a) => a.online && a.teamIds.includes(ticket.teamId!) && a.load < a.capacity && a.id !== ticket.assignee)
      .sort((a, b) => a.load / a.capacity - b.load / b.capacity || a.load - b.load || a.id.localeCompare(b.id));
    const agent = candidates[0];
    if (!agent) continue;
    agent.load += 1;
    assign.push({ ticketId: ticket.id, agentId: agent.id });
  }
  return { assign, unassign: unassign.filter((id) => !assign.some((a) => a.ticketId === id)) };
}
