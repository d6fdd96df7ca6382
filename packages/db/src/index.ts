export { openDatabase, postgresDb, pgliteDb, type Db, type DatabaseOptions, type Queryable, type Row } from './db.ts';
export { migrate, type Migration, type MigrationSet } from './migrate.ts';
