# SPDX-License-Identifier: Apache-2.0
# replica.sh -- three vfio-compatd on one PostgreSQL database (SPEC
# section 4): they start together on an empty database (one migrates);
# a PUT on A is answered by B and C (p50/p99 of the delay printed over
# 200 PUTs); a DELETE on B disappears from A and C; heartbeats on A
# alone keep a host fresh on C past --stale-after; A killed with SIGKILL
# mid-ingest loses no write it acknowledged; with PostgreSQL stopped for
# 10 s writes are answered 503 STORE_UNAVAILABLE, reads still come from
# memory, /readyz says 503, and once it is back every replica catches up
# and /readyz returns to 200.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg/pg-lib.sh"
SAMPLE="$top_srcdir/tests/unit/data/sample.json"
PY="$top_srcdir/tests/pg/replica.py"
STALE=3
pg_start

# start_rep NAME: a replica on the database; sets PID_NAME, URL_NAME.
start_rep() {
	port=$(free_port)
	"$VC_SERVER" --listen "127.0.0.1:$port" --db "$PG_URI" --threads 4 \
	    --stale-after "$STALE" >> "$T/$1.log" 2>&1 &
	eval "PID_$1=$! URL_$1=http://127.0.0.1:$port"
	at_exit "kill $! 2>/dev/null || true"
}

# wait_code URL PATH CODE [TENTHS]: until URL/PATH answers CODE.
wait_code() {
	i=0
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "$1$2")" = "$3" ]; do
		i=$((i + 1))
		[ $i -lt "${4:-150}" ] || return 1
		sleep 0.1
	done
}

# gen_of URL HOST: the generation URL answers for HOST, or its status.
gen_of() {
	r=$(curl -s -w ' %{http_code}' "$1/v1/hosts/$2")
	case $r in *' 200') echo "${r% 200}" | jq .generation ;; *) echo "${r##* }" ;; esac
}

start_rep A; start_rep B; start_rep C
for r in A B C; do
	eval "u=\$URL_$r"
	wait_code "$u" /readyz 200 || { cat "$T/$r.log" >&2; fail "replica $r not ready"; }
done
ok "three replicas started together on an empty database"
migrations=$(ls "$top_srcdir"/schema/postgresql/[0-9]*.sql | wc -l)
assert_eq "migrated once" "$migrations $migrations" \
    "$(psql_q "SELECT count(DISTINCT version) || ' ' || count(*) FROM schema_version")"

# A PUT on A is answered by B and C.
python3 "$PY" propagate "$SAMPLE" 200 "$URL_A" "$URL_B" "$URL_C" ||
    fail "propagation"
ok "200 PUTs on A answered by B and C with their generation"

# A DELETE on B disappears from A and C.
assert_eq "DELETE on B" 204 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL_B/v1/hosts/prop-3.example.org")"
for r in A C; do
	eval "u=\$URL_$r"
	wait_code "$u" /v1/hosts/prop-3.example.org 404 50 || fail "deleted on B, still on $r"
done
ok "a DELETE on B disappears from A and C"
assert_eq "tombstone" 1 "$(psql_q "SELECT count(*) FROM deleted_hosts WHERE host = 'prop-3.example.org'")"
# ... and a PUT after it brings the host back everywhere, generation 1.
jq '.host = "prop-3.example.org"' "$SAMPLE" > "$T/back.json"
curl -s -X PUT -H 'Content-Type: application/json' --data-binary "@$T/back.json" \
    "$URL_C/v1/hosts/prop-3.example.org/inventory" > /dev/null
