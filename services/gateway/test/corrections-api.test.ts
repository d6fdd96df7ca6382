/**
 * The corrections API over the gateway alone (tickets written to its store directly, as the sink would):
 * agents' category and priority changes become corrections recorded with the signed-in person, and an
 * admin (only an admin) reviews them, each review in the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routedMessage, signIn, TEST_ADMIN, type SignedIn } from '@switchboard/testkit';
import type { Correction } from '@switchboard/ticket-store';
import { startTestGateway, type TestGateway } from './helpers.ts';

const PASSWORD = 'corrections-test-passphrase';
let gw: TestGateway;
let admin: SignedIn;
let agent: SignedIn;
let supervisor: SignedIn;

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await signIn(gw.url, TEST_ADMIN.email, TEST_ADMIN.password);
  for (const role of ['agent', 'supervisor'] as const) {
    const created = await admin.call('/api/v1/users', { body: { email: `${role}.corr@wallet.test`, name: role, role, password: PASSWORD } });
    expect(created.status, await created.clone().text()).toBe(201);
  }
  agent = await signIn(gw.url, 'agent.corr@wallet.test', PASSWORD);
  supervisor = await signIn(gw.url, 'supervisor.corr@wallet.test', PASSWORD);
});

afterAll(async () => {
  await gw?.close();
});

async function corrections(query = ''): Promise<Correction[]> {
  const response = await admin.call(`/api/v1/corrections${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { corrections: Correction[] }).corrections;
}

describe('the corrections API', () => {
  it('lists what an agent corrected, recorded with who (the signed-in agent) and when, and lets an admin exclude one', async () => {
    const opening = routedMessage({ conversationKey: `corr-${Date.now()}`, text: 'the red packet I sent never arrived', category: 'transaction', classifierVersion: 'hash-linear-0123456789ab' });
    const ticket = (await gw.running.store.writeRouted([opening])).newTickets[0]!;
    // An agent sees the tickets of their teams' categories; the admin assigns it so they may change it.
    expect((await admin.call(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { assignee: agent.user.id } })).status).toBe(200);
    const patched = await agent.call(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { category: 'red_packet', priority: 'high' } });
    expect(patched.status, await patched.clone().text()).toBe(200);
    // Who corrected is not the client's to say.
    expect((await agent.call(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { priority: 'low', by: 'someone.else' } })).status).toBe(400);

    const listed = (await corrections()).filter((c) => c.ticketId === ticket.id);
    expect(listed).toMatchObject([
      { field: 'category', from: 'transaction', to: 'red_packet', correctedBy: 'agent.corr@wallet.test', text: opening.text, classifierVersion: 'hash-linear-0123456789ab', excluded: false },
      { field: 'priority', to: 'high', correctedBy: 'agent.corr@wallet.test' },
    ]);
    expect((await corrections('?field=priority')).every((c) => c.field === 'priority')).toBe(true);

    const review = await admin.call(`/api/v1/corrections/${listed[0]!.id}`, { method: 'PATCH', body: { excluded: true, reason: 'wrong team' } });
    expect(review.status, await review.clone().text()).toBe(200);
    expect(((await review.json()) as { correction: Correction }).correction).toMatchObject({ excluded: true, excludedBy: TEST_ADMIN.email, exclusionReason: 'wrong team' });
    expect((await corrections('?excluded=true')).map((c) => c.id)).toContain(listed[0]!.id);
    expect((await corrections('?excluded=false')).map((c) => c.id)).not.toContain(listed[0]!.id);
    const audit = (await (await admin.call('/api/v1/audit?action=correction.review')).json()) as { entries: { target?: string; actorEmail?: string }[] };
    expect(audit.entries).toEqual([expect.objectContaining({ target: listed[0]!.id, actorEmail: TEST_ADMIN.email })]);
  });

  it('answers 401 signed out, 403 to agents and supervisors, 400 with the reason for bad input, 404 for an unknown correction', async () => {
    expect((await fetch(`${gw.url}/api/v1/corrections`)).status).toBe(401);
    expect((await agent.call('/api/v1/corrections')).status).toBe(403);
    expect((await supervisor.call('/api/v1/corrections/cor_x', { method: 'PATCH', body: { excluded: true } })).status).toBe(403);
    const badQuery = await admin.call('/api/v1/corrections?field=status&limit=0');
    expect(badQuery.status).toBe(400);
    expect(await badQuery.text()).toMatch(/field.*limit|limit.*field/);
    const badBody = await admin.call('/api/v1/corrections/cor_x', { method: 'PATCH', body: { excluded: 'yes' } });
    expect(badBody.status).toBe(400);
    expect(await badBody.text()).toMatch(/excluded/);
    expect((await admin.call('/api/v1/corrections/cor_x', { method: 'PATCH', body: { excluded: true, by: 'me' } })).status).toBe(400);
    expect((await admin.call('/api/v1/corrections/cor_x', { method: 'PATCH', body: { excluded: true } })).status).toBe(404);
  });
});
