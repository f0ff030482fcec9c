# SPDX-License-Identifier: Apache-2.0
# import.sh -- vfio-compatd --db URI --import FILE.db: a SQLite store
# written by a real server is copied into PostgreSQL as stored (host,
# generation, digest, collected_at, received_at, document, row for
# row), a server on PostgreSQL then answers the same; run again it
# copies nothing; a missing file, a URI as the source and a file a
# running server holds are refused.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
. "$top_srcdir/tests/pg/pg-lib.sh"
pg_start
A=$(jq -r .host "$SAMPLE")

# A SQLite store with history: generation 2, a heartbeat, three hosts.
start_server
put_inv "$A" "$SAMPLE" > /dev/null
jq '.devices[0].types[0].available_instances = 3 | .collected_at = "2026-11-22T11:00:00Z"' \
    "$SAMPLE" > "$T/changed.json"
put_inv "$A" "$T/changed.json" > /dev/null
jq '.devices[0].types[0].available_instances = 3 | .collected_at = "2026-11-22T12:00:00Z"' \
    "$SAMPLE" > "$T/beat.json"
assert_eq "heartbeat" "2 false" "$(put_inv "$A" "$T/beat.json" | jq -r '"\(.generation) \(.changed)"')"
put_inv gpu-b.example.org "$SDATA/gpu-b.json" > /dev/null
put_inv gpu-c.example.org "$SDATA/gpu-c.json" > /dev/null
curl -s "$URL/v1/hosts/$A" | jq -S . > "$T/sqlite-get.json"

# A server still holds the file: refused, nothing copied.
rc=0
"$VC_SERVER" --db "$PG_URI" --import "$DB" > "$T/held" 2>&1 || rc=$?
assert_eq "import of a file a server holds: exit status" 1 "$rc"
grep -q 'in use by another vfio-compatd' "$T/held" || fail "no reason: $(cat "$T/held")"
assert_eq "the target untouched: no schema yet" t "$(psql_q "SELECT to_regclass('hosts') IS NULL")"
stop_server

q="SELECT host, generation, digest, collected_at, received_at, md5(document) FROM hosts ORDER BY host"
sqlite3 -separator '|' "$DB" "SELECT host, generation, digest, collected_at, received_at, document FROM hosts ORDER BY host" |
    while IFS='|' read -r h g d c r doc; do
	printf '%s|%s|%s|%s|%s|%s\n' "$h" "$g" "$d" "$c" "$r" "$(printf '%s' "$doc" | md5sum | cut -d' ' -f1)"
    done > "$T/sqlite.rows"
[ "$(wc -l < "$T/sqlite.rows")" = 3 ] || fail "expected 3 SQLite rows: $(cat "$T/sqlite.rows")"

rc=0
"$VC_SERVER" --db "$PG_URI" --import "$DB" > "$T/import" 2>&1 || rc=$?
assert_eq "import: exit status" 0 "$rc"
grep -q 'imported 3 hosts' "$T/import" || fail "import: $(cat "$T/import")"
ok "import reports 3 hosts"
psql_q "$q" > "$T/pg.rows"
assert_eq "rows as stored" "$(cat "$T/sqlite.rows")" "$(cat "$T/pg.rows")"

# Run again: nothing copied, nothing changed.
"$VC_SERVER" --db "$PG_URI" --import "$DB" > "$T/again" 2>&1 || fail "second import: $(cat "$T/again")"
grep -q 'imported 0 hosts.*(3 it already held' "$T/again" || fail "second import: $(cat "$T/again")"
ok "second import copies nothing"
assert_eq "rows unchanged by the second import" "$(cat "$T/sqlite.rows")" "$(psql_q "$q")"

# A server on PostgreSQL answers what the SQLite one answered.
DB=$PG_URI
start_server
curl -s "$URL/v1/hosts/$A" | jq -S . > "$T/pg-get.json"
assert_eq "GET after the move" "$(cat "$T/sqlite-get.json")" "$(cat "$T/pg-get.json")"
r=$(put_inv "$A" "$T/beat.json")
assert_eq "next PUT continues the generations" "2 false" "$(echo "$r" | jq -r '"\(.generation) \(.changed)"')"
stop_server

# Refusals.
rc=0
"$VC_SERVER" --db "$PG_URI" --import "$T/nosuch.db" > "$T/missing" 2>&1 || rc=$?
assert_eq "missing file: exit status" 1 "$rc"
grep -q 'nosuch.db: No such file' "$T/missing" || fail "no reason: $(cat "$T/missing")"
[ ! -e "$T/nosuch.db" ] || fail "import created the missing file"
ok "a missing file is refused, not created"
rc=0
"$VC_SERVER" --db "$PG_URI" --import "$PG_URI" > "$T/uri" 2>&1 || rc=$?
assert_eq "URI as the source: exit status" 2 "$rc"
