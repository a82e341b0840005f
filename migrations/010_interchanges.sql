-- EDI interchanges (issue 11): each posted X12 or EDIFACT interchange as posted, with its envelope facts and
-- what was found in it; its transactions become messages (messages.interchange_id). The same control number
-- from the same sender is a duplicate (the unique constraint), whatever the bytes.
CREATE TABLE interchanges (
  id              uuid PRIMARY KEY,
  partner         text NOT NULL,
  syntax          text NOT NULL CHECK (syntax IN ('x12', 'edifact')),
  sender          text NOT NULL,
  receiver        text NOT NULL,
  control_number  text NOT NULL,
  test            boolean NOT NULL DEFAULT false,
  sha256          text NOT NULL,
  size            integer NOT NULL,
  received_at     timestamptz NOT NULL,
  -- accepted: every transaction became a message; partial: some were rejected; rejected: none, or its envelope.
  status          text NOT NULL CHECK (status IN ('accepted', 'partial', 'rejected')),
  transactions    integer NOT NULL,
  accepted        integer NOT NULL,
  problems        jsonb,
  bytes           bytea,
  CONSTRAINT interchanges_number_unique UNIQUE (partner, syntax, sender, control_number)
);
CREATE INDEX interchanges_by_time ON interchanges (received_at DESC, id DESC);
CREATE INDEX interchanges_by_partner ON interchanges (partner, received_at DESC, id DESC);

ALTER TABLE messages ADD COLUMN interchange_id uuid REFERENCES interchanges (id) ON DELETE SET NULL;
CREATE INDEX messages_by_interchange ON messages (interchange_id) WHERE interchange_id IS NOT NULL;

-- Control numbers the hub assigns to what it sends a partner (acknowledgements now, documents later): per
-- partner, syntax and kind, increasing and gap-free, taken in the transaction that stores what carries them.
CREATE TABLE control_numbers (
  partner  text NOT NULL,
  syntax   text NOT NULL,
  kind     text NOT NULL CHECK (kind IN ('interchange', 'group', 'transaction')),
  last     bigint NOT NULL,
  PRIMARY KEY (partner, syntax, kind)
);

-- Acknowledgements built for an interchange (997, 999, TA1, CONTRL), stored with it.
CREATE TABLE acknowledgements (
  id              uuid PRIMARY KEY,
  interchange_id  uuid NOT NULL REFERENCES interchanges (id) ON DELETE CASCADE,
  partner         text NOT NULL,
  kind            text NOT NULL,
  control_number  text NOT NULL,
  status          text NOT NULL,
  content         text NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX acknowledgements_by_interchange ON acknowledgements (interchange_id);

-- The partner mailbox (GET /v1/partner/messages): what the hub has for a partner to fetch, leased on fetch and
-- kept (without its body) after the partner's ack, as the ERP's outbox is.
CREATE TABLE partner_mailbox (
  id               uuid PRIMARY KEY,
  partner          text NOT NULL,
  kind             text NOT NULL,
  document_type    text NOT NULL,
  document_number  text NOT NULL,
  content_type     text NOT NULL,
  document         text,
  interchange_id   uuid REFERENCES interchanges (id) ON DELETE CASCADE,
  created_at       timestamptz NOT NULL,
  available_at     timestamptz NOT NULL,
  delivery_count   integer NOT NULL DEFAULT 0,
  acked_at         timestamptz
);
CREATE INDEX partner_mailbox_ready ON partner_mailbox (partner, available_at) WHERE acked_at IS NULL;
