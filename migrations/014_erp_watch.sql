-- ERP watch (issue 12): an adapter that watches the ERP for the documents that go out to partners (purchases,
-- order responses, shipment notices, invoices) keeps where it stands here, one row per adapter instance. The
-- cursor is the adapter's own (opaque to the hub) and is written only after every document of the page it ends
-- was stored, so a crash repeats a poll (the intake takes each source id once) and never skips one.
CREATE TABLE erp_watch_cursors (
  adapter     text PRIMARY KEY,
  cursor      text NOT NULL,
  polled_at   timestamptz NOT NULL DEFAULT now(),
  -- What the last stored page held: documents accepted, seen before, refused.
  accepted    integer NOT NULL DEFAULT 0,
  duplicates  integer NOT NULL DEFAULT 0,
  refused     integer NOT NULL DEFAULT 0
);

-- What the hub refused of what a watch found (no partner for the party, an invalid document, other content under a
-- source id already taken): recorded once per record and reason, with the document, and not retried; the record is
-- looked at again only when the ERP writes it again (and refused again, `times` counting, unless it now fits).
CREATE TABLE erp_watch_refusals (
  adapter        text NOT NULL,
  source_id      text NOT NULL,
  code           text NOT NULL,
  detail         text NOT NULL,
  errors         jsonb,
  document_type  text,
  document_number text,
  document       jsonb NOT NULL,
  first_at       timestamptz NOT NULL DEFAULT now(),
  last_at        timestamptz NOT NULL DEFAULT now(),
  times          integer NOT NULL DEFAULT 1,
  PRIMARY KEY (adapter, source_id, code)
);
CREATE INDEX erp_watch_refusals_by_time ON erp_watch_refusals (last_at DESC);
