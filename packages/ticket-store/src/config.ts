import { field } from '@switchboard/runtime';

/** The store's variables, read by every component that opens it (the sink, the gateway, the CLI). */
export const storeFields = {
  DATABASE_URL: field
    .connectionUrl()
    .describe('PostgreSQL URL of the ticket store. Unset: the embedded PGlite in `<SWITCHBOARD_DATA_DIR>/pglite` (one process only).')
    .example('postgres://switchboard:password@db.internal:5432/switchboard'),
  SWITCHBOARD_REOPEN_WINDOW_HOURS: field
    .int(72, 0)
    .describe('A customer writing within this many hours of a resolution reopens the ticket; later opens a new, linked ticket.'),
};
