import type { Db } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, in order. A migration once released is never edited: add a new one. The SQL is plain
 * PostgreSQL 15 that PGlite (PostgreSQL 17+) runs unchanged.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'contacts, conversations, tickets, messages',
    sql: `
CREATE TABLE contacts (
  id          text PRIMARY KEY,
  channel     text NOT NULL,
  account     text NOT NULL,
  sender_id   text NOT NULL,
  name        text,
  address     text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel, account, sender_id)
);

CREATE TABLE conversations (
  id                text PRIMARY KEY,
  channel           text NOT NULL,
  account           text NOT NULL,
  conversation_key  text NOT NULL,
  contact_id        text REFERENCES contacts (id),
  -- The ticket new messages of this conversation go to (the latest one opened); null before any.
  ticket_id         text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_message_at   timestamptz,
  UNIQUE (channel, account, conversation_key)
);

CREATE SEQUENCE ticket_number_seq;

CREATE TABLE tickets (
  id                       text PRIMARY KEY,
  number                   text NOT NULL UNIQUE,
  seq                      bigint NOT NULL UNIQUE,
  status                   text NOT NULL CHECK (status IN ('open', 'pending', 'resolved')),
  category                 text NOT NULL,
  priority                 text NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
  language                 text NOT NULL,
  channel                  text NOT NULL,
  account                  text NOT NULL,
  conversation_id          text NOT NULL REFERENCES conversations (id),
  contact_id               text REFERENCES contacts (id),
  subject                  text,
  preview                  text NOT NULL DEFAULT '',
  triage                   boolean NOT NULL DEFAULT false,
  confidence               double precision,
  assignee                 text,
  created_at               timestamptz NOT NULL,
  updated_at               timestamptz NOT NULL DEFAULT now(),
  last_message_at          timestamptz NOT NULL,
  resolved_at              timestamptz,
  message_count            integer NOT NULL DEFAULT 0,
  linked_ticket_id         text REFERENCES tickets (id),
  opened_by_message_id     text NOT NULL,
  category_corrected_from  text,
  corrected                boolean NOT NULL DEFAULT false,
  corrected_at             timestamptz,
  ack_outbound_id          text,
  ack_state                text CHECK (ack_state IN ('queued', 'sent', 'failed'))
);

ALTER TABLE conversations ADD CONSTRAINT conversations_ticket_fk FOREIGN KEY (ticket_id) REFERENCES tickets (id);

CREATE INDEX tickets_status_idx ON tickets (status, last_message_at DESC);
CREATE INDEX tickets_conversation_idx ON tickets (conversation_id);
CREATE INDEX tickets_opened_by_idx ON tickets (opened_by_message_id);

CREATE TABLE messages (
  id                     text PRIMARY KEY,
  direction              text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  conversation_id        text NOT NULL REFERENCES conversations (id),
  ticket_id              text REFERENCES tickets (id),
  channel                text NOT NULL,
  account                text NOT NULL,
  conversation_key       text NOT NULL,
  external_id            text,
  sender                 jsonb NOT NULL,
  recipient              jsonb,
  subject                text,
  text                   text NOT NULL,
  attachments            jsonb NOT NULL DEFAULT '[]',
  meta                   jsonb NOT NULL DEFAULT '{}',
  auto_submitted         text,
  sent_at                timestamptz NOT NULL,
  received_at            timestamptz NOT NULL,
  stored_at              timestamptz NOT NULL DEFAULT now(),
  category               text,
  confidence             double precision,
  triage                 boolean,
  priority               text CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
  language               text,
  redactions             jsonb,
  explanation            jsonb,
  classifier_version     text,
  routed_at              timestamptz,
  kind                   text CHECK (kind IN ('reply', 'ack')),
  delivery_state         text CHECK (delivery_state IN ('queued', 'sent', 'failed')),
  delivery_reason        text,
  delivered_external_id  text,
  delivered_at           timestamptz,
  edited_at              timestamptz,
  deleted_at             timestamptz,
  edit_history           jsonb NOT NULL DEFAULT '[]',
  CHECK ((direction = 'outbound') = (kind IS NOT NULL))
);

CREATE INDEX messages_ticket_idx ON messages (ticket_id, sent_at, received_at);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, sent_at, received_at);

-- Every delivery report as received; the latest one is applied to its outbound message, also when the
-- report arrives before the message itself was recorded.
CREATE TABLE deliveries (
  outbound_id  text NOT NULL,
  status       text NOT NULL CHECK (status IN ('sent', 'failed')),
  at           timestamptz NOT NULL,
  ticket_id    text NOT NULL,
  channel      text NOT NULL,
  reason       text,
  external_id  text,
  PRIMARY KEY (outbound_id, status, at)
);
`,
  },
  {
    version: 2,
    name: 'ticket status index without last_message_at',
    // Every stored message moves its ticket's last_message_at. While an index holds that column, each
    // such update writes a new entry into all six ticket indexes; without it the update is HOT (heap
    // only). Measured with test/bench/store-statements.ts: the batch's ticket UPDATE went from ~260 to
    // ~95 ms per 20,000 messages. The price is paid by the console's newest-first list of one status,
    // which now sorts that status's tickets instead of reading them in order: 0.2 → 19 ms for the first
    // 50 of 30,000 open tickets (EXPLAIN ANALYZE on a 100,000-row table, 2026-11-24).
    sql: `
DROP INDEX tickets_status_idx;
CREATE INDEX tickets_status_idx ON tickets (status);
`,
  },
  {
    version: 3,
    name: 'typed thread of a message',
    // The envelope's `thread` (ancestors, a named ticket): what a reply continues and which ticket a
    // message joins, read by the store and the reply builders instead of channel keys in `meta`.
    sql: `
ALTER TABLE messages ADD COLUMN thread jsonb;
`,
  },
  {
    version: 4,
    name: 'events of a conversation',
    // The envelope's `event` (a follow, a menu click, a location report, a session entered): stored on
    // the conversation with no ticket unless it asks for a person (`opensTicket`).
    sql: `
ALTER TABLE messages ADD COLUMN event jsonb;
`,
  },
];

/** Any constant: serializes concurrent migration runs (several sinks starting at once) on one database. */
const MIGRATION_LOCK = 74_221_903;

/**
 * Applies the migrations that are missing, all in one transaction under an advisory lock, and records
 * them in `schema_migrations`. Running it again changes nothing.
 */
export async function migrate(db: Db): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const newlyApplied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}
