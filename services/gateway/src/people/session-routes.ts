import { z } from 'zod';
import { HttpError, json, jsonBody, parseBody, type HttpRequest, type HttpResponse, type HttpRoute } from '@switchboard/http';
import type { Logger } from '@switchboard/runtime';
import type { TeamStore, User } from '@switchboard/team';
import type { Authenticator } from './authenticator.ts';
import type { OidcSignIn } from './oidc.ts';
import { AttemptLimiter } from './rate-limit.ts';

export const SESSION_PATH = '/api/v1/session';
export const SETUP_PATH = '/api/v1/setup';
export const OIDC_START_PATH = '/api/v1/session/oidc';
export const OIDC_CALLBACK_PATH = '/api/v1/session/oidc/callback';

const SignInBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(256) }).strict();
const SetupBody = z.object({ token: z.string().min(10).max(200), email: z.email(), name: z.string().trim().min(1).max(200), password: z.string().min(12, 'at least 12 characters').max(256) }).strict();

export interface SessionRoutesOptions {
  team: TeamStore;
  auth: Authenticator;
  sessionTtlMs: number;
  oidc?: OidcSignIn;
  logger: Logger;
}

/** Who is signed in, as the console reads it: never a password hash, never a token. */
export function publicUser(user: User) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, teamIds: user.teamIds };
}

/**
 * Signing in and out: `POST /api/v1/session` with email and password (sets the session and CSRF
 * cookies), `GET` to read who is signed in, `DELETE` to sign out; the one-time setup link that creates
 * the first admin; single sign-on through the team's identity provider when one is configured.
 */
export function sessionRoutes(options: SessionRoutesOptions): HttpRoute[] {
  const { team, auth, logger } = options;
  const perAddress = new AttemptLimiter(20, 10 * 60_000);

  const signedIn = async (request: HttpRequest, user: User, how: string): Promise<HttpResponse> => {
    const session = await team.credentials.openSession(user.id, { ttlMs: options.sessionTtlMs, ...auth.actor(request) });
    await team.audit.record(auth.actor(request, { user, via: 'session' }), 'session.create', user.email, { how });
    return json(200, { user: publicUser(user), csrfToken: session.csrfToken }, { 'set-cookie': auth.sessionCookies(session) });
  };

  return [
    {
      method: 'POST',
      path: SESSION_PATH,
      maxBodyBytes: 4 * 1024,
      async handle(request) {
        const wait = perAddress.attempt(request.remoteAddress ?? 'unknown');
        if (wait > 0) return json(429, { error: `too many sign-in attempts from this address; try again in ${wait} s` }, { 'retry-after': String(wait) });
        const { email, password } = parseBody(SignInBody, jsonBody(request));
        const result = await team.users.signIn(email, password);
        const actor = { ...auth.actor(request), email: email.toLowerCase() };
        if (result.outcome === 'signed-in') return signedIn(request, result.user, 'password');
        await team.audit.record(actor, result.outcome === 'locked' ? 'session.locked' : 'session.refused', email.toLowerCase(), { outcome: result.outcome });
        if (result.outcome === 'locked') return json(423, { error: `this account is locked after repeated failed sign-ins, until ${result.until}`, lockedUntil: result.until });
        if (result.outcome === 'disabled') return json(403, { error: 'this account is disabled' });
        return json(401, { error: 'wrong email or password' });
      },
    },
    {
      method: 'GET',
      path: SESSION_PATH,
      async handle(request) {
        const principal = await auth.principal(request);
        if (!principal) return json(401, { error: 'not signed in', setup: (await team.users.count()) === 0, sso: options.oidc !== undefined });
        return json(200, { user: publicUser(principal.user), csrfToken: principal.csrfToken ?? null });
      },
    },
    {
      method: 'DELETE',
      path: SESSION_PATH,
      async handle(request) {
        const principal = await auth.require(request);
        const token = auth.sessionTokenOf(request);
        if (token) await team.credentials.closeSession(token);
        await team.audit.record(auth.actor(request, principal), 'session.delete', principal.user.email);
        return json(200, { signedOut: true }, { 'set-cookie': auth.clearedCookies() });
      },
    },
    {
      method: 'POST',
      path: SETUP_PATH,
      maxBodyBytes: 4 * 1024,
      async handle(request) {
        const wait = perAddress.attempt(request.remoteAddress ?? 'unknown');
        if (wait > 0) return json(429, { error: `too many attempts from this address; try again in ${wait} s` }, { 'retry-after': String(wait) });
        const body = parseBody(SetupBody, jsonBody(request));
        if ((await team.users.count()) > 0) throw new HttpError(409, 'this Switchboard is set up already: sign in instead');
        if (!(await team.credentials.useSetupLink(body.token))) throw new HttpError(403, 'this setup link is not valid (used already, or expired)');
        const admin = await team.users.create({ email: body.email, name: body.name, role: 'admin', password: body.password });
        await team.audit.record(auth.actor(request, { user: admin, via: 'session' }), 'user.create', admin.email, { role: 'admin', how: 'setup link' });
        logger.info('first admin created through the setup link', { email: admin.email });
        return signedIn(request, admin, 'setup link');
      },
    },
    ...(options.oidc ? oidcRoutes(options.oidc, team, signedIn, logger) : []),
  ];
}

function oidcRoutes(oidc: OidcSignIn, team: TeamStore, signedIn: (request: HttpRequest, user: User, how: string) => Promise<HttpResponse>, logger: Logger): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: OIDC_START_PATH,
      async handle() {
        try {
          return { status: 302, headers: { location: (await oidc.start()).href } };
        } catch (error) {
          logger.error('single sign-on could not start', { error });
          throw new HttpError(503, 'the identity provider cannot be reached; try again, or sign in with a password');
        }
      },
    },
    {
      method: 'GET',
      path: OIDC_CALLBACK_PATH,
      async handle(request) {
        let claims;
        try {
          claims = await oidc.finish(request.query);
        } catch (error) {
          logger.warn('single sign-on refused', { error });
          throw new HttpError(401, `single sign-on failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        const user = await team.users.fromIdentityProvider(claims, oidc.defaultRole);
        if (user.disabled) throw new HttpError(403, 'this account is disabled');
        const response = await signedIn(request, user, 'single sign-on');
        return { ...response, status: 302, headers: { ...response.headers, location: '/console' } };
      },
    },
  ];
}
