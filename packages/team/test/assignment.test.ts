import { describe, expect, it } from 'vitest';
import { planAssignments, type AgentLoad, type QueuedTicket } from '../src/assignment.ts';

const ticket = (id: string, over: Partial<QueuedTicket> = {}): QueuedTicket => ({ id, teamId: 'payments', priority: 'normal', createdAt: `2026-12-07T0${id.length}:00:00Z`, responded: false, ...over });
const agent = (id: string, over: Partial<AgentLoad> = {}): AgentLoad => ({ id, teamIds: ['payments'], capacity: 3, load: 0, online: true, ...over });

describe('assignment', () => {
  it('gives the most urgent and oldest tickets first to the agent with the most room for their capacity', () => {
    const plan = planAssignments(
      [ticket('t1'), ticket('t2', { priority: 'urgent' }), ticket('t3', { createdAt: '2026-12-07T00:00:00Z' })],
      [agent('ann', { load: 2 }), agent('bo', { load: 0 }), agent('cy', { capacity: 10, load: 2 })],
    );
    expect(plan.assign).toEqual([
      // bo is empty; then cy's 2 of 10 leave more room than bo's 1 of 3, and 3 of 10 still do.
      { ticketId: 't2', agentId: 'bo' },
      { ticketId: 't3', agentId: 'cy' },
      { ticketId: 't1', agentId: 'cy' },
    ]);
  });

  it('never goes past capacity, and leaves what finds nobody in the queue', () => {
    const plan = planAssignments([ticket('a'), ticket('b'), ticket('c')], [agent('ann', { capacity: 2, load: 1 })]);
    expect(plan.assign).toEqual([{ ticketId: 'a', agentId: 'ann' }]);
  });

  it('assigns only within the ticket’s team, to agents online, and leaves team-less tickets to supervisors', () => {
    const plan = planAssignments(
      [ticket('fraud', { teamId: 'security' }), ticket('pay'), ticket('lost', { teamId: undefined })],
      [agent('ann', { online: false }), agent('sec', { teamIds: ['security'] })],
    );
    expect(plan.assign).toEqual([{ ticketId: 'fraud', agentId: 'sec' }]);
  });

  it('re-offers tickets of an agent who went offline before answering, keeps those they answered', () => {
    const plan = planAssignments(
      [ticket('open', { assignee: 'ann' }), ticket('answered', { assignee: 'ann', responded: true }), ticket('bo-s', { assignee: 'bo' })],
      [agent('ann', { online: false, load: 2 }), agent('bo', { load: 1 })],
    );
    expect(plan).toEqual({ assign: [{ ticketId: 'open', agentId: 'bo' }], unassign: [] });
    const nobody = planAssignments([ticket('open', { assignee: 'ann' })], [agent('ann', { online: false, load: 1 })]);
    expect(nobody).toEqual({ assign: [], unassign: ['open'] });
  });
});
