-- The console's order chains list (src/store/chains.ts, listChains) reads a partner's orders newest first. Through
-- messages_by_partner it would step over every shipment notice and invoice of a supplier that also orders; this
-- partial index holds only first revisions of orders, so a page of a partner's chains is one ordered range read.
CREATE INDEX messages_orders_by_partner ON messages (partner, received_at DESC, id DESC) WHERE document_type = 'Order' AND revision = 0;
