import type { Db } from '@switchboard/db';
import type { HttpRoute } from '@switchboard/http';
import type { Logger } from '@switchboard/runtime';
import { openTeamStore, type TeamStore } from '@switchboard/team';
import type { TicketStore } from '@switchboard/ticket-store';
import { TeamDirectory, TicketAccess } from './access.ts';
import { Assigner } from './assigner.ts';
import { Authenticator } from './authenticator.ts';
import type { PeopleConfig } from './config.ts';
import { EventStream } from './events.ts';
import { exportRoute } from './export.ts';
import { OidcSignIn } from './oidc.ts';
import { peopleRoutes } from './people-routes.ts';
import { Presence } from './presence.ts';
import { OIDC_CALLBACK_PATH, sessionRoutes } from './session-routes.ts';
import { registerSlaMetrics } from './sla-metrics.ts';

export interface People {
  team: TeamStore;
  auth: Authenticator;
  access: TicketAccess;
  presence: Presence;
  routes: HttpRoute[];
  /** The one-time token that creates the first admin, when nobody can sign in yet (the banner shows its link). */
  setupToken?: string;
  stop(): Promise<void>;
}

const SETUP_LINK_MS = 24 * 3_600_000;

/**
 * The team in the gateway: who is signed in and what they may do, the live event stream, assignment and
 * the SLA metrics. The first admin comes from SWITCHBOARD_ADMIN_EMAIL/PASSWORD or, without them, a
 * one-time setup link for the banner.
 */
export async function startPeople(options: {
  db: Db;
  store: TicketStore;
  config: PeopleConfig;
  /** Where people open the console (SWITCHBOARD_PUBLIC_URL, else the listening address once known). */
  baseUrl: () => string;
  presenceGraceMs?: number;
  logger: Logger;
}): Promise<People> {
  const { db, store, config, logger } = options;
  const team = await openTeamStore(db);
  let setupToken: string | undefined;
  if ((await team.users.count()) === 0) {
    if (config.admin) {
      const admin = await team.users.create({ email: config.admin.email, name: 'Administrator', role: 'admin', password: config.admin.password });
      await team.audit.record({ email: 'system' }, 'user.create', admin.email, { role: 'admin', how: 'SWITCHBOARD_ADMIN_EMAIL' });
    } else {
      setupToken = await team.credentials.createSetupLink(SETUP_LINK_MS);
    }
  }
  const auth = new Authenticator(team, { secureCookies: config.publicUrl?.startsWith('https:') ?? false, sessionTtlMs: config.sessionTtlMs });
  const directory = new TeamDirectory(team);
  const access = new TicketAccess(directory);
  const presence = new Presence(options.presenceGraceMs);
  const events = new EventStream(store, auth, access, presence, logger.child('events'));
  const assigner = new Assigner(store, team, directory, presence, logger.child('assignment'), config.assignIntervalMs);
  const stopMetrics = registerSlaMetrics(store, config.sla, logger.child('sla'));
  const oidc = config.oidc ? new OidcSignIn(config.oidc, () => `${options.baseUrl()}${OIDC_CALLBACK_PATH}`) : undefined;
  const routes = [
    ...sessionRoutes({ team, auth, sessionTtlMs: config.sessionTtlMs, ...(oidc ? { oidc } : {}), logger }),
    ...peopleRoutes(team, auth, presence, directory),
    events.route(),
    exportRoute(store, team, auth, access),
  ];
  return {
    team,
    auth,
    access,
    presence,
    routes,
    ...(setupToken ? { setupToken } : {}),
    async stop() {
      events.close();
      stopMetrics();
      await assigner.stop();
    },
  };
}

export { TicketAccess, TeamDirectory } from './access.ts';
export { Authenticator, type Principal, SESSION_COOKIE, CSRF_COOKIE } from './authenticator.ts';
export { peopleConfigOf, peopleFields, type PeopleConfig } from './config.ts';
export { EVENTS_PATH } from './events.ts';
