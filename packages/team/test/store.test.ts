import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@switchboard/db';
import { createLogger } from '@switchboard/runtime';
import { freshDatabase } from '@switchboard/testkit';
import { DuplicateUserError, LOCK_AFTER_FAILURES, openTeamStore, type TeamStore } from '../src/index.ts';

const logger = createLogger('team-store-test');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function open(kind: 'postgres' | 'pglite'): Promise<{ db: Db; team: TeamStore }> {
  let db: Db;
  if (kind === 'pglite') db = await openDatabase({}, logger);
  else {
    const database = await freshDatabase();
    db = await openDatabase({ url: database.url }, logger);
    cleanups.push(database.drop);
  }
  cleanups.push(() => db.close());
  return { db, team: await openTeamStore(db) };
}

// One database per kind for the file: PGlite takes seconds to create, and each test uses people of its own.
describe.each(['postgres', 'pglite'] as const)('the team store on %s', (kind) => {
  let opened: { db: Db; team: TeamStore };
  beforeAll(async () => {
    opened = await open(kind);
  });
  it('creates people with teams, refuses a second account for one email, updates and disables', async () => {
    const { team } = opened;
    const payments = await team.users.createTeam({ name: 'Payments', categories: ['transaction', 'fees_fx'] });
    const ann = await team.users.create({ email: 'Ann@Wallet.example', name: 'Ann Lee', role: 'agent', password: 'correct horse battery', teamIds: [payments.id] });
    expect(ann).toMatchObject({ email: 'ann@wallet.example', role: 'agent', teamIds: [payments.id], hasPassword: true, capacity: 5, disabled: false });
    await expect(team.users.create({ email: 'ann@wallet.example', name: 'Again', role: 'admin' })).rejects.toThrow(DuplicateUserError);
    expect((await team.users.teams())[0]).toMatchObject({ name: 'Payments', categories: ['transaction', 'fees_fx'], memberIds: [ann.id] });
    expect(await team.users.update(ann.id, { role: 'supervisor', teamIds: [] })).toMatchObject({ role: 'supervisor', teamIds: [] });
    const session = await team.credentials.openSession(ann.id, { ttlMs: 60_000 });
    expect(await team.credentials.session(session.token)).toEqual({ userId: ann.id, csrfToken: session.csrfToken });
    await team.users.update(ann.id, { disabled: true });
    expect(await team.credentials.session(session.token)).toBeUndefined();
    expect(await team.users.signIn('ann@wallet.example', 'correct horse battery')).toEqual({ outcome: 'disabled' });
  });

  it('signs in with the right password only, and locks the account after repeated failures, right password included', async () => {
    const { team } = opened;
    await team.users.create({ email: 'bo@wallet.example', name: 'Bo', role: 'agent', password: 'a long enough passphrase' });
    expect((await team.users.signIn('BO@wallet.example', 'a long enough passphrase')).outcome).toBe('signed-in');
    expect(await team.users.signIn('nobody@wallet.example', 'whatever it is')).toEqual({ outcome: 'wrong' });
    const now = new Date();
    for (let i = 1; i < LOCK_AFTER_FAILURES; i++) expect(await team.users.signIn('bo@wallet.example', `wrong ${i}`, now)).toEqual({ outcome: 'wrong' });
    const locked = await team.users.signIn('bo@wallet.example', 'wrong again', now);
    expect(locked.outcome).toBe('locked');
    expect((await team.users.signIn('bo@wallet.example', 'a long enough passphrase', now)).outcome).toBe('locked');
    // Fifteen minutes later the right password works again.
    expect((await team.users.signIn('bo@wallet.example', 'a long enough passphrase', new Date(now.getTime() + 16 * 60_000))).outcome).toBe('signed-in');
  });

  it('keeps only hashes of sessions and API tokens, shows a token once, and revokes it', async () => {
    const { db, team } = opened;
    const cy = await team.users.create({ email: 'cy@wallet.example', name: 'Cy', role: 'analyst' });
    const { id, token } = await team.credentials.createApiToken(cy.id, 'export script');
    expect(token).toMatch(/^sbu_/);
    expect(await team.credentials.userOfApiToken(token)).toBe(cy.id);
    const stored = await db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(stored.rows[0]!.token_hash).not.toContain(token.slice(4, 20));
    expect(await team.credentials.revokeApiToken(id, 'someone-else')).toBe(false);
    expect(await team.credentials.revokeApiToken(id, cy.id)).toBe(true);
    expect(await team.credentials.userOfApiToken(token)).toBeUndefined();
    expect((await team.credentials.apiTokens(cy.id))[0]).toMatchObject({ id, name: 'export script', revokedAt: expect.any(String) });
    const link = await team.credentials.createSetupLink(60_000);
    expect(await team.credentials.useSetupLink(link)).toBe(true);
    expect(await team.credentials.useSetupLink(link)).toBe(false);
  });

  it('keeps an append-only audit trail, newest first', async () => {
    const { db, team } = opened;
    await team.audit.record({ id: 'usr_1', email: 'ann@wallet.example', ip: '127.0.0.1' }, 'session.create');
    await team.audit.record({ id: 'usr_1', email: 'ann@wallet.example' }, 'ticket.reply', 'SB-000001', { length: 12 });
    const entries = await team.audit.list();
    expect(entries.map((e) => e.action)).toEqual(['ticket.reply', 'session.create']);
    expect(entries[0]).toMatchObject({ actorEmail: 'ann@wallet.example', target: 'SB-000001', details: { length: 12 } });
    await expect(db.query("UPDATE audit_log SET action = 'nothing'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    expect(await team.audit.list({ action: 'session.create' })).toHaveLength(1);
  });

  it('finds the person an identity provider vouches for, creating them once', async () => {
    const { team } = opened;
    const existing = await team.users.create({ email: 'dee@wallet.example', name: 'Dee', role: 'supervisor' });
    const claims = { issuer: 'https://idp.example', subject: 'sub-1', email: 'DEE@wallet.example' };
    expect((await team.users.fromIdentityProvider(claims, 'agent')).id).toBe(existing.id);
    const fresh = await team.users.fromIdentityProvider({ issuer: 'https://idp.example', subject: 'sub-2', email: 'eve@wallet.example', name: 'Eve' }, 'agent');
    expect(fresh).toMatchObject({ email: 'eve@wallet.example', name: 'Eve', role: 'agent', hasPassword: false });
    expect((await team.users.fromIdentityProvider({ issuer: 'https://idp.example', subject: 'sub-2', email: 'eve.new@wallet.example' }, 'agent')).id).toBe(fresh.id);
  });
});
