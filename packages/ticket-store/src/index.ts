export { openTicketStore, type TicketStoreOptions } from './store.ts';
export { storeFields } from './config.ts';
export * from './types.ts';
export { MIGRATIONS, migrateTicketStore } from './migrations.ts';
export { previewOf } from './rows.ts';
export { pausesOf } from './live.ts';
