import { migrate, type Db, type Migration } from '@switchboard/db';

/** The team's tables, beside the ticket store's in the same database, recorded in `team_migrations`. */
export const TEAM_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, teams, sessions, API tokens, setup links, the audit trail',
    sql: `
CREATE TABLE users (
  id             text PRIMARY KEY,
  email          text NOT NULL UNIQUE CHECK (email = lower(email)),
  name           text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent', 'analyst')),
  password_hash  text,
  oidc_issuer    text,
  oidc_subject   text,
  capacity       integer NOT NULL DEFAULT 5 CHECK (capacity > 0),
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz,
  UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE teams (
  id          text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  categories  jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE team_members (
  team_id  text NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  user_id  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (team_id, user_id)
);

-- Only a hash of a session or API token is kept: a copy of the table signs nobody in.
CREATE TABLE sessions (
  token_hash    text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  ip            text,
  user_agent    text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL,
  token_hash    text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

CREATE TABLE setup_links (
  token_hash  text PRIMARY KEY,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);

CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id     text,
  actor_email  text,
  action       text NOT NULL,
  target       text,
  details      jsonb NOT NULL DEFAULT '{}',
  ip           text,
  user_agent   text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- Append-only in the database itself, whatever code runs against it.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
`,
  },
];

export function migrateTeam(db: Db): Promise<number[]> {
  return migrate(db, { table: 'team_migrations', lock: 74_221_904, migrations: TEAM_MIGRATIONS });
}
