# SPDX-License-Identifier: Apache-2.0
# collector.sh -- vfio-compat-collect --db URI: the collector, linked
# without libpq (collector/pq.c loads it when --db names PostgreSQL),
# stores the same document under the same digest in PostgreSQL as in
# SQLite, generation 1 then 2 for a changed inventory; a libpq that
# cannot be loaded fails the run with one line naming it, and a SQLite
# --db never loads libpq at all.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"
. "$top_srcdir/tests/pg/pg-lib.sh"

ldd "$VC_COLLECT" | grep -q 'libpq' &&
    fail "the collector links libpq: every run pays for loading it"
ok "the collector is not linked with libpq"

pg_start
collect t4 --db "$PG_URI" || fail "--db URI: exit $?: $(cat "$T/t4.err")"
assert_eq "first store: host, generation" "testhost|1" \
    "$(psql_q 'SELECT host, generation FROM hosts')"
collect t4 --db "$T/vc.db" || fail "--db file: exit $?: $(cat "$T/t4.err")"
assert_eq "same digest as SQLite's" \
    "$(sqlite3 -batch "$T/vc.db" 'select digest from hosts')" \
    "$(psql_q 'SELECT digest FROM hosts')"
psql_q 'SELECT document FROM hosts' >"$T/pg-doc.json"
valid "$T/pg-doc.json"
same_as_expected t4 "$T/pg-doc.json"
collect gvtg --db "$PG_URI" || fail "second store: exit $?: $(cat "$T/gvtg.err")"
assert_eq "changed inventory: generation" "testhost|2" \
    "$(psql_q 'SELECT host, generation FROM hosts')"

# A libpq.so.5 that is not a library comes first on the search path.
broken_lib libpq.so.5 --db "$PG_URI"
assert_eq "unloadable libpq: store unchanged" "testhost|2" \
    "$(psql_q 'SELECT host, generation FROM hosts')"
# SQLite never asks for it: the same broken libpq changes nothing.
LD_LIBRARY_PATH=$T/badlib collect t4 --db "$T/vc.db" ||
    fail "--db file with a broken libpq on the path: exit $?: $(cat "$T/t4.err")"
ok "collector --db: PostgreSQL through the loaded libpq"
