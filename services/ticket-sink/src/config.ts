import { join } from 'node:path';
import { z } from 'zod';
import { Channel } from '@switchboard/schema';
import { env, loadConfig, registerSecret } from '@switchboard/runtime';

export const ticketSinkEnvSchema = z.object({
  DATABASE_URL: env
    .optionalString()
    .describe('PostgreSQL URL (postgres://user:pass@host:5432/db). Unset: the embedded PGlite in `<SWITCHBOARD_DATA_DIR>/pglite`.'),
  SWITCHBOARD_DATA_DIR: z.string().min(1).default('.data').describe('Folder for local state; PGlite keeps its database in `pglite/` under it.'),
  SWITCHBOARD_ACK_CHANNELS: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? ['email'] : v.split(',').map((s) => s.trim()).filter(Boolean)))
    .pipe(z.array(Channel))
    .describe('Comma-separated channels whose new tickets get an automatic acknowledgement. Default `email`; empty: none.'),
  SWITCHBOARD_REOPEN_WINDOW_HOURS: env
    .int(72, 0)
    .describe('A customer writing within this many hours of a resolution reopens the ticket; later opens a new, linked ticket. Default 72.'),
  SWITCHBOARD_ACK_MAX_AGE_HOURS: env
    .int(72, 1)
    .describe('New tickets whose first message is older than this get no acknowledgement (a first backfill of a mailbox). Default 72.'),
});

export interface TicketSinkConfig {
  databaseUrl?: string;
  dataDir: string;
  /** Where PGlite keeps its files when there is no `databaseUrl`. */
  pgliteDir: string;
  ackChannels: Channel[];
  reopenWindowHours: number;
  ackMaxAgeHours: number;
}

export function ticketSinkConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): TicketSinkConfig {
  const cfg = loadConfig('ticket-sink', ticketSinkEnvSchema, environment);
  if (cfg.DATABASE_URL) {
    try {
      registerSecret(decodeURIComponent(new URL(cfg.DATABASE_URL).password));
    } catch {
      // Not a URL (a libpq key=value string): mask it whole.
      registerSecret(cfg.DATABASE_URL);
    }
  }
  const config: TicketSinkConfig = {
    dataDir: cfg.SWITCHBOARD_DATA_DIR,
    pgliteDir: join(cfg.SWITCHBOARD_DATA_DIR, 'pglite'),
    ackChannels: cfg.SWITCHBOARD_ACK_CHANNELS,
    reopenWindowHours: cfg.SWITCHBOARD_REOPEN_WINDOW_HOURS,
    ackMaxAgeHours: cfg.SWITCHBOARD_ACK_MAX_AGE_HOURS,
  };
  if (cfg.DATABASE_URL) config.databaseUrl = cfg.DATABASE_URL;
  return config;
}
