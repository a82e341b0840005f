/**
 * N delivered messages written straight into a migrated schema with set-based SQL (one INSERT ... SELECT FROM
 * generate_series per chunk, every table filled by one statement), shaped like what the hub itself stores
 * for the demo partners: the rows a real order, despatch advice or invoice leaves behind once delivered to the
 * file archive. Message i is reproducible from i alone (its id is md5('bench-msg-' || i)), so a benchmark can
 * pick documents to look for without reading them back first.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** A party id many messages share over the whole time: one in five acme orders names it as buyer (N/15 messages). */
export const SHARED_BUYER_PARTY = '7300072311115';

/**
 * A party id only the oldest messages carry: initech ordered from two sites, then (18 months before now) only
 * from INITECH-SE-01. Half of initech's orders of the first quarter of the messages (N/24) name it.
 */
export const RETIRED_BUYER_PARTY = 'INITECH-US-01';

/** The party ids of config/hub.yaml, a party chosen per message from its partner's list. */
const PARTIES = {
  acme: ['5541277710', '7300010000001', '7300072311115', '987654325', 'GT00978567'],
  globex: ['123456785', '1234567890123', '7300010000001', '7385000000124', '9482348239847239874', 'CO001'],
  initech: ['INITECH-SE-01', 'INITECH-US-01'],
};
/** The hub owner's own party (the seller of acme's and initech's orders, the buyer of globex's deliveries). */
const OWN_PARTY = '7302347231111';

/**
 * format() arguments of both templates: 1 root element / canonical type, 2 document number, 3 issue date,
 * 4 buyer internal id, 5 buyer party id, 6 seller internal id, 7 seller party id, 8 order reference fragment
 * (canonical) / element (raw), 9 a quantity that varies.
 */
const LINE = (n: number) =>
  `{"lineNumber":"${n}","sku":"SKU-1001${n}","sellerItemId":"SItemNo00${n}","gtin":"731234567890${n}","description":"Falu Rödfärg, 10 l can, red, outdoor wood paint (line ${n})",` +
  `"quantity":%9$s,"unitCode":"LTR","price":50,"lineAmount":6000,"requestedDeliveryDate":"%3$s"}`;
const CANONICAL_TEMPLATE =
  `{"type":"%1$s","documentNumber":"%2$s",%8$s"issueDate":"%3$s","currency":"SEK",` +
  `"buyer":{"internalId":"%4$s","partyIds":[{"id":"%5$s","scheme":"GLN"},{"id":"PartyID123"},{"id":"SE1234567801"},{"id":"5532331183","scheme":"SE:ORGNR"}],"name":"Johnssons byggvaror"},` +
  `"seller":{"internalId":"%6$s","partyIds":[{"id":"%7$s","scheme":"GLN"},{"id":"SellerPartyID123"},{"id":"5532332283","scheme":"SE:ORGNR"}],"name":"Moderna Produkter AB"},` +
  `"shipTo":{"name":"Swedish trucking","street":"Rådhusgatan 5","additionalStreet":"2nd floor","city":"Stockholm","postalCode":"11000","region":"RegionX","country":"SE"},` +
  `"note":"Information text for the whole document, as partners write them: delivery before noon, gate 4.",` +
  `"lines":[${[1, 2, 3, 4, 5].map(LINE).join(',')}],"totals":{"lineTotal":30000,"taxTotal":7500,"payableAmount":37500}}`;
const RAW_TEMPLATE = `<?xml version="1.0" encoding="UTF-8"?>
<%1$s xmlns="urn:oasis:names:specification:ubl:schema:xsd:%1$s-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>urn:www.cenbii.eu:transaction:biicoretrdm001:ver1.0</cbc:CustomizationID>
  <cbc:ID>%2$s</cbc:ID>
  <cbc:IssueDate>%3$s</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>%8$s
  <cac:BuyerCustomerParty><cac:Party><cbc:EndpointID schemeID="GLN">%5$s</cbc:EndpointID>
    <cac:PartyName><cbc:Name>Johnssons byggvaror</cbc:Name></cac:PartyName>
  </cac:Party></cac:BuyerCustomerParty>
  <cac:SellerSupplierParty><cac:Party><cbc:EndpointID schemeID="GLN">%7$s</cbc:EndpointID>
    <cac:PartyName><cbc:Name>Moderna Produkter AB</cbc:Name></cac:PartyName>
  </cac:Party></cac:SellerSupplierParty>
  <cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="LTR">%9$s</cbc:Quantity><cbc:LineExtensionAmount currencyID="SEK">6000</cbc:LineExtensionAmount>
    <cac:Price><cbc:PriceAmount currencyID="SEK">50</cbc:PriceAmount></cac:Price><cac:Item><cbc:Description>Falu Rödfärg</cbc:Description><cbc:Name>Falu Rödfärg</cbc:Name>
    <cac:SellersItemIdentification><cbc:ID>SItemNo001</cbc:ID></cac:SellersItemIdentification></cac:Item></cac:LineItem></cac:OrderLine>
</%1$s>
`;

