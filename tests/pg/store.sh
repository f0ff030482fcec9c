# SPDX-License-Identifier: Apache-2.0
# store.sh -- tests/unit/test_store's engine case against a real
# PostgreSQL: the same tests SQLite passes, through VC_TEST_DB.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg/pg-lib.sh"
pg_start
VC_TEST_DB=$PG_URI "$top_builddir/tests/unit/test_store" ||
    fail "test_store against PostgreSQL"
ok "test_store against PostgreSQL"
# Two opens of one database migrate once and agree on the version.
assert_eq "schema_version rows" 1 "$(psql_q 'SELECT count(*) FROM schema_version')"
