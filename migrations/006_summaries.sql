-- The department summaries of the console (issue 10): sales, purchases, receipts, payables and receivables,
-- read from fact tables written with the canonical document (MessageStore.saveCanonical, same transaction) and
-- from daily rollups kept exact by triggers on the fact tables, so a page over a year reads a few thousand
-- rollup rows instead of summing jsonb over message_canonical.
--
-- What counts (the rules the summaries and the test's direct SQL sum share):
--  * a document counts when its canonical document exists (whatever its delivery status: a failed delivery is
--    still a document the partner sent and the hub mapped); one never mapped has no canonical and no facts;
--  * of the revisions of one number (same partner, type, sending party and number) only the latest that has a
--    canonical document counts: a revision replaces the earlier one;
--  * a replay writes the same facts again (delete, then insert, per number group): never counted twice;
--  * the kind comes from the direction: seller.internalId 'SELF' makes an Order a sale and an Invoice a
--    receivable; otherwise buyer.internalId 'SELF' makes an Order a purchase, a ShipNotice a receipt and an
--    Invoice a payable. Documents with neither (and ShipNotices we send) have no facts;
--  * the day is the issue date; a document whose issue date is not a calendar date has no facts.

-- One row per counted document.
CREATE TABLE summary_documents (
  message_id      uuid PRIMARY KEY REFERENCES messages (id) DEFERRABLE INITIALLY DEFERRED,
  kind            text NOT NULL CHECK (kind IN ('sale', 'purchase', 'receipt', 'payable', 'receivable')),
  day             date NOT NULL,
  partner         text NOT NULL,
  -- The counterparty's internal id (the buyer of a sale or receivable, the seller otherwise) and its name.
  party           text NOT NULL,
  party_name      text,
  document_type   text NOT NULL,
  document_number text NOT NULL,
  -- '' when the document states no currency (shipment notices).
  currency        text NOT NULL,
  -- totals.payableAmount of orders and invoices; null for shipment notices.
  total           numeric,
  -- The sum of the stated line amounts (a line without one counts 0).
  net             numeric NOT NULL,
  due_date        date,
  lines           integer NOT NULL,
  quantity        numeric NOT NULL
);
CREATE INDEX summary_documents_by_day ON summary_documents (kind, day DESC, message_id DESC);
CREATE INDEX summary_documents_by_party ON summary_documents (kind, party, day DESC, message_id DESC);

-- One row per line of a counted document.
CREATE TABLE summary_lines (
  message_id           uuid NOT NULL REFERENCES messages (id) DEFERRABLE INITIALLY DEFERRED,
  line_index           integer NOT NULL,
  kind                 text NOT NULL,
  day                  date NOT NULL,
  party                text NOT NULL,
  sku                  text NOT NULL,
  unit                 text NOT NULL,
  quantity             numeric NOT NULL,
  amount               numeric,
  currency             text NOT NULL,
  order_reference      text,
  order_line_reference text,
  PRIMARY KEY (message_id, line_index)
);
CREATE INDEX summary_lines_by_sku ON summary_lines (kind, sku, day DESC, message_id DESC);

-- Daily rollups, exact sums of the fact tables (triggers below). A row whose count reaches 0 is removed.
CREATE TABLE summary_daily_items (
  kind     text NOT NULL,
  day      date NOT NULL,
  party    text NOT NULL,
  sku      text NOT NULL,
  unit     text NOT NULL,
  currency text NOT NULL,
  quantity numeric NOT NULL,
  amount   numeric NOT NULL,
  lines    bigint NOT NULL,
  PRIMARY KEY (kind, day, party, sku, unit, currency)
);

CREATE TABLE summary_daily_documents (
  kind      text NOT NULL,
  day       date NOT NULL,
  party     text NOT NULL,
  currency  text NOT NULL,
  due_date  date,
  documents bigint NOT NULL,
  total     numeric NOT NULL,
  net       numeric NOT NULL,
  quantity  numeric NOT NULL,
  CONSTRAINT summary_daily_documents_key UNIQUE NULLS NOT DISTINCT (kind, day, party, currency, due_date)
);

-- The rollup triggers: statement-level, set-based over the transition tables. Keys are taken in their sort
-- order so two transactions touching the same rollup rows lock them in the same order.
CREATE FUNCTION summary_lines_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_daily_items AS r (kind, day, party, sku, unit, currency, quantity, amount, lines)
  SELECT kind, day, party, sku, unit, currency, sum(quantity), sum(coalesce(amount, 0)), count(*)
    FROM added GROUP BY kind, day, party, sku, unit, currency ORDER BY kind, day, party, sku, unit, currency
  ON CONFLICT (kind, day, party, sku, unit, currency) DO UPDATE
     SET quantity = r.quantity + EXCLUDED.quantity, amount = r.amount + EXCLUDED.amount, lines = r.lines + EXCLUDED.lines;
  RETURN NULL;
END $$;

CREATE FUNCTION summary_lines_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM summary_daily_items r
    JOIN (SELECT DISTINCT kind, day, party, sku, unit, currency FROM removed) g USING (kind, day, party, sku, unit, currency)
   ORDER BY r.kind, r.day, r.party, r.sku, r.unit, r.currency FOR UPDATE OF r;
  UPDATE summary_daily_items r
     SET quantity = r.quantity - g.quantity, amount = r.amount - g.amount, lines = r.lines - g.lines
    FROM (SELECT kind, day, party, sku, unit, currency, sum(quantity) AS quantity, sum(coalesce(amount, 0)) AS amount, count(*) AS lines
            FROM removed GROUP BY kind, day, party, sku, unit, currency) g
   WHERE (r.kind, r.day, r.party, r.sku, r.unit, r.currency) = (g.kind, g.day, g.party, g.sku, g.unit, g.currency);
  DELETE FROM summary_daily_items r USING (SELECT DISTINCT kind, day, party, sku, unit, currency FROM removed) g
   WHERE (r.kind, r.day, r.party, r.sku, r.unit, r.currency) = (g.kind, g.day, g.party, g.sku, g.unit, g.currency) AND r.lines = 0;
  RETURN NULL;
END $$;

CREATE FUNCTION summary_documents_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_daily_documents AS r (kind, day, party, currency, due_date, documents, total, net, quantity)
  SELECT kind, day, party, currency, due_date, count(*), sum(coalesce(total, 0)), sum(net), sum(quantity)
    FROM added GROUP BY kind, day, party, currency, due_date ORDER BY kind, day, party, currency, due_date
  ON CONFLICT ON CONSTRAINT summary_daily_documents_key DO UPDATE
     SET documents = r.documents + EXCLUDED.documents, total = r.total + EXCLUDED.total, net = r.net + EXCLUDED.net,
         quantity = r.quantity + EXCLUDED.quantity;
  RETURN NULL;
END $$;

CREATE FUNCTION summary_documents_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM summary_daily_documents r
    JOIN (SELECT DISTINCT kind, day, party, currency, due_date FROM removed) g
      ON (r.kind, r.day, r.party, r.currency) = (g.kind, g.day, g.party, g.currency) AND r.due_date IS NOT DISTINCT FROM g.due_date
   ORDER BY r.kind, r.day, r.party, r.currency, r.due_date FOR UPDATE OF r;
  UPDATE summary_daily_documents r
     SET documents = r.documents - g.documents, total = r.total - g.total, net = r.net - g.net, quantity = r.quantity - g.quantity
    FROM (SELECT kind, day, party, currency, due_date, count(*) AS documents, sum(coalesce(total, 0)) AS total, sum(net) AS net, sum(quantity) AS quantity
            FROM removed GROUP BY kind, day, party, currency, due_date) g
   WHERE (r.kind, r.day, r.party, r.currency) = (g.kind, g.day, g.party, g.currency) AND r.due_date IS NOT DISTINCT FROM g.due_date;
  DELETE FROM summary_daily_documents r USING (SELECT DISTINCT kind, day, party, currency, due_date FROM removed) g
   WHERE (r.kind, r.day, r.party, r.currency) = (g.kind, g.day, g.party, g.currency) AND r.due_date IS NOT DISTINCT FROM g.due_date
     AND r.documents = 0;
  RETURN NULL;
END $$;

CREATE TRIGGER summary_lines_added AFTER INSERT ON summary_lines REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION summary_lines_added();
CREATE TRIGGER summary_lines_removed AFTER DELETE ON summary_lines REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION summary_lines_removed();
CREATE TRIGGER summary_documents_added AFTER INSERT ON summary_documents REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION summary_documents_added();
CREATE TRIGGER summary_documents_removed AFTER DELETE ON summary_documents REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION summary_documents_removed();

-- Fact rows are written and removed, never changed: a change would escape the rollups.
CREATE FUNCTION summary_facts_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'summary fact rows are never updated: delete and insert them (summary_refresh)';
END $$;
CREATE TRIGGER summary_lines_immutable BEFORE UPDATE ON summary_lines FOR EACH STATEMENT EXECUTE FUNCTION summary_facts_immutable();
CREATE TRIGGER summary_documents_immutable BEFORE UPDATE ON summary_documents FOR EACH STATEMENT EXECUTE FUNCTION summary_facts_immutable();

-- A calendar date, or null (never an error: a bad date must not fail the transform that saves the canonical).
CREATE FUNCTION summary_date(text) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF $1 IS NULL OR $1 !~ '^\d{4}-\d{2}-\d{2}$' THEN RETURN NULL; END IF;
  RETURN $1::date;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- A JSON number as numeric, or null.
CREATE FUNCTION summary_number(jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof($1) = 'number' THEN ($1 #>> '{}')::numeric END
$$;

-- The documents that count, with their kind, day and counterparty, read from message_canonical.
CREATE VIEW summary_source AS
SELECT m.id AS message_id, k.kind, summary_date(c.canonical ->> 'issueDate') AS day, m.partner,
       coalesce(p.party -> 'internalId' #>> '{}', '') AS party, p.party ->> 'name' AS party_name,
       c.canonical ->> 'type' AS document_type, m.document_number, coalesce(c.canonical ->> 'currency', '') AS currency,
       CASE WHEN c.canonical ->> 'type' <> 'ShipNotice' THEN summary_number(c.canonical -> 'totals' -> 'payableAmount') END AS total,
       summary_date(c.canonical ->> 'dueDate') AS due_date, c.canonical
  FROM messages m
  JOIN message_canonical c ON c.message_id = m.id
 CROSS JOIN LATERAL (
   SELECT CASE WHEN c.canonical -> 'seller' ->> 'internalId' = 'SELF' THEN
                 CASE c.canonical ->> 'type' WHEN 'Order' THEN 'sale' WHEN 'Invoice' THEN 'receivable' END
               WHEN c.canonical -> 'buyer' ->> 'internalId' = 'SELF' THEN
                 CASE c.canonical ->> 'type' WHEN 'Order' THEN 'purchase' WHEN 'ShipNotice' THEN 'receipt' WHEN 'Invoice' THEN 'payable' END
          END AS kind) k
 CROSS JOIN LATERAL (SELECT CASE WHEN k.kind IN ('sale', 'receivable') THEN c.canonical -> 'buyer' ELSE c.canonical -> 'seller' END AS party) p
 WHERE k.kind IS NOT NULL
   AND summary_date(c.canonical ->> 'issueDate') IS NOT NULL
   -- Only the latest revision with a canonical document counts.
   AND NOT EXISTS (SELECT 1 FROM messages n JOIN message_canonical nc ON nc.message_id = n.id
                    WHERE n.partner = m.partner AND n.document_type = m.document_type AND n.sending_party = m.sending_party
                      AND n.document_number = m.document_number AND n.revision > m.revision);

-- Writes the facts of the given messages (those of them that count), or of every stored document when ids is null.
CREATE FUNCTION summary_insert_facts(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_lines (message_id, line_index, kind, day, party, sku, unit, quantity, amount, currency, order_reference, order_line_reference)
  SELECT s.message_id, l.n, s.kind, s.day, s.party, coalesce(l.line ->> 'sku', ''), coalesce(l.line ->> 'unitCode', ''),
         coalesce(summary_number(l.line -> 'quantity'), 0), summary_number(l.line -> 'lineAmount'), s.currency,
         s.canonical ->> 'orderReference', l.line ->> 'orderLineReference'
    FROM summary_source s
   CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.canonical -> 'lines') = 'array' THEN s.canonical -> 'lines' ELSE '[]' END)
         WITH ORDINALITY AS l (line, n)
   WHERE ids IS NULL OR s.message_id = ANY (ids);
  INSERT INTO summary_documents (message_id, kind, day, partner, party, party_name, document_type, document_number, currency, total, net, due_date, lines, quantity)
  SELECT s.message_id, s.kind, s.day, s.partner, s.party, s.party_name, s.document_type, s.document_number, s.currency, s.total,
         coalesce(x.net, 0), s.due_date, coalesce(x.lines, 0), coalesce(x.quantity, 0)
    FROM summary_source s
    LEFT JOIN LATERAL (SELECT sum(coalesce(summary_number(l -> 'lineAmount'), 0)) AS net, count(*)::integer AS lines,
                              sum(coalesce(summary_number(l -> 'quantity'), 0)) AS quantity
                         FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.canonical -> 'lines') = 'array' THEN s.canonical -> 'lines' ELSE '[]' END) AS l) x ON true
   WHERE ids IS NULL OR s.message_id = ANY (ids);
END $$;

-- Recomputes the facts of every revision group (partner, type, sending party, number) the messages belong to:
-- the group's facts go, then those of its latest revision with a canonical document are written. Called by
-- saveCanonical for its message (a first save, a replay, a revision) and after messages are deleted.
CREATE FUNCTION summary_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  members uuid[];
BEGIN
  -- One refresh of a group at a time (two revisions mapped at once would each write the facts of the latest it
  -- sees, and both would count); the next statements read what the one before committed.
  PERFORM pg_advisory_xact_lock(k)
     FROM (SELECT DISTINCT hashtextextended(concat_ws(E'\x1f', 'summary', current_schema(), partner, document_type, sending_party, document_number), 0) AS k
             FROM messages WHERE id = ANY (ids)) g
    ORDER BY k;
  SELECT array_agg(DISTINCT g.id ORDER BY g.id) INTO members
    FROM messages m JOIN messages g USING (partner, document_type, sending_party, document_number)
   WHERE m.id = ANY (ids);
  IF members IS NULL THEN RETURN; END IF;
  DELETE FROM summary_lines WHERE message_id = ANY (members);
  DELETE FROM summary_documents WHERE message_id = ANY (members);
  PERFORM summary_insert_facts(members);
END $$;

-- Removing messages (retention) removes their facts, and the rollups follow by trigger: one set-based delete per
-- statement (a retention batch of thousands of messages), not one per message as ON DELETE CASCADE would make
-- (each cascaded delete would fire the rollup triggers once: 1,000,000 removals, millions of statements). The
-- foreign keys are checked at commit, so a message can never go while its facts stay. When a removed message had
-- other revisions still stored, the latest of those counts again.
CREATE FUNCTION summary_messages_removed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gone uuid[];
  remaining uuid[];
BEGIN
  SELECT array_agg(id ORDER BY id) INTO gone FROM removed;
  IF gone IS NULL THEN RETURN NULL; END IF;
  DELETE FROM summary_lines WHERE message_id = ANY (gone);
  DELETE FROM summary_documents WHERE message_id = ANY (gone);
  -- OFFSET 0 keeps this a lookup of each group in the unique index (the transition table has no statistics).
  SELECT array_agg(x.id) INTO remaining
    FROM (SELECT DISTINCT partner, document_type, sending_party, document_number FROM removed) g
   CROSS JOIN LATERAL (SELECT m.id FROM messages m
                        WHERE m.partner = g.partner AND m.document_type = g.document_type
                          AND m.sending_party = g.sending_party AND m.document_number = g.document_number OFFSET 0) x;
  IF remaining IS NOT NULL THEN PERFORM summary_refresh(remaining); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER summary_messages_removed AFTER DELETE ON messages REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION summary_messages_removed();

-- The message ids are known when these run: plan each call for them (an index lookup), never a generic plan
-- that would read every document for "ids IS NULL OR ...".
ALTER FUNCTION summary_insert_facts(uuid[]) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION summary_refresh(uuid[]) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION summary_messages_removed() SET plan_cache_mode = force_custom_plan;

-- Fills the summaries from every stored canonical document, set-based (an existing store at this migration; a
-- benchmark that wrote message_canonical directly). Empties them first: the result is exact, whatever was there.
CREATE FUNCTION summary_backfill() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  counted bigint;
BEGIN
  TRUNCATE summary_lines, summary_documents, summary_daily_items, summary_daily_documents;
  PERFORM summary_insert_facts(NULL);
  SELECT count(*) INTO counted FROM summary_documents;
  RETURN counted;
END $$;

SELECT summary_backfill();
