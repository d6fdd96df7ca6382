import type { Db } from '@switchboard/db';
import { AuditTrail } from './audit.ts';
import { Credentials } from './credentials.ts';
import { migrateTeam } from './migrations.ts';
import { Users } from './users.ts';

export interface TeamStore {
  users: Users;
  credentials: Credentials;
  audit: AuditTrail;
}

/** The team's tables on a database shared with the ticket store (migrated here; the caller closes it). */
export async function openTeamStore(db: Db): Promise<TeamStore> {
  await migrateTeam(db);
  return { users: new Users(db), credentials: new Credentials(db), audit: new AuditTrail(db) };
}