const textArray = (values: readonly string[]) => `(ARRAY[${values.map((v) => `'${v}'`).join(', ')}])`;

/**
 * One chunk: messages i in [$1, $2] of $3, received between $7 and $8 days before $4 (by default 730 and 2) in
 * the order of i (as the hub appends them), every table filled from the same materialised rows.
 */
const CHUNK_SQL = `
WITH src AS MATERIALIZED (
  SELECT i, md5('bench-msg-' || i)::uuid AS id,
         $4::timestamptz - make_interval(days => $7::int) + make_interval(secs => (i - 1) * (($7::int - $8::float8) * 86400.0 / $3::bigint)) AS received_at,
         p.*
    FROM generate_series($1::bigint, $2::bigint) AS i
   CROSS JOIN LATERAL (
     SELECT CASE i % 3 WHEN 0 THEN 'acme' WHEN 1 THEN 'globex' ELSE 'initech' END AS partner,
            CASE WHEN i % 3 <> 1 THEN 'Order' WHEN (i / 3) % 2 = 0 THEN 'ShipNotice' ELSE 'Invoice' END AS document_type,
            CASE i % 3 WHEN 0 THEN ${textArray(PARTIES.acme)}[(i / 3) % 5 + 1] WHEN 1 THEN '${OWN_PARTY}'
                       WHEN 2 THEN CASE WHEN i <= $3::bigint / 4 THEN ${textArray(PARTIES.initech)}[(i / 3) % 2 + 1] ELSE '${PARTIES.initech[0]}' END END AS buyer_party,
            CASE WHEN i % 3 = 1 THEN ${textArray(PARTIES.globex)}[(i / 6) % 6 + 1] ELSE '${OWN_PARTY}' END AS seller_party,
            CASE i % 3 WHEN 0 THEN 'CUST-ACME' WHEN 1 THEN 'SELF' ELSE 'CUST-INITECH' END AS buyer_id,
            CASE WHEN i % 3 = 1 THEN 'SUPP-GLOBEX' ELSE 'SELF' END AS seller_id,
            CASE WHEN i % 3 = 1 THEN 'PO-' || lpad((i / 6)::text, 9, '0') END AS order_reference
   ) p
),
docs AS MATERIALIZED (
  SELECT s.*,
         CASE s.partner WHEN 'acme' THEN 'ubl-order' WHEN 'initech' THEN 'hub-po' WHEN 'globex' THEN
           CASE s.document_type WHEN 'ShipNotice' THEN 'ubl-despatch-advice' ELSE 'ubl-invoice' END END AS format,
         CASE s.document_type WHEN 'Order' THEN CASE s.partner WHEN 'acme' THEN 'ACME-PO-' ELSE 'INI-PO-' END
                              WHEN 'ShipNotice' THEN 'GX-ASN-' ELSE 'GX-INV-' END || lpad(s.i::text, 9, '0') AS document_number,
         CASE s.document_type WHEN 'Order' THEN s.buyer_party ELSE s.seller_party END AS sending_party,
         CASE s.document_type WHEN 'Order' THEN '["sales","inventory"]' WHEN 'ShipNotice' THEN '["inventory","procurement"]'
                              ELSE '["finance","procurement"]' END::jsonb AS modules,
         to_char(s.received_at, 'YYYY-MM-DD') AS issue_date, (s.i % 997 + 1)::text AS quantity
    FROM src s
),
full_docs AS MATERIALIZED (
  SELECT d.*,
         convert_to(format($5::text, CASE d.document_type WHEN 'ShipNotice' THEN 'DespatchAdvice' ELSE d.document_type END,
                           d.document_number, d.issue_date, d.buyer_id, d.buyer_party, d.seller_id, d.seller_party,
                           CASE WHEN d.order_reference IS NOT NULL THEN format(E'\\n  <cac:OrderReference><cbc:ID>%s</cbc:ID></cac:OrderReference>', d.order_reference) ELSE '' END,
                           d.quantity), 'UTF8') AS raw,
         format($6::text, d.document_type, d.document_number, d.issue_date, d.buyer_id, d.buyer_party, d.seller_id, d.seller_party,
                CASE WHEN d.order_reference IS NOT NULL THEN format('"orderReference":"%s",', d.order_reference) ELSE '' END,
                d.quantity)::jsonb AS canonical
    FROM docs d
),
m AS (
  INSERT INTO messages (id, partner, format, document_type, document_number, sending_party, revision, sha256, size, content_type,
                        status, received_at, updated_at, routes, replays, transformed_at)
  SELECT id, partner, format, document_type, document_number, sending_party, 0, encode(sha256(raw), 'hex'), octet_length(raw), 'application/xml',
         'delivered', received_at, received_at + interval '160 ms', jsonb_build_object('archive', modules), 0, received_at + interval '90 ms'
    FROM full_docs ORDER BY i
),
r AS (INSERT INTO message_raw (message_id, bytes) SELECT id, raw FROM full_docs ORDER BY i),
c AS (INSERT INTO message_canonical (message_id, canonical) SELECT id, canonical FROM full_docs ORDER BY i),
h AS (
  INSERT INTO message_history (message_id, at, step, status, adapter, detail)
  SELECT d.id, d.received_at + step.after, step.step, step.status, step.adapter,
         CASE step.step
           WHEN 'accepted' THEN format('%s %s from %s (%s, %s bytes)', d.document_type, d.document_number, d.partner, d.format, octet_length(d.raw))
           WHEN 'transform' THEN 'attempt 1'
           WHEN 'mapped' THEN format('%s %s, 5 line(s)', d.document_type, d.document_number)
           WHEN 'routed' THEN format('archive (%s)', (SELECT string_agg(value, ', ') FROM jsonb_array_elements_text(d.modules)))
           WHEN 'delivered' THEN format('%s -> %s/%s__%s.json', (SELECT string_agg(value, ', ') FROM jsonb_array_elements_text(d.modules)), d.document_type, d.document_number, d.id)
           ELSE 'delivered to archive' END
    FROM full_docs d
   CROSS JOIN (VALUES (1, interval '0 ms', 'accepted', 'accepted', NULL), (2, interval '50 ms', 'transform', 'processing', NULL),
                      (3, interval '80 ms', 'mapped', NULL, NULL), (4, interval '90 ms', 'routed', NULL, NULL),
                      (5, interval '150 ms', 'delivered', NULL, 'archive'), (6, interval '160 ms', 'complete', 'delivered', NULL)) AS step (n, after, step, status, adapter)
   ORDER BY d.i, step.n
),
k AS (
  INSERT INTO business_keys (message_id, kind, value, received_at)
  SELECT d.id, key.kind, key.value, d.received_at FROM full_docs d
   CROSS JOIN LATERAL (VALUES ('documentNumber', d.document_number), ('orderReference', d.order_reference), ('buyerId', d.buyer_id),
                              ('sellerId', d.seller_id), ('buyerPartyId', d.buyer_party), ('sellerPartyId', d.seller_party)) AS key (kind, value)
   WHERE key.value IS NOT NULL
)
INSERT INTO deliveries (message_id, adapter, status, reference, at)
SELECT id, 'archive', 'delivered', format('var/out/%s/%s__%s.json', document_type, document_number, id), received_at + interval '150 ms' FROM full_docs`;

