import { cookiesOf, HttpError, setCookie, type HttpRequest } from '@switchboard/http';
import { can, type Actor, type Permission, type TeamStore, type User } from '@switchboard/team';

export const SESSION_COOKIE = 'sb_session';
export const CSRF_COOKIE = 'csrf_token';

/** A signed-in person, and how the request proved it. */
export interface Principal {
  user: User;
  via: 'session' | 'token';
  /** The session's CSRF token (cookie sessions only). */
  csrfToken?: string;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function bearerOf(request: Pick<HttpRequest, 'headers'>): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/**
 * A session cookie (the console) or a personal API token (`Authorization: Bearer sbu_…`, scripts) names
 * the person; their role decides what they may do. A state-changing request on a cookie also needs the
 * CSRF token (`x-csrf-token` equal to the `csrf_token` cookie) or a same-origin `Origin` header: the
 * cookie is SameSite=Strict already; this covers browsers and proxies that do not honour it.
 */
export class Authenticator {
  constructor(
    private readonly team: TeamStore,
    private readonly options: { secureCookies: boolean; sessionTtlMs: number },
  ) {}

  async principal(request: Pick<HttpRequest, 'headers'>): Promise<Principal | undefined> {
    const bearer = bearerOf(request);
    if (bearer?.startsWith('sbu_')) {
      const userId = await this.team.credentials.userOfApiToken(bearer);
      const user = userId ? await this.team.users.get(userId) : undefined;
      return user && !user.disabled ? { user, via: 'token' } : undefined;
    }
    const token = cookiesOf(request.headers).get(SESSION_COOKIE);
    if (!token) return undefined;
    const session = await this.team.credentials.session(token);
    const user = session ? await this.team.users.get(session.userId) : undefined;
    return user && session && !user.disabled ? { user, via: 'session', csrfToken: session.csrfToken } : undefined;
  }

  /** The signed-in person, allowed `permission`: 401 when nobody is signed in, 403 for a failed CSRF check or a role without it. */
  async require(request: HttpRequest, permission?: Permission): Promise<Principal> {
    const principal = await this.principal(request);
    if (!principal) throw new HttpError(401, 'sign in first (a session, or Authorization: Bearer <your API token>)');
    if (principal.via === 'session' && STATE_CHANGING.has(request.method) && !this.csrfPassed(request, principal)) {
      throw new HttpError(403, 'the CSRF check failed: send x-csrf-token with the value of the csrf_token cookie');
    }
    if (permission && !can(principal.user.role, permission)) throw new HttpError(403, `the ${principal.user.role} role may not do this (${permission})`);
    return principal;
  }

  private csrfPassed(request: HttpRequest, principal: Principal): boolean {
    const header = request.headers['x-csrf-token'];
    const cookie = cookiesOf(request.headers).get(CSRF_COOKIE);
    if (typeof header === 'string' && header === cookie && header === principal.csrfToken) return true;
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || typeof request.headers.host !== 'string') return false;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }

  actor(request: HttpRequest, principal?: Principal): Actor {
    const agent = request.headers['user-agent'];
    return {
      ...(principal ? { id: principal.user.id, email: principal.user.email } : {}),
      ...(request.remoteAddress ? { ip: request.remoteAddress } : {}),
      ...(typeof agent === 'string' ? { userAgent: agent } : {}),
    };
  }

  /** The session cookie (HttpOnly) and the CSRF cookie (readable by the page, which echoes it). */
  sessionCookies(session: { token: string; csrfToken: string }): string[] {
    const common = { secure: this.options.secureCookies, maxAge: this.options.sessionTtlMs / 1000 };
    return [setCookie(SESSION_COOKIE, session.token, { ...common, httpOnly: true }), setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false })];
  }

  clearedCookies(): string[] {
    const gone = { secure: this.options.secureCookies, maxAge: 0 };
    return [setCookie(SESSION_COOKIE, '', { ...gone, httpOnly: true }), setCookie(CSRF_COOKIE, '', { ...gone, httpOnly: false })];
  }

  sessionTokenOf(request: Pick<HttpRequest, 'headers'>): string | undefined {
    return cookiesOf(request.headers).get(SESSION_COOKIE);
  }
}
