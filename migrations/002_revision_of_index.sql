-- Deleting a message checks the self-reference messages.revision_of (ON DELETE SET NULL): without an index that
-- check scans the whole table for every deleted row. Measured by npm run bench:store on 1,000,000 messages:
-- deleting the 100 oldest spent 14.2 s in that trigger, and a retention batch of 5,000 hit the 60 s statement
-- timeout; with this index, 0.9 ms per 100 and 1,000,000 records removed in 216 s.
CREATE INDEX messages_by_revision_of ON messages (revision_of) WHERE revision_of IS NOT NULL;
