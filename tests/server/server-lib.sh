# SPDX-License-Identifier: Apache-2.0
# tests/server/server-lib.sh -- start and talk to a real vfio-compatd.
#
# Source after tests/lib.sh. start_server [ARGS...] runs the server on
# 127.0.0.1 with a port the kernel chose and a database in $T, waits
# until /readyz answers 200 (the fleet is loaded: the port opens before
# that) and sets $URL, $SRV_PID, $DB and $SRV_LOG.
# With VC_TEST_STORE=postgresql the database is a PostgreSQL server of
# the test's own (tests/pg/pg-lib.sh) and $DB its URI; store_q runs
# one query against whichever store $DB is, store_dump prints it all.
# req METHOD PATH [curl args] prints "<status> <body>" on one line so a
# test can compare both in one assert.
: "${VC_SERVER:?run through tests/run-test}"
command -v curl >/dev/null || fail "curl is required"
command -v jq >/dev/null || fail "jq is required"
SAMPLE="$top_srcdir/tests/unit/data/sample.json"
SDATA="$top_srcdir/tests/server/data"
DB="$T/vc.db"
SRV_PID=""
SRV_LOG="$T/server.log"
case ${VC_TEST_STORE:-sqlite} in
sqlite) ;;
postgresql)
	. "$top_srcdir/tests/pg/pg-lib.sh"
	pg_start
	DB=$PG_URI
	;;
*) fail "VC_TEST_STORE: sqlite or postgresql, not $VC_TEST_STORE" ;;
esac

# store_q SQL: rows of one query against the server's store.
store_q() {
	if [ -n "${PG_URI:-}" ]; then psql_q "$1"; else sqlite3 "$DB" "$1"; fi
}

# store_dump: everything the store holds, as text to compare.
store_dump() {
	if [ -n "${PG_URI:-}" ]; then
		psql_q "SELECT * FROM hosts ORDER BY host; SELECT * FROM deleted_hosts ORDER BY host; SELECT * FROM change_feed"
	else
		sqlite3 "$DB" .dump
	fi
}

start_server() {
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT"
	"$VC_SERVER" --listen "127.0.0.1:$PORT" --db "$DB" --threads 4 \
	    "$@" >>"$SRV_LOG" 2>&1 &
	SRV_PID=$!
	at_exit "kill $SRV_PID 2>/dev/null || true"
	i=0
	until curl -fs "$URL/readyz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 300 ] || { cat "$SRV_LOG" >&2; fail "server did not start"; }
		kill -0 "$SRV_PID" 2>/dev/null || { cat "$SRV_LOG" >&2; fail "server exited at start"; }
		sleep 0.1
	done
}

# stop_server: SIGTERM, wait, and require exit status 0.
stop_server() {
	kill -TERM "$SRV_PID"
	rc=0
	wait "$SRV_PID" || rc=$?
	[ "$rc" = 0 ] || { cat "$SRV_LOG" >&2; fail "server exited $rc on SIGTERM"; }
	SRV_PID=""
}

server_alive() {
	kill -0 "$SRV_PID" 2>/dev/null || { cat "$SRV_LOG" >&2; fail "server died"; }
}

# req METHOD PATH [CURL ARGS...]: "<status> <body>"
req() {
	m=$1 p=$2
	shift 2
	out=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$URL$p") || true
	printf '%s %s' "$out" "$(cat "$T/body" 2>/dev/null)"
}

# status METHOD PATH [CURL ARGS...]: the status code only
status() {
	req "$@" | cut -d' ' -f1
}

# put_inv HOST FILE [CURL ARGS...]: PUT an inventory, print the body.
put_inv() {
	h=$1 f=$2
	shift 2
	curl -s -X PUT -H 'Content-Type: application/json' \
	    --data-binary "@$f" "$@" "$URL/v1/hosts/$h/inventory"
}

# variant FILE HOST [JQ FILTER]: sample.json renamed (and edited) into FILE
variant() {
	jq --arg h "$2" ".host = \$h | ${3:-.}" "$SAMPLE" > "$1"
}
