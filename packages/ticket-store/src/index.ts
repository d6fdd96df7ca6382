export { openTicketStore, type TicketStoreOptions } from './store.ts';
export { storeFields } from './config.ts';
export * from './types.ts';
export { MIGRATIONS, migrate, type Migration } from './migrations.ts';
export { postgresDb, pgliteDb, type Db, type Queryable, type Row } from './db.ts';
export { previewOf } from './rows.ts';
