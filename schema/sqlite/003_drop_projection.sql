-- SPDX-License-Identifier: Apache-2.0
-- 003: the per-device projection tables go.
--
-- devices, types, instances, vms and vm_devices were written in every
-- changed host's transaction for operators to query, and nothing in the
-- project reads them: the server answers from the document column,
-- loaded into memory at start. They were most of what a changed PUT
-- wrote (372 KB to disk for a 68 KB document, 150 pwrite calls) and a
-- third of its CPU. The document stays the one source of truth, and
-- SQLite's json_extract() over it answers what the tables did, e.g.
--   SELECT host FROM hosts, json_each(document, '$.devices')
--   WHERE json_extract(value, '$.driver') = 'nvidia';
DROP TABLE vm_devices;
DROP TABLE vms;
DROP TABLE instances;
DROP TABLE types;
DROP TABLE devices;
