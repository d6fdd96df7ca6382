import { migrate, type Db, type Migration } from '@switchboard/db';

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
  status       text NOT NULL CHECK (status IN ('sent', 'failed', 'delivered', 'read')),
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
    name: 'the live event feed, status history, first responses, reply authors',
    // Written by triggers, so every writer (the sink, the read API, a replay from the CLI) feeds the
    // console's live view and the SLA clocks the same way. Statement-level with transition tables: one
    // INSERT of events per statement however many rows it wrote, which keeps the sink set-based.
    sql: `
CREATE TABLE events (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  type       text NOT NULL,
  ticket_id  text,
  data       jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE ticket_status_history (
  ticket_id  text NOT NULL,
  status     text NOT NULL,
  at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ticket_status_history_idx ON ticket_status_history (ticket_id, at);

ALTER TABLE tickets ADD COLUMN first_response_at timestamptz;
ALTER TABLE messages ADD COLUMN author jsonb;

CREATE FUNCTION events_of_new_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, ticket_id, data)
    SELECT 'message', n.ticket_id,
           jsonb_build_object('messageId', n.id, 'direction', n.direction, 'kind', n.kind, 'category', t.category, 'assignee', t.assignee)
    FROM new_messages n LEFT JOIN tickets t ON t.id = n.ticket_id;
  UPDATE tickets t SET first_response_at = f.at
    FROM (SELECT ticket_id, min(sent_at) AS at FROM new_messages WHERE direction = 'outbound' AND kind = 'reply' AND ticket_id IS NOT NULL GROUP BY ticket_id) f
    WHERE t.id = f.ticket_id AND t.first_response_at IS NULL;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_inserted AFTER INSERT ON messages REFERENCING NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION events_of_new_messages();

CREATE FUNCTION events_of_changed_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, ticket_id, data)
    SELECT 'message.changed', n.ticket_id,
           jsonb_build_object('messageId', n.id, 'deliveryState', n.delivery_state, 'category', t.category, 'assignee', t.assignee)
    FROM new_messages n JOIN old_messages o ON o.id = n.id LEFT JOIN tickets t ON t.id = n.ticket_id
    WHERE n.delivery_state IS DISTINCT FROM o.delivery_state OR n.text IS DISTINCT FROM o.text OR n.deleted_at IS DISTINCT FROM o.deleted_at;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_changed AFTER UPDATE ON messages REFERENCING OLD TABLE AS old_messages NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION events_of_changed_messages();

CREATE FUNCTION events_of_new_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, ticket_id, data)
    SELECT 'ticket.opened', n.id, jsonb_build_object('number', n.number, 'status', n.status, 'category', n.category, 'priority', n.priority, 'assignee', n.assignee)
    FROM new_tickets n;
  INSERT INTO ticket_status_history (ticket_id, status) SELECT id, status FROM new_tickets;
  RETURN NULL;
END
$$;
CREATE TRIGGER tickets_inserted AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_tickets
  FOR EACH STATEMENT EXECUTE FUNCTION events_of_new_tickets();

-- Only what people follow: status, assignee, category, priority. A new message moving
-- last_message_at is the message's own event.
CREATE FUNCTION events_of_changed_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, ticket_id, data)
    SELECT 'ticket.changed', n.id,
           jsonb_build_object('number', n.number, 'status', n.status, 'category', n.category, 'priority', n.priority, 'assignee', n.assignee,
             'previousAssignee', o.assignee, 'previousCategory', o.category)
    FROM new_tickets n JOIN old_tickets o ON o.id = n.id
    WHERE (n.status, n.assignee, n.category, n.priority) IS DISTINCT FROM (o.status, o.assignee, o.category, o.priority);
  INSERT INTO ticket_status_history (ticket_id, status)
    SELECT n.id, n.status FROM new_tickets n JOIN old_tickets o ON o.id = n.id WHERE n.status IS DISTINCT FROM o.status;
  RETURN NULL;
END
$$;
CREATE TRIGGER tickets_changed AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_tickets NEW TABLE AS new_tickets
  FOR EACH STATEMENT EXECUTE FUNCTION events_of_changed_tickets();

INSERT INTO ticket_status_history (ticket_id, status, at) SELECT id, status, created_at FROM tickets;
UPDATE tickets t SET first_response_at = f.at
  FROM (SELECT ticket_id, min(sent_at) AS at FROM messages WHERE direction = 'outbound' AND kind = 'reply' AND ticket_id IS NOT NULL GROUP BY ticket_id) f
  WHERE t.id = f.ticket_id;
`,
  },
  {
    version: 5,
    name: 'delivered and read receipts',
    // Channels that report receipts (Meta's delivery and read webhooks, WhatsApp's statuses) say more
    // after `sent`: the customer's device has the message, then the customer opened it.
    sql: `
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check,
  ADD CONSTRAINT deliveries_status_check CHECK (status IN ('sent', 'failed', 'delivered', 'read'));
ALTER TABLE messages DROP CONSTRAINT messages_delivery_state_check,
  ADD CONSTRAINT messages_delivery_state_check CHECK (delivery_state IN ('queued', 'sent', 'failed', 'delivered', 'read'));
ALTER TABLE tickets DROP CONSTRAINT tickets_ack_state_check,
  ADD CONSTRAINT tickets_ack_state_check CHECK (ack_state IN ('queued', 'sent', 'failed', 'delivered', 'read'));
`,
  },
  {
    version: 6,
    name: 'suspect senders, spam, delivery reports by the channel id of what was sent',
    // A sender its connector marked suspect (a forged-looking address) is a contact of its own, never the
    // real one with the same id. Spam verdicts are kept on the message and on the ticket it opened (agents
    // filter by it). A report that names what was sent only by the channel's id (a bounce naming our
    // Message-ID) finds its outbound message by that id; one that arrives before the report carrying the
    // id waits in unmatched_deliveries.
    sql: `
ALTER TABLE contacts ADD COLUMN suspect boolean NOT NULL DEFAULT false;
ALTER TABLE contacts ADD COLUMN flags jsonb;
ALTER TABLE contacts DROP CONSTRAINT contacts_channel_account_sender_id_key;
ALTER TABLE contacts ADD CONSTRAINT contacts_identity_key UNIQUE (channel, account, sender_id, suspect);
ALTER TABLE messages ADD COLUMN spam jsonb;
ALTER TABLE tickets ADD COLUMN spam jsonb;
ALTER TABLE deliveries ALTER COLUMN ticket_id DROP NOT NULL;
CREATE INDEX messages_delivered_external_idx ON messages (channel, delivered_external_id) WHERE delivered_external_id IS NOT NULL;
CREATE INDEX deliveries_external_idx ON deliveries (channel, external_id) WHERE external_id IS NOT NULL;
CREATE TABLE unmatched_deliveries (
  channel      text NOT NULL,
  external_id  text NOT NULL,
  status       text NOT NULL CHECK (status IN ('sent', 'failed', 'delivered', 'read')),
  at           timestamptz NOT NULL,
  reason       text,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, external_id, status, at)
);
`,
  },
  {
    version: 7,
    name: 'phone numbers of contacts, calls on messages, tasks on tickets',
    // A sender's E.164 number (the envelope's sender.phone) links one customer's conversations across
    // channels; a message's typed call (direction, outcome, duration, who answered); follow-ups agents
    // record on a ticket when the channel carries no reply (call the customer back).
    sql: `
ALTER TABLE contacts ADD COLUMN phone text;
CREATE INDEX contacts_phone_idx ON contacts (phone) WHERE phone IS NOT NULL;
ALTER TABLE messages ADD COLUMN call jsonb;
CREATE TABLE ticket_tasks (
  id          text PRIMARY KEY,
  ticket_id   text NOT NULL REFERENCES tickets (id),
  text        text NOT NULL,
  created_at  timestamptz NOT NULL,
  done_at     timestamptz
);
CREATE INDEX ticket_tasks_ticket_idx ON ticket_tasks (ticket_id, created_at);
`,
  },
  {
    version: 8,
    name: 'events of a conversation',
    // The envelope's `event` (a follow, a menu click, a location report, a session entered): stored on
    // the conversation with no ticket unless it asks for a person (`opensTicket`).
    sql: `
ALTER TABLE messages ADD COLUMN event jsonb;
`,
  },
  {
    version: 9,
    name: 'corrections: each human change of a category or priority',
    // One row per change, so a correction keeps who made it and when, and an admin can exclude it
    // from training. The category corrections tickets recorded before are carried over (who: unknown).
    sql: `
CREATE TABLE corrections (
  id                  text PRIMARY KEY,
  seq                 bigint GENERATED ALWAYS AS IDENTITY,
  ticket_id           text NOT NULL REFERENCES tickets (id),
  message_id          text NOT NULL REFERENCES messages (id),
  field               text NOT NULL CHECK (field IN ('category', 'priority')),
  from_value          text NOT NULL,
  to_value            text NOT NULL,
  classifier_version  text,
  corrected_by        text,
  corrected_at        timestamptz NOT NULL DEFAULT now(),
  excluded            boolean NOT NULL DEFAULT false,
  excluded_by         text,
  excluded_at         timestamptz,
  exclusion_reason    text
);
CREATE INDEX corrections_order_idx ON corrections (corrected_at, seq);

INSERT INTO corrections (id, ticket_id, message_id, field, from_value, to_value, classifier_version, corrected_at)
SELECT 'cor_' || md5(t.id || ':category'), t.id, t.opened_by_message_id, 'category', t.category_corrected_from, t.category,
       m.classifier_version, COALESCE(t.corrected_at, t.updated_at)
FROM tickets t JOIN messages m ON m.id = t.opened_by_message_id
WHERE t.corrected AND t.category_corrected_from IS NOT NULL AND t.category_corrected_from <> t.category
ORDER BY t.corrected_at, t.seq;
`,
  },
  {
    version: 10,
    name: 'entities of a message',
    // What the router read in the text (amounts, ids, times, cards, counterparties): the ticket view
    // matches them against the wallet's ledger.
    sql: `
ALTER TABLE messages ADD COLUMN entities jsonb;
`,
  },
];

/** The ticket store's migrations, recorded in `schema_migrations`. */
export function migrateTicketStore(db: Db): Promise<number[]> {
  return migrate(db, { table: 'schema_migrations', lock: 74_221_903, migrations: MIGRATIONS });
}