/** What the synthetic documents weigh, for the report (averages of the first 3,000, measured, not assumed). */
export interface SyntheticShape {
  rawBytes: number;
  canonicalJsonBytes: number;
  canonicalStoredBytes: number;
}

/**
 * Loads messages 1..n in chunks (each its own transaction), calling `progress` after each. `client` must be on
 * the schema (search_path) and allowed to run long statements.
 */
export async function loadSyntheticMessages(
  client: pg.ClientBase,
  n: number,
  options: { chunk: number; now: Date; progress?: (loaded: number) => void; /** Received over this many days (730) */ spanDays?: number; /** ending this many days before now (2). */ endDaysAgo?: number },
): Promise<SyntheticShape> {
  for (let lo = 1; lo <= n; lo += options.chunk) {
    const hi = Math.min(n, lo + options.chunk - 1);
    await client.query('BEGIN');
    await client.query(CHUNK_SQL, [lo, hi, n, options.now, RAW_TEMPLATE, CANONICAL_TEMPLATE, options.spanDays ?? 730, options.endDaysAgo ?? 2]);
    await client.query('COMMIT');
    options.progress?.(hi);
  }
  const { rows } = await client.query<{ raw: number; canonical: unknown; stored: number }>(
    `SELECT octet_length(r.bytes) AS raw, c.canonical, pg_column_size(c.canonical) AS stored
       FROM (SELECT id FROM messages ORDER BY received_at LIMIT 3000) m
       JOIN message_raw r ON r.message_id = m.id JOIN message_canonical c ON c.message_id = m.id`,
  );
  const average = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
  return {
    rawBytes: average(rows.map((r) => r.raw)),
    canonicalJsonBytes: average(rows.map((r) => Buffer.byteLength(JSON.stringify(r.canonical)))),
    canonicalStoredBytes: average(rows.map((r) => r.stored)),
  };
}

/** The id of synthetic message i, as the loader made it (md5('bench-msg-' || i)::uuid). */
export function syntheticId(i: number): string {
  const hex = createHash('md5').update(`bench-msg-${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
