import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { TransientError, type Logger } from '@switchboard/runtime';

export type Row = Record<string, unknown>;

/** What a statement needs: one parameterized statement, or a script of several without parameters. */
export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  /** Several statements separated by `;`, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The little the store needs from a database, so that real PostgreSQL and the embedded PGlite run the
 * same SQL. Errors are the driver's own (with their `code`, which `retriability` reads), except the
 * connection losses pg reports without a code: those become a TransientError with the driver's
 * error as its cause.
 */
export interface Db extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
}

/** pg's own messages for a connection that died under a query: no SQLSTATE, since no server said it. */
const CONNECTION_LOST = /Connection terminated|connection is closed|Client has encountered a connection error/i;

function classifyConnectionLoss(error: unknown): never {
  if (error instanceof Error && (error as { code?: unknown }).code === undefined && CONNECTION_LOST.test(error.message)) {
    throw new TransientError(`PostgreSQL connection lost: ${error.message}`, { cause: error });
  }
  throw error;
}

export function postgresDb(url: string, logger: Logger): Db {
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server emits here; without a listener that would crash the process.
  pool.on('error', (error) => logger.warn('idle PostgreSQL connection failed', { error, code: (error as { code?: unknown }).code }));
  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, params as unknown[]).catch(classifyConnectionLoss);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql).catch(classifyConnectionLoss);
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect().catch(classifyConnectionLoss);
      let broken: Error | undefined;
      // A checked-out client has no pool listener: a connection dying under it would be an uncaught 'error'.
      const onError = (error: Error) => {
        broken = error;
        logger.warn('PostgreSQL connection failed during a transaction', { error, code: (error as { code?: unknown }).code });
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN').catch(classifyConnectionLoss);
        const result = await work(wrap(client));
        await client.query('COMMIT').catch(classifyConnectionLoss);
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is gone: the server rolls back by itself; drop the client from the pool.
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

export async function pgliteDb(dataDir?: string): Promise<Db> {
  const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const wrap = (target: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<R>(sql, params as unknown[]);
      // Like pg's rowCount: rows returned when the statement returns rows, else rows affected.
      return { rows: result.rows, rowCount: result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    // PGlite is one connection: its transaction holds the instance until done, so others queue behind it.
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    async close() {
      await db.close();
    },
  };
}

export interface DatabaseOptions {
  /** PostgreSQL connection URL; without it the database is an embedded PGlite. */
  url?: string;
  /** PGlite's folder; without it (and without `url`) the database lives in memory. */
  dataDir?: string;
}

/** The database of `options`: PostgreSQL when a URL is given, else PGlite (one process only). */
export async function openDatabase(options: DatabaseOptions, logger: Logger): Promise<Db> {
  if (options.url) return postgresDb(options.url, logger);
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  return pgliteDb(options.dataDir);
}
