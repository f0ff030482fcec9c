-- SPDX-License-Identifier: Apache-2.0
-- 002: hosts becomes an ordinary rowid table.
--
-- As a WITHOUT ROWID table its primary key was the row itself, so each
-- foreign-key check made while inserting a host's device, instance and
-- VM rows read the whole record, document and all (about 68 KB for a
-- large host, spilling into overflow pages). With a rowid table the
-- check is answered by the small primary-key index. Measured on 1,000
-- bench hosts: 7.4-8.0 s to load before, 4.5 s after.
--
-- SQLite cannot change a table's storage in place; this is its
-- documented rebuild (create, copy, drop, rename), which the store runs
-- with foreign keys off and checks with foreign_key_check before commit.
CREATE TABLE hosts_new (
	host		TEXT PRIMARY KEY NOT NULL,
	generation	INTEGER NOT NULL,
	digest		TEXT NOT NULL,
	collected_at	TEXT NOT NULL,
	received_at	INTEGER NOT NULL,	-- unix seconds
	document	TEXT NOT NULL
);
INSERT INTO hosts_new (host, generation, digest, collected_at, received_at,
    document)
    SELECT host, generation, digest, collected_at, received_at, document
    FROM hosts;
DROP TABLE hosts;
ALTER TABLE hosts_new RENAME TO hosts;
