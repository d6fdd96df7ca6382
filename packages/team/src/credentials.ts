import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '@switchboard/db';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export interface Session {
  /** The cookie's value: never stored, only its hash. */
  token: string;
  csrfToken: string;
  expiresAt: string;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** Sessions (the console's cookie), per-user API tokens (scripts) and one-time setup links; all kept as hashes. */
export class Credentials {
  constructor(private readonly db: Db) {}

  async openSession(userId: string, options: { ttlMs: number; ip?: string; userAgent?: string }): Promise<Session> {
    const session = { token: newToken('sbs_'), csrfToken: randomBytes(24).toString('base64url'), expiresAt: new Date(Date.now() + options.ttlMs).toISOString() };
    await this.db.query('INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6)', [
      hashOf(session.token),
      userId,
      session.csrfToken,
      session.expiresAt,
      options.ip ?? null,
      options.userAgent?.slice(0, 300) ?? null,
    ]);
    return session;
  }

  /** The user id and CSRF token of a live session (its last use recorded), or undefined. */
  async session(token: string): Promise<{ userId: string; csrfToken: string } | undefined> {
    const { rows } = await this.db.query<{ user_id: string; csrf_token: string }>(
      `UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1 AND expires_at > now() RETURNING user_id, csrf_token`,
      [hashOf(token)],
    );
    return rows[0] ? { userId: rows[0].user_id, csrfToken: rows[0].csrf_token } : undefined;
  }

  async closeSession(token: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1 OR expires_at < now()', [hashOf(token)]);
  }

  /** A new API token for a person; the token itself is returned this once and never again. */
  async createApiToken(userId: string, name: string): Promise<{ id: string; token: string }> {
    const id = `tok_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const token = newToken('sbu_');
    await this.db.query('INSERT INTO api_tokens (id, user_id, name, token_hash) VALUES ($1, $2, $3, $4)', [id, userId, name, hashOf(token)]);
    return { id, token };
  }

  async userOfApiToken(token: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ user_id: string }>('UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING user_id', [hashOf(token)]);
    return rows[0]?.user_id;
  }

  async apiTokens(userId: string): Promise<ApiTokenInfo[]> {
    const { rows } = await this.db.query<{ id: string; name: string; created_at: string; last_used_at: string | null; revoked_at: string | null }>(
      'SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at',
      [userId],
    );
    const iso = (v: string) => new Date(v).toISOString();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.created_at), ...(r.last_used_at ? { lastUsedAt: iso(r.last_used_at) } : {}), ...(r.revoked_at ? { revokedAt: iso(r.revoked_at) } : {}) }));
  }

  /** Revokes a token of `userId` (or of anyone, for an admin: `userId` undefined). */
  async revokeApiToken(id: string, userId?: string): Promise<boolean> {
    const { rowCount } = await this.db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR user_id = $2)', [id, userId ?? null]);
    return rowCount > 0;
  }

  async createSetupLink(ttlMs: number): Promise<string> {
    const token = newToken('sbsetup_');
    await this.db.query('INSERT INTO setup_links (token_hash, expires_at) VALUES ($1, $2)', [hashOf(token), new Date(Date.now() + ttlMs).toISOString()]);
    return token;
  }

  /** True once for a valid link: using it spends it. */
  async useSetupLink(token: string): Promise<boolean> {
    const { rowCount } = await this.db.query('UPDATE setup_links SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()', [hashOf(token)]);
    return rowCount > 0;
  }
}
