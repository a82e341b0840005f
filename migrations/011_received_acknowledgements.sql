-- Acknowledgements partners send us (X12 997/999, EDIFACT CONTRL, issue 11): read and kept with what they say and
-- which of our control numbers they name, so the outbound documents (issue 12) can be matched to them. They are
-- not messages: no canonical document, no delivery.
CREATE TABLE received_acknowledgements (
  id                 uuid PRIMARY KEY,
  partner            text NOT NULL,
  interchange_id     uuid NOT NULL REFERENCES interchanges (id) ON DELETE CASCADE,
  kind               text NOT NULL,
  -- The control number it acknowledges: our group's GS06 (997/999) or our interchange's UNB 0020 (CONTRL).
  acknowledges       text NOT NULL,
  -- accepted, accepted with errors, partly rejected, rejected, received (as the acknowledgement says it).
  status             text NOT NULL,
  report             jsonb NOT NULL,
  -- The outbound interchange it acknowledges, once the hub sends documents; null: none of ours matched.
  matched_interchange_id uuid,
  received_at        timestamptz NOT NULL
);
CREATE INDEX received_acknowledgements_by_number ON received_acknowledgements (partner, kind, acknowledges);
CREATE INDEX received_acknowledgements_by_time ON received_acknowledgements (received_at DESC, id DESC);
