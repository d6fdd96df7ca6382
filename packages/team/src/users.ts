import { randomUUID } from 'node:crypto';
import type { Db, Queryable, Row } from '@switchboard/db';
import { hashPassword, verifyPassword } from './password.ts';
import { NewTeam, NewUser, UserPatch, type SignInResult, type Team, type User } from './types.ts';
import type { Role } from './roles.ts';

/** Consecutive wrong passwords after which an account is locked, and for how long. */
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MINUTES = 15;

const USER_COLUMNS = `u.id, u.email, u.name, u.role, u.capacity, u.disabled, u.password_hash IS NOT NULL AS has_password, u.locked_until, u.created_at,
  u.last_seen_at, COALESCE((SELECT jsonb_agg(m.team_id ORDER BY m.team_id) FROM team_members m WHERE m.user_id = u.id), '[]'::jsonb) AS team_ids`;

const iso = (v: unknown) => new Date(v as string).toISOString();
const jsonOf = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

function toUser(row: Row): User {
  return {
    id: String(row.id),
    email: String(row.email),
    name: String(row.name),
    role: row.role as Role,
    teamIds: jsonOf<string[]>(row.team_ids),
    capacity: Number(row.capacity),
    disabled: Boolean(row.disabled),
    hasPassword: Boolean(row.has_password),
    createdAt: iso(row.created_at),
    ...(row.locked_until ? { lockedUntil: iso(row.locked_until) } : {}),
    ...(row.last_seen_at ? { lastSeenAt: iso(row.last_seen_at) } : {}),
  };
}

export class DuplicateUserError extends Error {
  override readonly name = 'DuplicateUserError';
}

