-- Outbound documents in the partner mailbox (issue 12, the mailbox transport): each is put once per idempotency
-- key, so a send retried after a crash (the row committed, the caller never told) finds the first row instead
-- of adding a second copy. Acknowledgements the intake puts there have no key (NULL: never equal to another).
ALTER TABLE partner_mailbox ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX partner_mailbox_idempotency ON partner_mailbox (partner, idempotency_key);
