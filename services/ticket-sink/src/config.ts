import { join } from 'node:path';
import type { ChannelRegistry } from '@switchboard/connector-sdk';
import { ConfigError, configSpec, dataDirFields, field } from '@switchboard/runtime';
import { storeFields } from '@switchboard/ticket-store';

export const ticketSinkConfig = configSpec('ticket-sink', {
  ...dataDirFields,
  ...storeFields,
  SWITCHBOARD_ACK_CHANNELS: field
    .optionalList()
    .describe("Comma-separated channels whose new tickets get an automatic acknowledgement. Unset: the channels whose descriptor asks for one; empty: none."),
  SWITCHBOARD_ACK_MAX_AGE_HOURS: field
    .int(72, 1)
    .describe('New tickets whose first message is older than this get no acknowledgement (a first backfill of a mailbox).'),
});

export interface TicketSinkConfig {
  databaseUrl?: string;
  dataDir: string;
  /** Where PGlite keeps its files when there is no `databaseUrl`. */
  pgliteDir: string;
  /** Unset: the registered channels that acknowledge by default. */
  ackChannels?: string[];
  reopenWindowHours: number;
  ackMaxAgeHours: number;
}

export function ticketSinkConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): TicketSinkConfig {
  const cfg = ticketSinkConfig.load(environment);
  return {
    dataDir: cfg.SWITCHBOARD_DATA_DIR,
    pgliteDir: join(cfg.SWITCHBOARD_DATA_DIR, 'pglite'),
    reopenWindowHours: cfg.SWITCHBOARD_REOPEN_WINDOW_HOURS,
    ackMaxAgeHours: cfg.SWITCHBOARD_ACK_MAX_AGE_HOURS,
    ...(cfg.SWITCHBOARD_ACK_CHANNELS ? { ackChannels: cfg.SWITCHBOARD_ACK_CHANNELS } : {}),
    ...(cfg.DATABASE_URL ? { databaseUrl: cfg.DATABASE_URL } : {}),
  };
}

/** The channels to acknowledge: the configured ones, each of which must be registered, or the descriptors' defaults. */
export function resolveAckChannels(configured: readonly string[] | undefined, channels: ChannelRegistry): string[] {
  if (configured === undefined) return channels.acknowledgedByDefault();
  const unknown = configured.filter((id) => !channels.get(id));
  if (unknown.length > 0) {
    const known = channels.all().map((d) => d.id).join(', ');
    throw new ConfigError('ticket-sink', [`SWITCHBOARD_ACK_CHANNELS: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a registered channel' : 'are not registered channels'} (registered: ${known})`]);
  }
  return [...configured];
}
