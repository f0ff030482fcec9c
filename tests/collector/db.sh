# SPDX-License-Identifier: Apache-2.0
# db.sh -- --db stores the inventory in SQLite in one transaction: a
# write that fails half-way (a trigger aborts on the new host row, after
# the old one was deleted) exits 1 and leaves the previous inventory
# whole. The counts are the stored document's (the one table since
# schema 3).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

DB=$T/vc.db
sql() { sqlite3 -batch "$DB" "$@"; }
counts() {
	sql "select (select count(*) from hosts),
	    (select sum(json_array_length(document, '\$.devices')) from hosts),
	    (select count(*) from hosts, json_each(document, '\$.devices') d,
	        json_each(d.value, '\$.types')),
	    (select sum(json_array_length(document, '\$.instances')) from hosts),
	    (select sum(json_array_length(document, '\$.vms')) from hosts)"
}

collect t4 --db "$DB" || fail "--db: exit $?: $(cat "$T/t4.err")"
[ ! -s "$T/t4.json" ] || fail "--db alone also printed the inventory"
assert_eq "first store: generation" "testhost|1" \
    "$(sql 'select host, generation from hosts')"
assert_eq "first store: rows" "1|1|16|2|0" "$(counts)"
sql 'select document from hosts' >"$T/doc1.json"
valid "$T/doc1.json"
as_jansson_prints "$T/doc1.json"
same_as_expected t4 "$T/doc1.json"

# The server stores the same document under the same digest: one
# encoder (inventory_encode) for the collector's --db and the server.
. "$top_srcdir/tests/server/server-lib.sh"
DB=$T/server.db start_server
put_inv testhost "$T/doc1.json" | grep -q '"generation":1' ||
    fail "the server refused the collector's document"
stop_server
assert_eq "same digest in the server's store" \
    "$(sql 'select digest from hosts')" \
    "$(sqlite3 -batch "$T/server.db" 'select digest from hosts')"
assert_eq "same document in the server's store" \
    "$(sql 'select document from hosts')" \
    "$(sqlite3 -batch "$T/server.db" 'select document from hosts')"

# A different inventory for the same host, failing at its new row.
sql "CREATE TRIGGER inject BEFORE INSERT ON hosts
    BEGIN SELECT RAISE(ABORT, 'injected'); END;"
rc=0
collect gvtg --db "$DB" || rc=$?
assert_eq "failed store: exit status" 1 "$rc"
assert_eq "failed store: one line on stderr" 1 "$(wc -l <"$T/gvtg.err")"
grep -q injected "$T/gvtg.err" || fail "failed store: reason not shown"
assert_eq "failed store: generation unchanged" "testhost|1" \
    "$(sql 'select host, generation from hosts')"
assert_eq "failed store: rows unchanged" "1|1|16|2|0" "$(counts)"
sql 'select document from hosts' >"$T/doc2.json"
cmp -s "$T/doc1.json" "$T/doc2.json" || fail "failed store: document changed"
ok "failed store: previous document intact"

sql 'DROP TRIGGER inject'
collect gvtg --db "$DB" || fail "second store: exit $?"
assert_eq "second store: generation" "testhost|2" \
    "$(sql 'select host, generation from hosts')"
assert_eq "second store: rows" "1|1|2|0|0" "$(counts)"
collect gvtg --db "$DB" --output - || fail "third store: exit $?"
assert_eq "same content: generation kept" "testhost|2" \
    "$(sql 'select host, generation from hosts')"
same_as_expected gvtg "$T/gvtg.json"

rc=0
collect t4 --db "$T/missing/dir/vc.db" || rc=$?
assert_eq "unopenable --db: exit status" 1 "$rc"
assert_eq "unopenable --db: one line on stderr" 1 "$(wc -l <"$T/t4.err")"

# libsqlite3 is loaded for --db only (collector/sqlite.c): not linked,
# and one that cannot be loaded fails the store with one line naming it,
# changing nothing, while a run without --db never asks for it.
ldd "$VC_COLLECT" | grep -q libsqlite3 &&
    fail "the collector links libsqlite3: every run pays for loading it"
broken_lib libsqlite3.so.0 --db "$DB"
assert_eq "unloadable libsqlite3: store unchanged" "testhost|2" \
    "$(sql 'select host, generation from hosts')"
LD_LIBRARY_PATH=$T/badlib collect t4 ||
    fail "no --db with a broken libsqlite3 on the path: exit $?: $(cat "$T/t4.err")"
ok "--db loads libsqlite3 when it stores, and only then"
