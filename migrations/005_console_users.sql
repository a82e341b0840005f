-- The console (src/console/): the people who sign in at /console, and their sessions. A user has one role:
-- ops, integrator, marketing, planning, finance or partner:<id> (the partner must be configured; checked by
-- the CLI when the user is added and again at every sign-in). The password is stored only as an scrypt hash
-- with its salt and parameters (src/console/passwords.ts). Names are unique whatever their case.
CREATE TABLE console_users (
  id             bigserial PRIMARY KEY,
  name           text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
  role           text NOT NULL CHECK (role IN ('ops', 'integrator', 'marketing', 'planning', 'finance') OR role ~ '^partner:[a-z0-9][a-z0-9_-]{0,63}$'),
  password_hash  text NOT NULL,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX console_users_name ON console_users (lower(name));

-- A session is found by the SHA-256 of the id in its cookie: the table never holds a usable cookie. The CSRF
-- token is sent in every form of the session and compared on every POST. A session ends at expires_at, or
-- earlier when last_seen_at is older than console.idleMinutes; removing the user ends it (cascade).
CREATE TABLE console_sessions (
  id_sha256     text PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_sessions_by_user ON console_sessions (user_id);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);
