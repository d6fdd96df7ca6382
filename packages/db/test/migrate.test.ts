import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@switchboard/runtime';
import { freshDatabase } from '@switchboard/testkit';
import { migrate, openDatabase, type Db } from '../src/index.ts';

const logger = createLogger('db-test');
const opened: Db[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
  for (const cleanup of cleanups) await cleanup();
});

const set = (table: string, lock: number, versions: number[]) => ({
  table,
  lock,
  migrations: versions.map((version) => ({ version, name: `m${version}`, sql: `CREATE TABLE ${table}_t${version} (id int)` })),
});

describe.each(['postgres', 'pglite'] as const)('migrations on %s', (kind) => {
  const open = async () => {
    if (kind === 'pglite') return openDatabase({}, logger);
    const database = await freshDatabase();
    cleanups.push(database.drop);
    return openDatabase({ url: database.url }, logger);
  };

  it('apply each set once, in its own table, and again only what is new', async () => {
    const db = await open();
    opened.push(db);
    expect(await migrate(db, set('first_migrations', 1, [1, 2]))).toEqual([1, 2]);
    expect(await migrate(db, set('second_migrations', 2, [1]))).toEqual([1]);
    expect(await migrate(db, set('first_migrations', 1, [1, 2]))).toEqual([]);
    expect(await migrate(db, set('first_migrations', 1, [1, 2, 3]))).toEqual([3]);
    const { rows } = await db.query<{ version: number }>('SELECT version FROM first_migrations ORDER BY version');
    expect(rows.map((r) => Number(r.version))).toEqual([1, 2, 3]);
  });

  it('roll a failing set back whole', async () => {
    const db = await open();
    opened.push(db);
    const broken = { table: 'broken_migrations', lock: 3, migrations: [{ version: 1, name: 'ok', sql: 'CREATE TABLE ok_t (id int)' }, { version: 2, name: 'bad', sql: 'CREATE TABLE' }] };
    await expect(migrate(db, broken)).rejects.toThrow();
    await expect(db.query('SELECT * FROM ok_t')).rejects.toThrow();
  });
});
