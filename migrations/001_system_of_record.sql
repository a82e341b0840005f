-- The hub's system of record. Every table lives in the hub's schema (database.schema, default "hub"); the
-- migration runner (src/db/migrate.ts) sets search_path to it and applies each file once, in order, under an
-- advisory lock. Never edit an applied file: add the next one.

-- One row per accepted document. The two unique constraints are the duplicate rules: the same bytes from the
-- same partner, and the same number of the same type from the same sending party of the same partner
-- (a revision, when the partner's duplicateNumbers option is "revision", takes the next revision number).
CREATE TABLE messages (
  id              uuid PRIMARY KEY,
  partner         text NOT NULL,
  format          text NOT NULL,
  document_type   text NOT NULL,
  document_number text NOT NULL,
  sending_party   text NOT NULL,
  revision        integer NOT NULL DEFAULT 0,
  revision_of     uuid REFERENCES messages (id) ON DELETE SET NULL,
  sha256          text NOT NULL,
  size            integer NOT NULL,
  content_type    text,
  status          text NOT NULL CHECK (status IN ('accepted', 'processing', 'delivered', 'failed')),
  received_at     timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  routes          jsonb,
  error           jsonb,
  replays         integer NOT NULL DEFAULT 0,
  -- When the transform last finished (null: never, or a replay asked for it again): the sweeper's clue.
  transformed_at  timestamptz,
  raw_removed_at  timestamptz,
  CONSTRAINT messages_number_unique UNIQUE (partner, document_type, sending_party, document_number, revision),
  CONSTRAINT messages_bytes_unique UNIQUE (partner, sha256)
);
-- Keyset paging (received_at, id) newest first, overall and per filter.
CREATE INDEX messages_by_time ON messages (received_at DESC, id DESC);
CREATE INDEX messages_by_partner ON messages (partner, received_at DESC, id DESC);
CREATE INDEX messages_by_type ON messages (document_type, received_at DESC, id DESC);
CREATE INDEX messages_by_status ON messages (status, received_at DESC, id DESC);
CREATE INDEX messages_in_flight ON messages (updated_at) WHERE status IN ('accepted', 'processing');

-- The bytes as posted, apart from the record so retention can drop them sooner (retention.rawDays).
CREATE TABLE message_raw (
  message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  bytes      bytea NOT NULL
);

CREATE TABLE message_canonical (
  message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  canonical  jsonb NOT NULL
);

CREATE TABLE message_history (
  id         bigserial PRIMARY KEY,
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  at         timestamptz NOT NULL,
  step       text NOT NULL,
  status     text,
  adapter    text,
  detail     text,
  error      jsonb
);
CREATE INDEX message_history_by_message ON message_history (message_id, id);

-- One row per routed adapter: pending until the adapter confirmed, then delivered (never twice) or failed.
CREATE TABLE deliveries (
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  adapter    text NOT NULL,
  status     text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  reference  text,
  at         timestamptz NOT NULL,
  error      text,
  PRIMARY KEY (message_id, adapter)
);

-- Every business key a document carries (its number, the order it refers to, party ids ...), one indexed
-- table so a search by any of them is one index lookup.
CREATE TABLE business_keys (
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  kind       text NOT NULL,
  value      text NOT NULL,
  PRIMARY KEY (value, kind, message_id)
);
CREATE INDEX business_keys_by_message ON business_keys (message_id);

-- ShipNotice -> Order, Invoice -> Order, Invoice -> ShipNotice, revision -> first: made from business keys
-- when either side arrives.
CREATE TABLE document_links (
  from_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  to_id   uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  kind    text NOT NULL,
  PRIMARY KEY (from_id, to_id, kind)
);
CREATE INDEX document_links_to ON document_links (to_id);

-- Documents refused at the intake, with the bytes as posted and why.
CREATE TABLE refusals (
  id              uuid PRIMARY KEY,
  received_at     timestamptz NOT NULL,
  partner         text NOT NULL,
  address         text,
  http_status     integer NOT NULL,
  code            text NOT NULL,
  detail          text NOT NULL,
  errors          jsonb,
  format          text,
  document_type   text,
  document_number text,
  original_id     uuid,
  content_type    text,
  size            integer NOT NULL,
  bytes           bytea
);
CREATE INDEX refusals_by_time ON refusals (received_at DESC, id DESC);
CREATE INDEX refusals_by_partner ON refusals (partner, received_at DESC, id DESC);
CREATE INDEX refusals_by_number ON refusals (document_number) WHERE document_number IS NOT NULL;
CREATE INDEX refusals_by_code ON refusals (code, received_at DESC, id DESC);

CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL,
  event      text NOT NULL,
  actor      text NOT NULL,
  address    text,
  message_id uuid,
  code       text,
  detail     text
);
CREATE INDEX audit_log_by_event ON audit_log (event, id DESC);
CREATE INDEX audit_log_by_actor ON audit_log (actor, id DESC);
CREATE INDEX audit_log_by_message ON audit_log (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX audit_log_by_time ON audit_log (at);

-- The ERP outbox (adapter "outbox"): one row per (message, module). A fetch leases rows with
-- FOR UPDATE SKIP LOCKED; an ack keeps the row (acked_at) so a late retry of the same delivery cannot put it
-- back, until retention removes the message.
CREATE TABLE outbox (
  id             text PRIMARY KEY,
  adapter        text NOT NULL,
  document_id    uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  type           text NOT NULL,
  module         text NOT NULL,
  canonical      jsonb,
  created_at     timestamptz NOT NULL,
  available_at   timestamptz NOT NULL,
  delivery_count integer NOT NULL DEFAULT 0,
  acked_at       timestamptz
);
CREATE INDEX outbox_ready ON outbox (adapter, module, available_at) WHERE acked_at IS NULL;
CREATE INDEX outbox_by_document ON outbox (document_id);

-- What each retention run removed.
CREATE TABLE retention_runs (
  id          bigserial PRIMARY KEY,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  removed     jsonb,
  error       text
);
