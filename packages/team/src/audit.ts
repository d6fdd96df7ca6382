import type { Db } from '@switchboard/db';
import type { Actor, AuditEntry } from './types.ts';

/**
 * The audit trail: who did what, when and from where. Append-only (a trigger refuses UPDATE, DELETE and
 * TRUNCATE), read newest first.
 */
export class AuditTrail {
  constructor(private readonly db: Db) {}

  async record(actor: Actor, action: string, target?: string, details: Record<string, unknown> = {}): Promise<void> {
    await this.db.query('INSERT INTO audit_log (actor_id, actor_email, action, target, details, ip, user_agent) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7)', [
      actor.id ?? null,
      actor.email ?? null,
      action,
      target ?? null,
      JSON.stringify(details),
      actor.ip ?? null,
      actor.userAgent?.slice(0, 300) ?? null,
    ]);
  }

  async list(options: { limit?: number; before?: string; action?: string; actorEmail?: string } = {}): Promise<AuditEntry[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT id::text AS id, at, actor_id, actor_email, action, target, details, ip, user_agent FROM audit_log
       WHERE ($1::bigint IS NULL OR id < $1::bigint) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR actor_email = $3)
       ORDER BY id DESC LIMIT $4`,
      [options.before ?? null, options.action ?? null, options.actorEmail ?? null, Math.min(options.limit ?? 100, 1_000)],
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at as string).toISOString(),
      action: String(r.action),
      details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
      ...(r.actor_id ? { actorId: String(r.actor_id) } : {}),
      ...(r.actor_email ? { actorEmail: String(r.actor_email) } : {}),
      ...(r.target ? { target: String(r.target) } : {}),
      ...(r.ip ? { ip: String(r.ip) } : {}),
      ...(r.user_agent ? { userAgent: String(r.user_agent) } : {}),
    }));
  }
}