/** People and teams. Passwords are only ever stored as scrypt hashes. */
export class Users {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return Number(rows[0]!.n);
  }

  async create(input: NewUser): Promise<User> {
    const user = NewUser.parse(input);
    const id = `usr_${randomUUID().replace(/-/g, '')}`;
    const hash = user.password ? await hashPassword(user.password) : null;
    await this.db.transaction(async (tx) => {
      const inserted = await tx.query('INSERT INTO users (id, email, name, role, password_hash, capacity) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING id', [
        id,
        user.email,
        user.name,
        user.role,
        hash,
        user.capacity,
      ]);
      if (inserted.rowCount === 0) throw new DuplicateUserError(`a user with the email ${user.email} exists`);
      await this.setTeams(tx, id, user.teamIds);
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<User | undefined> {
    const { rows } = await this.db.query(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async list(): Promise<User[]> {
    const { rows } = await this.db.query(`SELECT ${USER_COLUMNS} FROM users u ORDER BY u.email`);
    return rows.map(toUser);
  }

  async update(id: string, input: UserPatch): Promise<User | undefined> {
    const patch = UserPatch.parse(input);
    const hash = patch.password ? await hashPassword(patch.password) : null;
    const found = await this.db.transaction(async (tx) => {
      const updated = await tx.query(
        `UPDATE users SET name = COALESCE($2, name), role = COALESCE($3, role), capacity = COALESCE($4, capacity), disabled = COALESCE($5, disabled),
           password_hash = COALESCE($6, password_hash),
           -- A new password (an admin's reset) unlocks the account.
           failed_logins = CASE WHEN $6::text IS NULL THEN failed_logins ELSE 0 END,
           locked_until = CASE WHEN $6::text IS NULL THEN locked_until ELSE NULL END
         WHERE id = $1 RETURNING id`,
        [id, patch.name ?? null, patch.role ?? null, patch.capacity ?? null, patch.disabled ?? null, hash],
      );
      if (updated.rowCount === 0) return false;
      if (patch.teamIds) await this.setTeams(tx, id, patch.teamIds);
      // A disabled person's sessions end now, not when they expire.
      if (patch.disabled) await tx.query('DELETE FROM sessions WHERE user_id = $1', [id]);
      return true;
    });
    return found ? this.get(id) : undefined;
  }

  private async setTeams(tx: Queryable, userId: string, teamIds: readonly string[]): Promise<void> {
    await tx.query('DELETE FROM team_members WHERE user_id = $1', [userId]);
    if (teamIds.length === 0) return;
    await tx.query(
      'INSERT INTO team_members (team_id, user_id) SELECT t.id, $2 FROM teams t WHERE t.id IN (SELECT jsonb_array_elements_text($1::text::jsonb))',
      [JSON.stringify(teamIds), userId],
    );
  }

  /**
   * Checks a password. Five wrong ones in a row lock the account for fifteen minutes; while locked the
   * right password is refused too, so guessing on is pointless. A right one resets the count.
   */
  async signIn(email: string, password: string, now = new Date()): Promise<SignInResult> {
    const { rows } = await this.db.query<{ id: string; password_hash: string | null; failed_logins: number; locked_until: string | null; disabled: boolean }>(
      'SELECT id, password_hash, failed_logins, locked_until, disabled FROM users WHERE email = $1',
      [email.trim().toLowerCase()],
    );
    const row = rows[0];
    if (!row || !row.password_hash) {
      // The same work as a real check, so the answer's timing does not tell which emails exist.
      await verifyPassword(password, 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      return { outcome: 'wrong' };
    }
    if (row.locked_until && new Date(row.locked_until) > now) return { outcome: 'locked', until: iso(row.locked_until) };
    if (row.disabled) return { outcome: 'disabled' };
    if (!(await verifyPassword(password, row.password_hash))) {
      // Counted in one statement, so concurrent guesses cannot slip under the limit.
      const counted = await this.db.query<{ failed_logins: number }>('UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins', [row.id]);
      if (Number(counted.rows[0]?.failed_logins ?? 0) < LOCK_AFTER_FAILURES) return { outcome: 'wrong' };
      const until = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
      await this.db.query('UPDATE users SET failed_logins = 0, locked_until = $2 WHERE id = $1', [row.id, until]);
      return { outcome: 'locked', until };
    }
    await this.db.query('UPDATE users SET failed_logins = 0, locked_until = NULL, last_seen_at = $2 WHERE id = $1', [row.id, now.toISOString()]);
    return { outcome: 'signed-in', user: (await this.get(row.id))! };
  }

  /** The person an identity provider vouches for: found by issuer and subject, or by email the first time; created with `role` if new. */
  async fromIdentityProvider(claims: { issuer: string; subject: string; email: string; name?: string }, role: Role): Promise<User> {
    const email = claims.email.toLowerCase();
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE users SET oidc_issuer = $1, oidc_subject = $2, last_seen_at = now()
       WHERE (oidc_issuer = $1 AND oidc_subject = $2) OR (email = $3 AND oidc_subject IS NULL) RETURNING id`,
      [claims.issuer, claims.subject, email],
    );
    if (rows[0]) return (await this.get(rows[0].id))!;
    const user = await this.create({ email, name: claims.name ?? email, role });
    await this.db.query('UPDATE users SET oidc_issuer = $1, oidc_subject = $2 WHERE id = $3', [claims.issuer, claims.subject, user.id]);
    return user;
  }

  async createTeam(input: NewTeam): Promise<Team> {
    const team = NewTeam.parse(input);
    const id = `team_${team.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || randomUUID().slice(0, 8)}`;
    await this.db.query('INSERT INTO teams (id, name, categories) VALUES ($1, $2, $3::text::jsonb)', [id, team.name, JSON.stringify(team.categories)]);
    return (await this.teams()).find((t) => t.id === id)!;
  }

  async teams(): Promise<Team[]> {
    const { rows } = await this.db.query(
      `SELECT t.id, t.name, t.categories, COALESCE((SELECT jsonb_agg(m.user_id ORDER BY m.user_id) FROM team_members m WHERE m.team_id = t.id), '[]'::jsonb) AS members
       FROM teams t ORDER BY t.name`,
    );
    return rows.map((r) => ({ id: String(r.id), name: String(r.name), categories: jsonOf<string[]>(r.categories), memberIds: jsonOf<string[]>(r.members) }));
  }
}