i=0
until [ "$(gen_of "$URL_A" prop-3.example.org)" = 1 ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "re-PUT on C not on A"; sleep 0.1
done
ok "a host put back after its DELETE reaches A with generation 1"

# Heartbeats on A only keep a host fresh on C past --stale-after.
jq '.host = "beat.example.org"' "$SAMPLE" > "$T/beat.json"
curl -s -X PUT -H 'Content-Type: application/json' --data-binary "@$T/beat.json" \
    "$URL_A/v1/hosts/beat.example.org/inventory" > /dev/null
# replica_changes KIND: C's count of changes of KIND applied from the feed.
replica_changes() {
	curl -s "$URL_C/metrics" | awk -v k="kind=\"$1\"" \
	    'index($0, "vfio_compat_replica_changes_total{" k "}") == 1 { print $2 }'
}
wait_code "$URL_C" /v1/hosts/beat.example.org 200 50 || fail "beat not on C"
docs0=$(replica_changes document) times0=$(replica_changes report_time)
[ -n "$docs0" ] && [ -n "$times0" ] || fail "C has no replica_changes_total"
beats=$(python3 "$PY" heartbeat "$SAMPLE" "$URL_A" beat.example.org $((STALE * 2 + 1))) ||
    fail "heartbeats"
beats=${beats#heartbeats: }
assert_eq "heartbeats on A: fresh on C after $((STALE * 2 + 1)) s" false \
    "$(curl -s "$URL_C/v1/hosts/beat.example.org" | jq .stale)"
# Each heartbeat reached C as new times over the document C holds: the
# feed did not send the document again, and C parsed nothing. (The feed
# carries a host's last state: heartbeats C did not read apart count
# once.)
times() { curl -s "$1/v1/hosts/beat.example.org" | jq -r '"\(.collected_at) \(.received_at)"'; }
i=0
until [ "$(times "$URL_C")" = "$(times "$URL_A")" ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "C's report times are not A's last heartbeat's"; sleep 0.1
done
ok "C's report times are A's last heartbeat's"
assert_eq "heartbeats on A: no document parsed again on C" "$docs0" \
    "$(replica_changes document)"
n=$(( $(replica_changes report_time) - times0 ))
[ "$n" -ge 1 ] && [ "$n" -le "$beats" ] ||
    fail "$beats heartbeats on A: $n report-time changes on C"
ok "heartbeats on A: report-time changes on C ($n of $beats)"
# A document changed by a writer that does not stamp document_seq (one
# of schema 1, during a rolling upgrade): the feed does not send it, C
# sees the generation move and reads it from the store.
g=$(gen_of "$URL_C" beat.example.org)
jq -c '.devices[0].types[0].available_instances = 7 | .collected_at = "2031-01-01T00:00:00Z"' \
    "$T/beat.json" | sed "s/'/''/g" > "$T/old-writer.json"
psql_q "WITH s AS (UPDATE change_feed SET seq = seq + 1 RETURNING seq)
UPDATE hosts SET generation = generation + 1, digest = 'by-an-old-writer',
    collected_at = '2031-01-01T00:00:00Z', document = '$(cat "$T/old-writer.json")',
    seq = (SELECT seq FROM s) WHERE host = 'beat.example.org'" > /dev/null
i=0
until [ "$(gen_of "$URL_C" beat.example.org)" = $((g + 1)) ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "the old writer's change not on C"; sleep 0.1
done
assert_eq "an unstamped document change: read from the store by C" 7 \
    "$(curl -s "$URL_C/v1/hosts/beat.example.org" | jq '.devices[0].types[0].available_instances')"
assert_eq "a host without heartbeats: stale on C" true \
    "$(curl -s "$URL_C/v1/hosts/prop-5.example.org" | jq .stale)"
sleep $((STALE + 2))
assert_eq "heartbeats stopped: stale on C" true \
    "$(curl -s "$URL_C/v1/hosts/beat.example.org" | jq .stale)"

# A killed with SIGKILL mid-ingest loses no write it acknowledged.
python3 "$PY" ingest "$SAMPLE" "$URL_A" "$T/acked" &
ing=$!
sleep 2
kill -KILL "$PID_A"
wait "$ing" || fail "ingest driver"
n=$(wc -l < "$T/acked")
[ "$n" -ge 20 ] || fail "only $n writes acknowledged before the kill"
sort -k1,1 -k2,2n "$T/acked" | awk '{ g[$1] = $2 } END { for (h in g) print h, g[h] }' > "$T/last"
while read -r h g; do
	i=0
	while :; do
		b=$(gen_of "$URL_B" "$h")
		case $b in *[!0-9]*|'') b=0 ;; esac
		[ "$b" -ge "$g" ] && break
		i=$((i + 1)); [ $i -lt 50 ] || fail "$h: acknowledged generation $g, B has $b"
		sleep 0.1
	done
	s=$(psql_q "SELECT generation FROM hosts WHERE host = '$h'")
	[ "$s" -ge "$g" ] || fail "$h: acknowledged generation $g, stored $s"
done < "$T/last"
ok "A killed: all $n acknowledged writes ($(wc -l < "$T/last") hosts) on B and in the database"

# PostgreSQL stopped for 10 s, then back.
jq '.host = "pre.example.org"' "$SAMPLE" > "$T/pre.json"
pre=$(curl -s -X PUT -H 'Content-Type: application/json' --data-binary "@$T/pre.json" \
    "$URL_B/v1/hosts/pre.example.org/inventory" | jq .generation)
assert_eq "PUT before the outage" 1 "$pre"
pg_down
wait_code "$URL_B" /readyz 503 50 || fail "B ready with the database down"
wait_code "$URL_C" /readyz 503 50 || fail "C ready with the database down"
ok "readyz 503 on B and C while the database is down"
python3 "$PY" outage "$SAMPLE" "$URL_B" 10 "$T/outage" &
out=$!
sleep 1
assert_eq "reads from memory during the outage" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$URL_C/v1/hosts/beat.example.org")"
assert_eq "DELETE during the outage" "503 STORE_UNAVAILABLE" \
    "$(curl -s -w '%{http_code}' -o "$T/del" -X DELETE "$URL_C/v1/hosts/prop-1.example.org") $(jq -r .error.code "$T/del")"
assert_eq "the host not deleted from memory" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$URL_C/v1/hosts/prop-1.example.org")"
wait "$out" || fail "outage driver"
n=$(wc -l < "$T/outage")
[ "$n" -ge 10 ] || fail "only $n writes tried during the outage"
assert_eq "every write during the outage: 503 STORE_UNAVAILABLE" "$n" \
    "$(grep -c '^503 STORE_UNAVAILABLE$' "$T/outage")"
pg_up
for r in B C; do
	eval "u=\$URL_$r"
	wait_code "$u" /readyz 200 200 || { cat "$T/$r.log" >&2; fail "$r not ready after the database came back"; }
done
ok "readyz 200 on B and C again"
assert_eq "acknowledged before the outage, kept" "$pre" \
    "$(psql_q "SELECT generation FROM hosts WHERE host = 'pre.example.org'")"
assert_eq "acknowledged before the outage, on C" 1 "$(gen_of "$URL_C" pre.example.org)"
assert_eq "nothing stored from the outage" 0 \
    "$(psql_q "SELECT count(*) FROM hosts WHERE host = 'outage.example.org'")"
# Catch-up: a write on B after the outage reaches C.
r=$(curl -s -X PUT -H 'Content-Type: application/json' --data-binary @- \
    "$URL_B/v1/hosts/after.example.org/inventory" < <(jq '.host = "after.example.org"' "$SAMPLE"))
assert_eq "PUT after the outage" 1 "$(echo "$r" | jq .generation)"
wait_code "$URL_C" /v1/hosts/after.example.org 200 50 || fail "C did not catch up"
ok "C caught up after the outage"
grep -q 'cut off from the store' "$T/C.log" || fail "C did not log the outage"
ok "the outage logged"
kill -TERM "$PID_B" "$PID_C"
wait "$PID_B" || fail "B exited $? on SIGTERM"
wait "$PID_C" || fail "C exited $? on SIGTERM"
ok "B and C stop cleanly"
