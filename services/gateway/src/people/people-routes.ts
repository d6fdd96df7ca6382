import { z } from 'zod';
import { HttpError, json, jsonBody, parseBody, pathParams, type HttpRequest, type HttpRoute } from '@switchboard/http';
import { DuplicateUserError, NewTeam, NewUser, UserPatch, type TeamStore } from '@switchboard/team';
import type { TeamDirectory } from './access.ts';
import type { Authenticator } from './authenticator.ts';
import type { Presence } from './presence.ts';
import { publicUser } from './session-routes.ts';

const TokenBody = z.object({ name: z.string().trim().min(1).max(100) }).strict();
const AuditQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(1_000).optional(), before: z.string().regex(/^\d+$/).optional(), action: z.string().max(100).optional(), actor: z.string().max(320).optional() })
  .strict();

const idOf = (pattern: string, request: HttpRequest) => pathParams(pattern, request.path)!.id!;

/**
 * The team's administration: people (admins), teams, personal API tokens (anyone, for their own
 * scripts; shown once, hashed at rest, revocable) and the audit trail (admins and supervisors). Every
 * change is audited with the actor's email.
 */
export function peopleRoutes(team: TeamStore, auth: Authenticator, presence: Presence, directory: TeamDirectory): HttpRoute[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/users',
      maxBodyBytes: 8 * 1024,
      async handle(request) {
        const principal = await auth.require(request, 'users.manage');
        const body = parseBody(NewUser, jsonBody(request));
        try {
          const user = await team.users.create(body);
          await team.audit.record(auth.actor(request, principal), 'user.create', user.email, { role: user.role, teamIds: user.teamIds });
          directory.invalidate();
          return json(201, { user: { ...publicUser(user), capacity: user.capacity } });
        } catch (error) {
          if (error instanceof DuplicateUserError) throw new HttpError(409, error.message);
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: '/api/v1/users',
      async handle(request) {
        const principal = await auth.require(request);
        // Supervisors assign, so they see who there is; agents and analysts do not list the team.
        if (principal.user.role !== 'admin' && principal.user.role !== 'supervisor') throw new HttpError(403, `the ${principal.user.role} role may not list users`);
        const users = await team.users.list();
        return json(200, { users: users.map((u) => ({ ...publicUser(u), capacity: u.capacity, disabled: u.disabled, online: presence.isOnline(u.id), lockedUntil: u.lockedUntil ?? null })) });
      },
    },
    {
      method: 'PATCH',
      path: '/api/v1/users/:id',
      maxBodyBytes: 8 * 1024,
      async handle(request) {
        const principal = await auth.require(request, 'users.manage');
        const patch = parseBody(UserPatch, jsonBody(request));
        const user = await team.users.update(idOf('/api/v1/users/:id', request), patch);
        if (!user) throw new HttpError(404, 'no such user');
        if (patch.teamIds) directory.invalidate();
        const { password: _password, ...changed } = patch;
        await team.audit.record(auth.actor(request, principal), 'user.update', user.email, { ...changed, ...(patch.password ? { password: 'reset' } : {}) });
        return json(200, { user: { ...publicUser(user), capacity: user.capacity, disabled: user.disabled } });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/teams',
      async handle(request) {
        await auth.require(request);
        return json(200, { teams: await team.users.teams() });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/teams',
      maxBodyBytes: 4 * 1024,
      async handle(request) {
        const principal = await auth.require(request, 'users.manage');
        const created = await team.users.createTeam(parseBody(NewTeam, jsonBody(request)));
        directory.invalidate();
        await team.audit.record(auth.actor(request, principal), 'team.create', created.name, { categories: created.categories });
        return json(201, { team: created });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/tokens',
      maxBodyBytes: 2 * 1024,
      async handle(request) {
        const principal = await auth.require(request);
        const { name } = parseBody(TokenBody, jsonBody(request));
        const created = await team.credentials.createApiToken(principal.user.id, name);
        await team.audit.record(auth.actor(request, principal), 'token.create', created.id, { name });
        return json(201, { ...created, note: 'shown this once: keep it where you keep passwords' });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/tokens',
      async handle(request) {
        const principal = await auth.require(request);
        return json(200, { tokens: await team.credentials.apiTokens(principal.user.id) });
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/tokens/:id',
      async handle(request) {
        const principal = await auth.require(request);
        const id = idOf('/api/v1/tokens/:id', request);
        const revoked = await team.credentials.revokeApiToken(id, principal.user.role === 'admin' ? undefined : principal.user.id);
        if (!revoked) throw new HttpError(404, 'no such token of yours, or revoked already');
        await team.audit.record(auth.actor(request, principal), 'token.revoke', id);
        return json(200, { revoked: id });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/audit',
      async handle(request) {
        await auth.require(request, 'audit.read');
        const q = parseBody(AuditQuery, Object.fromEntries(request.query), 'query');
        return json(200, { entries: await team.audit.list({ ...q, ...(q.actor ? { actorEmail: q.actor.toLowerCase() } : {}) }) });
      },
    },
  ];
}
