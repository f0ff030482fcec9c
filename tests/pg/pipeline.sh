# SPDX-License-Identifier: Apache-2.0
# pipeline.sh -- a write's statements go in two round trips (libpq
# pipeline mode); failures in them answer as they did one by one.
# A statement the database refuses (a trigger of the test's) in the
# first or the second round trip, first in it or after a statement
# that applied: 503 STORE_FAILED, the refused statement and its error
# in the log (the first failure, not what the server skipped after
# it), nothing changed, and the same connection serves the next
# request. Connections killed while idle: the next write of each kind
# is sent again on a fresh connection and succeeds.
. "$top_srcdir/tests/lib.sh"
VC_TEST_STORE=postgresql
. "$top_srcdir/tests/server/server-lib.sh"
start_server
A=$(jq -r .host "$SAMPLE")

# backends: the server's connections, their backend PIDs, a,b,...
backends() {
	psql_q "SELECT string_agg(pid::text, ',' ORDER BY pid)
	    FROM pg_stat_activity WHERE application_name = 'vfio-compatd'"
}

psql_q "CREATE FUNCTION vc_refuse() RETURNS trigger LANGUAGE plpgsql AS
    \$\$BEGIN RAISE EXCEPTION 'vc-test refuses % on %', TG_OP,
    TG_TABLE_NAME; END\$\$" > /dev/null

# refused NAME TABLE OP SQL METHOD PATH [CURL ARGS...]: with OP on
# TABLE refused, the request fails as a write the database refused,
# the log names SQL (the start of the refused statement) and the
# trigger's error, and the store is as before; without the trigger the
# request succeeds on the same connections.
refused() {
	local name=$1 table=$2 op=$3 sql=$4 before pids lines r
	shift 4
	before=$(store_dump)
	pids=$(backends)
	lines=$(wc -l < "$SRV_LOG")
	psql_q "CREATE TRIGGER vc_refuse BEFORE $op ON $table
	    FOR EACH STATEMENT EXECUTE FUNCTION vc_refuse()" > /dev/null
	r=$(req "$@")
	psql_q "DROP TRIGGER vc_refuse ON $table" > /dev/null
	assert_eq "$name: refused" "503 STORE_FAILED" \
	    "$(echo "$r" | cut -d' ' -f1) $(jq -r .error.code "$T/body")"
	tail -n "+$((lines + 1))" "$SRV_LOG" |
	    grep -F "$sql" | grep -qF "ERROR:  vc-test refuses $op on $table" ||
	    { tail -n "+$((lines + 1))" "$SRV_LOG" >&2
	    fail "$name: the log does not name the refused statement"; }
	assert_eq "$name: nothing changed" "$before" "$(store_dump)"
	assert_eq "$name: same connections" "$pids" "$(backends)"
	r=$(req "$@")
	case $r in
	2*) ;;
	*) fail "$name: the next request: $r" ;;
	esac
	assert_eq "$name: same connections after" "$pids" "$(backends)"
}

put_inv "$A" "$SAMPLE" > /dev/null
jq '.collected_at = "2026-11-22T11:00:00Z"' "$SAMPLE" > "$T/beat.json"
jq '.devices[0].types[0].available_instances = 3 |
    .collected_at = "2026-11-22T12:00:00Z"' "$SAMPLE" > "$T/changed.json"
PUT_BEAT=(PUT "/v1/hosts/$A/inventory" -H Content-Type:application/json
    --data-binary "@$T/beat.json")
PUT_CHANGED=(PUT "/v1/hosts/$A/inventory" -H Content-Type:application/json
    --data-binary "@$T/changed.json")

# The first round trip: BEGIN applied, the bump refused, META skipped.
refused "bump" change_feed UPDATE \
    "UPDATE change_feed SET seq = seq + 1 RETURNING seq: ERROR:" \
    "${PUT_BEAT[@]}"
# The second, first in it: the heartbeat's UPDATE; NOTIFY and COMMIT
# skipped.
refused "heartbeat" hosts UPDATE "UPDATE hosts SET received_at = \$2" \
    "${PUT_BEAT[@]}"
# The second, after a statement that applied: the new document is in,
# the tombstone's removal refused; both undone.
refused "changed document" deleted_hosts DELETE \
    "DELETE FROM deleted_hosts WHERE host = \$1: ERROR:" \
    "${PUT_CHANGED[@]}"
assert_eq "changed document stored after" 2 \
    "$(psql_q "SELECT generation FROM hosts WHERE host = '$A'")"
# A DELETE: the row deleted in the first round trip, the tombstone
# refused in the second.
put_inv gpu-b.example.org "$SDATA/gpu-b.json" > /dev/null
refused "delete" deleted_hosts INSERT \
    "INSERT INTO deleted_hosts (host, seq) VALUES (\$1, \$2)" \
    DELETE /v1/hosts/gpu-b.example.org
assert_eq "deleted after" "" \
    "$(psql_q "SELECT host FROM hosts WHERE host = 'gpu-b.example.org'")"

# stored: the generation and collected_at of $A.
stored() {
	psql_q "SELECT generation || ' ' || collected_at FROM hosts
	    WHERE host = '$A'"
}

# kill_idle: end every connection of the server and wait until they
# are gone, as a database restart or an idle timeout would.
kill_idle() {
	local pids=$1 i=0
	psql_q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	    WHERE application_name = 'vfio-compatd'" > /dev/null
	while [ $i -lt 100 ]; do
		[ -n "$(psql_q "SELECT pid FROM pg_stat_activity
		    WHERE pid IN ($pids)")" ] || return 0
		sleep 0.1; i=$((i + 1))
	done
	fail "the server's connections did not end"
}

# after_kill NAME WANT METHOD PATH [CURL ARGS...]: the request answers
# WANT (its status) on connections killed while idle.
after_kill() {
	local name=$1 want=$2
	shift 2
	kill_idle "$(backends)"
	assert_eq "$name after the connections died" "$want" \
	    "$(req "$@" | cut -d' ' -f1)"
}

jq '.collected_at = "2026-11-22T13:00:00Z"' "$T/changed.json" > "$T/beat.json"
after_kill "heartbeat" 200 "${PUT_BEAT[@]}"
assert_eq "heartbeat stored" "2 2026-11-22T13:00:00Z" "$(stored)"
jq '.devices[0].types[0].available_instances = 4 |
    .collected_at = "2026-11-22T14:00:00Z"' "$SAMPLE" > "$T/changed.json"
after_kill "changed document" 200 "${PUT_CHANGED[@]}"
assert_eq "changed document stored" "3 2026-11-22T14:00:00Z" "$(stored)"
after_kill "delete" 204 DELETE "/v1/hosts/$A"
assert_eq "deleted" "" "$(psql_q "SELECT host FROM hosts WHERE host = '$A'")"
after_kill "delete of nothing" 404 DELETE "/v1/hosts/$A"
server_alive
stop_server
ok "pipelined writes: failures, first error, rollback, retry"
