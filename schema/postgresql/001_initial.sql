-- SPDX-License-Identifier: Apache-2.0
-- 001: the first PostgreSQL schema.
--
-- The document column is the source of truth, as in SQLite: every
-- replica rebuilds its in-memory fleet from it at start and from the
-- change feed afterwards. There is no per-device projection: nothing
-- queries one.
--
-- The change feed: change_feed holds one row whose seq every write
-- (PUT, heartbeat, DELETE) increments in its own transaction. The row
-- lock that increment takes is held until commit, so writes commit in
-- seq order and a replica that has seen seq N has seen every change
-- up to N (a SEQUENCE would not give that: nextval is not
-- transactional, and a lower value could commit after a higher one).
-- Each host row carries the seq of its last write; a deleted host
-- leaves a tombstone with the seq of its deletion, so that a replica
-- following the feed learns of it.
CREATE TABLE change_feed (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	seq		bigint NOT NULL
);
INSERT INTO change_feed (one, seq) VALUES (true, 0);

CREATE TABLE hosts (
	host		text PRIMARY KEY,
	generation	bigint NOT NULL,
	digest		text NOT NULL,
	collected_at	text NOT NULL,
	received_at	bigint NOT NULL,	-- unix seconds
	document	text NOT NULL,
	seq		bigint NOT NULL
);
CREATE INDEX hosts_by_seq ON hosts (seq);

CREATE TABLE deleted_hosts (
	host		text PRIMARY KEY,
	seq		bigint NOT NULL
);
CREATE INDEX deleted_hosts_by_seq ON deleted_hosts (seq);
