-- Outbound documents (issue 12): what the ERP hands the hub for a partner. Each is a message like an inbound
-- document (direction 'outbound'): its raw bytes are the ERP's canonical JSON, its transform step builds the
-- partner's document (the reverse mapping), its one delivery (target "partner@<id>") is the send through the
-- partner's transport; so the sweeper, retries, replays, business keys, chains and summaries apply as they are.
ALTER TABLE messages ADD COLUMN direction text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound'));
CREATE INDEX messages_outbound_by_time ON messages (received_at DESC, id DESC) WHERE direction = 'outbound';

-- The outbound side of such a message: where it came from (the ERP's own id: the idempotency key), the document
-- built for the partner with the control numbers it carries (built once: a retry or replay sends the same bytes
-- and numbers), when it was sent, and the partner's acknowledgement: expected which, by when, and what it said.
CREATE TABLE outbound_documents (
  message_id          uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  partner             text NOT NULL,
  -- 'erp' (POST /v1/erp/documents) or the adapter that watched the ERP for it (e.g. 'tryton').
  source              text NOT NULL,
  source_id           text NOT NULL,
  syntax              text NOT NULL CHECK (syntax IN ('xml', 'x12', 'edifact')),
  content_type        text,
  body                text,
  built_at            timestamptz,
  interchange_number  text,
  group_number        text,
  transaction_number  text,
  sent_at             timestamptz,
  send_reference      text,
  ack_expected        text NOT NULL CHECK (ack_expected IN ('997', '999', 'contrl', 'cxml', 'http')),
  ack_due_at          timestamptz,
  -- null until sent; pending: sent, its acknowledgement not yet in; then what the partner said.
  ack_status          text CHECK (ack_status IN ('pending', 'accepted', 'accepted-with-errors', 'rejected')),
  ack_at              timestamptz,
  ack_detail          jsonb,
  CONSTRAINT outbound_source_unique UNIQUE (source, source_id)
);
CREATE INDEX outbound_by_group ON outbound_documents (partner, syntax, group_number) WHERE group_number IS NOT NULL;
CREATE INDEX outbound_by_interchange ON outbound_documents (partner, syntax, interchange_number) WHERE interchange_number IS NOT NULL;
CREATE INDEX outbound_ack_pending ON outbound_documents (ack_due_at) WHERE ack_status = 'pending';
