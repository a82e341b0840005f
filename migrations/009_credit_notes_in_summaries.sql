-- Credit notes in the department summaries (issue 11). A CreditNote counts like an Invoice of the same direction, with
-- its figures negated: a supplier's credit note (buyer SELF) lowers the payables, one of ours to a customer (seller
-- SELF) lowers the receivables. The canonical CreditNote states its amounts and quantities positive, as the credit
-- note does; the type is what makes them a credit (docs/mapping.md), so the sign is applied here and nowhere else.
-- A pure addition: the view and the fact function of 006 redefined with a sign, every other type counted as before.

-- summary_source of 006 with the CreditNote kinds, its total negated, and a last column `sign` (1, or -1 for a
-- credit note) that summary_insert_facts applies to line quantities and amounts.
CREATE OR REPLACE VIEW summary_source AS
SELECT m.id AS message_id, k.kind, summary_date(c.canonical ->> 'issueDate') AS day, m.partner,
       coalesce(p.party -> 'internalId' #>> '{}', '') AS party, p.party ->> 'name' AS party_name,
       c.canonical ->> 'type' AS document_type, m.document_number, coalesce(c.canonical ->> 'currency', '') AS currency,
       CASE WHEN c.canonical ->> 'type' <> 'ShipNotice' THEN k.sign * summary_number(c.canonical -> 'totals' -> 'payableAmount') END AS total,
       summary_date(c.canonical ->> 'dueDate') AS due_date, c.canonical, k.sign
  FROM messages m
  JOIN message_canonical c ON c.message_id = m.id
 CROSS JOIN LATERAL (
   SELECT CASE WHEN c.canonical -> 'seller' ->> 'internalId' = 'SELF' THEN
                 CASE c.canonical ->> 'type' WHEN 'Order' THEN 'sale' WHEN 'Invoice' THEN 'receivable' WHEN 'CreditNote' THEN 'receivable' END
               WHEN c.canonical -> 'buyer' ->> 'internalId' = 'SELF' THEN
                 CASE c.canonical ->> 'type' WHEN 'Order' THEN 'purchase' WHEN 'ShipNotice' THEN 'receipt' WHEN 'Invoice' THEN 'payable'
                                             WHEN 'CreditNote' THEN 'payable' END
          END AS kind,
          CASE WHEN c.canonical ->> 'type' = 'CreditNote' THEN -1 ELSE 1 END AS sign) k
 CROSS JOIN LATERAL (SELECT CASE WHEN k.kind IN ('sale', 'receivable') THEN c.canonical -> 'buyer' ELSE c.canonical -> 'seller' END AS party) p
 WHERE k.kind IS NOT NULL
   AND summary_date(c.canonical ->> 'issueDate') IS NOT NULL
   -- Only the latest revision with a canonical document counts.
   AND NOT EXISTS (SELECT 1 FROM messages n JOIN message_canonical nc ON nc.message_id = n.id
                    WHERE n.partner = m.partner AND n.document_type = m.document_type AND n.sending_party = m.sending_party
                      AND n.document_number = m.document_number AND n.revision > m.revision);

-- summary_insert_facts of 006, line quantities and amounts (and so the documents' net and quantity) times the sign.
CREATE OR REPLACE FUNCTION summary_insert_facts(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_lines (message_id, line_index, kind, day, party, sku, unit, quantity, amount, currency, order_reference, order_line_reference)
  SELECT s.message_id, l.n, s.kind, s.day, s.party, coalesce(l.line ->> 'sku', ''), coalesce(l.line ->> 'unitCode', ''),
         s.sign * coalesce(summary_number(l.line -> 'quantity'), 0), s.sign * summary_number(l.line -> 'lineAmount'), s.currency,
         s.canonical ->> 'orderReference', l.line ->> 'orderLineReference'
    FROM summary_source s
   CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.canonical -> 'lines') = 'array' THEN s.canonical -> 'lines' ELSE '[]' END)
         WITH ORDINALITY AS l (line, n)
   WHERE ids IS NULL OR s.message_id = ANY (ids);
  INSERT INTO summary_documents (message_id, kind, day, partner, party, party_name, document_type, document_number, currency, total, net, due_date, lines, quantity)
  SELECT s.message_id, s.kind, s.day, s.partner, s.party, s.party_name, s.document_type, s.document_number, s.currency, s.total,
         s.sign * coalesce(x.net, 0), s.due_date, coalesce(x.lines, 0), s.sign * coalesce(x.quantity, 0)
    FROM summary_source s
    LEFT JOIN LATERAL (SELECT sum(coalesce(summary_number(l -> 'lineAmount'), 0)) AS net, count(*)::integer AS lines,
                              sum(coalesce(summary_number(l -> 'quantity'), 0)) AS quantity
                         FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.canonical -> 'lines') = 'array' THEN s.canonical -> 'lines' ELSE '[]' END) AS l) x ON true
   WHERE ids IS NULL OR s.message_id = ANY (ids);
END $$;
-- CREATE OR REPLACE keeps the function's settings only when given again.
ALTER FUNCTION summary_insert_facts(uuid[]) SET plan_cache_mode = force_custom_plan;

-- Credit notes stored before this migration (mapped by a hub that had the type but not yet these rules) are counted now.
SELECT summary_refresh(ids) FROM (SELECT array_agg(id) AS ids FROM messages WHERE document_type = 'CreditNote') c WHERE ids IS NOT NULL;
