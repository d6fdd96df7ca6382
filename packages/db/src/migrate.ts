import type { Db } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations of one package, recorded in a table of its own, so packages sharing a database never collide. */
export interface MigrationSet {
  /** Table that records what was applied, e.g. `schema_migrations`. */
  table: string;
  /** Any constant unique to the set: serializes concurrent runs (several services starting at once) on one database. */
  lock: number;
  migrations: readonly Migration[];
}

/**
 * Applies the migrations of `set` that are missing, all in one transaction under an advisory lock, and
 * records them. Running it again changes nothing. A migration once released is never edited: add a new one.
 */
export async function migrate(db: Db, set: MigrationSet): Promise<number[]> {
  if (!/^[a-z_]+$/.test(set.table)) throw new Error(`not a table name: ${set.table}`);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [set.lock]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS ${set.table} (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number }>(`SELECT version FROM ${set.table}`);
    const applied = new Set(rows.map((r) => r.version));
    const newlyApplied: number[] = [];
    for (const migration of set.migrations) {
      if (applied.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query(`INSERT INTO ${set.table} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}
