-- SPDX-License-Identifier: Apache-2.0
-- 001: the first schema.
--
-- The document column is the source of truth: the server rebuilds its
-- in-memory fleet from it at start (and answers GET from that fleet).
-- The tables below it are a queryable projection for operators
-- (sqlite3 vfio.db "select ...") written in the same transaction, so they
-- can never disagree with the document. digest is over the canonical document
-- without collected_at, so a heartbeat with nothing new is not a change.
CREATE TABLE hosts (
	host		TEXT PRIMARY KEY NOT NULL,
	generation	INTEGER NOT NULL,
	digest		TEXT NOT NULL,
	collected_at	TEXT NOT NULL,
	received_at	INTEGER NOT NULL,	-- unix seconds
	document	TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE devices (
	host		TEXT NOT NULL REFERENCES hosts(host) ON DELETE CASCADE,
	address		TEXT NOT NULL,
	vendor_id	TEXT,
	device_id	TEXT,
	subsystem_vendor_id TEXT,
	subsystem_device_id TEXT,
	class		TEXT,
	driver		TEXT,
	driver_version	TEXT,
	physfn		TEXT,
	migration_capable INTEGER NOT NULL,
	PRIMARY KEY (host, address)
) WITHOUT ROWID;

CREATE TABLE types (
	host		TEXT NOT NULL,
	parent		TEXT NOT NULL,
	kind		TEXT NOT NULL,
	type_id		TEXT NOT NULL,
	name		TEXT,
	device_api	TEXT,
	available_instances INTEGER,
	migration_version TEXT,
	PRIMARY KEY (host, parent, kind, type_id),
	FOREIGN KEY (host, parent) REFERENCES devices(host, address)
	    ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX types_by_type ON types (kind, type_id);

CREATE TABLE instances (
	host		TEXT NOT NULL REFERENCES hosts(host) ON DELETE CASCADE,
	id		TEXT NOT NULL,
	kind		TEXT NOT NULL,
	type_id		TEXT NOT NULL,
	parent		TEXT NOT NULL,
	PRIMARY KEY (host, id)
) WITHOUT ROWID;

CREATE TABLE vms (
	host		TEXT NOT NULL REFERENCES hosts(host) ON DELETE CASCADE,
	uuid		TEXT NOT NULL,
	name		TEXT,
	pid		INTEGER,
	PRIMARY KEY (host, uuid)
) WITHOUT ROWID;
CREATE INDEX vms_by_uuid ON vms (uuid);

CREATE TABLE vm_devices (
	host		TEXT NOT NULL,
	uuid		TEXT NOT NULL,
	device		TEXT NOT NULL,
	PRIMARY KEY (host, uuid, device),
	FOREIGN KEY (host, uuid) REFERENCES vms(host, uuid) ON DELETE CASCADE
) WITHOUT ROWID;
