-- Bulk replays (src/pipeline/bulk-replay.ts): one row per run, durable so any hub process can see and stop it
-- and a restart neither loses nor repeats it. The messages a run replays are fixed when it starts (the
-- selection its dry run counted), one row each in replay_run_items in arrival order; `position` is how far
-- the run got, moved in the same transaction as each item's outcome.
CREATE TABLE replay_runs (
  id               uuid PRIMARY KEY,
  state            text NOT NULL CHECK (state IN ('running', 'stopped', 'done', 'failed')),
  filter           jsonb NOT NULL,
  force            boolean NOT NULL,
  requested_by     text NOT NULL,
  -- What the dry run counted, and what the selection held when the run started (never more than counted).
  counted          integer NOT NULL,
  expected         integer NOT NULL,
  replayed         integer NOT NULL DEFAULT 0,
  skipped          integer NOT NULL DEFAULT 0,
  position         integer NOT NULL DEFAULT 0,
  rate_per_second  real NOT NULL,
  -- The dry run's time: only messages unchanged since then are in the run.
  as_of            timestamptz NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  finished_at      timestamptz,
  stopped_by       text,
  error            text
);
CREATE INDEX replay_runs_by_time ON replay_runs (created_at DESC, id DESC);
CREATE INDEX replay_runs_running ON replay_runs (created_at) WHERE state = 'running';

CREATE TABLE replay_run_items (
  run_id      uuid NOT NULL REFERENCES replay_runs (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  -- No foreign key: retention may remove a message before its turn; the run then skips it.
  message_id  uuid NOT NULL,
  outcome     text CHECK (outcome IN ('replayed', 'skipped')),
  detail      text,
  at          timestamptz,
  PRIMARY KEY (run_id, position)
);
