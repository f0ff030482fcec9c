-- SPDX-License-Identifier: Apache-2.0
-- 002: the feed position at which each host's document last changed.
--
-- A heartbeat moves a host's seq (every replica must learn that its
-- received_at moved) but not its document. Without this column the
-- change feed sent the whole document, 68 KB on a big host, to every
-- replica for every heartbeat, and each replica parsed it again: at
-- 10,000 hosts reporting every 60 s, 166 documents a second per
-- replica for nothing. With it, the feed sends a document only when it
-- changed after the position the replica asks from; otherwise the
-- replica already holds it and applies the new times alone.
--
-- Existing rows take their seq: the document was current then. A
-- writer of schema 1 still running during a rolling upgrade leaves the
-- column as it was; replicas check the generation before they trust a
-- document they were not sent, and fetch it when it moved.
ALTER TABLE hosts ADD COLUMN document_seq bigint NOT NULL DEFAULT 0;
UPDATE hosts SET document_seq = seq;
