# SPDX-License-Identifier: Apache-2.0
# store.sh -- tests/unit/test_store's engine case against a real
# PostgreSQL: the same tests SQLite passes, through VC_TEST_DB; then a
# database of schema 1 holding a host, migrated by a server that opens
# it: every migration runs once and the host is served as stored.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
. "$top_srcdir/tests/pg/pg-lib.sh"
pg_start
VC_TEST_DB=$PG_URI "$top_builddir/tests/unit/test_store" ||
    fail "test_store against PostgreSQL"
ok "test_store against PostgreSQL"
# Two opens of one database migrate once and agree on the version.
migrations=$(ls "$top_srcdir"/schema/postgresql/[0-9]*.sql | wc -l)
assert_eq "schema_version rows: one per migration" "$migrations $migrations" \
    "$(psql_q "SELECT count(DISTINCT version) || ' ' || count(*) FROM schema_version")"
assert_eq "newest schema version" "$migrations" \
    "$(psql_q 'SELECT max(version) FROM schema_version')"

# Schema 1, as a server of that schema left it: one host at seq 7.
psql_q 'DROP SCHEMA public CASCADE; CREATE SCHEMA public'
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$PG_URI" \
    -f "$top_srcdir/schema/postgresql/001_initial.sql" > /dev/null ||
    fail "schema 1"
A=$(jq -r .host "$SAMPLE")
doc=$(jq -c . "$SAMPLE" | sed "s/'/''/g")
psql_q "CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
INSERT INTO schema_version (version, name) VALUES (1, '001_initial.sql');
UPDATE change_feed SET seq = 7;
INSERT INTO hosts VALUES ('$A', 3, 'd1', '$(jq -r .collected_at "$SAMPLE")', $(date +%s), '$doc', 7)"
DB=$PG_URI
start_server
assert_eq "schema 1 migrated to the newest" "$migrations" \
    "$(psql_q 'SELECT max(version) FROM schema_version')"
assert_eq "a stored document's position is its row's" 7 \
    "$(psql_q "SELECT document_seq FROM hosts WHERE host = '$A'")"
assert_eq "the host of schema 1 served, its generation kept" 3 \
    "$(curl -s "$URL/v1/hosts/$A" | jq .generation)"
stop_server
