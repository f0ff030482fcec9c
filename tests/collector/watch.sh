# SPDX-License-Identifier: Apache-2.0
# watch.sh -- --watch against a live vfio-compatd, over a umockdev test
# bed of the t4 tree that changes while the collector runs
# (watch-testbed): a new mdev's "add" uevent reaches the server within
# 2 s while an unannounced change waits for the interval; the server
# stopped and restarted mid-run gets the state it missed; with nothing
# changing a heartbeat still refreshes received_at at the same
# generation; --output, --db and --textfile follow; SIGTERM exits 0.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"
command -v curl >/dev/null || fail "curl is required"
command -v jq >/dev/null || fail "jq is required"
command -v sqlite3 >/dev/null || fail "sqlite3 is required"
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
[ -x "$PROMTOOL" ] || fail "promtool is required ($PROMTOOL)"
TESTBED=$top_builddir/tests/collector/watch-testbed
[ -x "$TESTBED" ] || fail "no $TESTBED"

PARENT=/sys/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0
M3=83b8f4f2-509f-382f-3c1e-e6bfe0fa1003
M4=83b8f4f2-509f-382f-3c1e-e6bfe0fa1004
P=vfio_compat_collector_
A222='{parent="0000:3b:00.0",kind="mdev",type="nvidia-222"}'
echo watch-token >"$T/token"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
SRV_PID=""

now() { date +%s.%N; }
# elapsed T0 [T1]: seconds from T0 to T1 (default now), 3 decimals.
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f", b - a }'; }

start_server() {
	"$VC_SERVER" --listen "127.0.0.1:$PORT" --db "$T/vc.db" \
	    >>"$T/server.log" 2>&1 &
	SRV_PID=$!
	at_exit "kill $SRV_PID 2>/dev/null || :"
	i=0
	until curl -fs --max-time 1 "$URL/readyz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$T/server.log" >&2; fail "server did not start"; }
		kill -0 "$SRV_PID" 2>/dev/null ||
		    { cat "$T/server.log" >&2; fail "server exited at start"; }
		sleep 0.1
	done
}

stop_server() {
	kill -TERM "$SRV_PID"
	i=0
	while kill -0 "$SRV_PID" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "server did not stop on SIGTERM"
		sleep 0.1
	done
	wait "$SRV_PID" 2>/dev/null || :
	SRV_PID=""
}

# get HOST: its stored document into $T/host.json; false unless 200.
get() {
	curl -fs --max-time 2 "$URL/v1/hosts/$1" >"$T/host.json" 2>/dev/null
}

# wait_for HOST SECONDS JQ: until JQ holds for the stored document, or fail.
wait_for() {
	_deadline=$(awk -v s="$2" -v n="$(now)" 'BEGIN { printf "%.3f", n + s }')
	until get "$1" && jq -e "$3" "$T/host.json" >/dev/null 2>&1; do
		awk -v d="$_deadline" -v n="$(now)" 'BEGIN { exit !(n > d) }' &&
		    { cat "$LOG" >&2; fail "$1: not within $2 s: $3"; }
		sleep 0.02
	done
}

# start_bed LOG ARGS...: the collector with --watch ARGS in a fresh test
# bed; BED[0] reads its answers, BED[1] takes commands.
start_bed() {
	LOG=$1
	shift
	coproc BED { exec "$TESTBED" "$VC_TESTDATA/t4.umockdev" "$WITH_TREE" -- \
	    "$VC_COLLECT" --probe-dir "$NOPROBES" --verbose --watch "$@" \
	    2>>"$LOG"; }
	BPID=$BED_PID
	at_exit "kill $BPID 2>/dev/null || :"
	BED_IN=${BED[1]}
	BED_OUT=${BED[0]}
	answer
	case "$reply" in
	"ready "*) ;;
	*) cat "$LOG" >&2; fail "test bed did not start: [$reply]" ;;
	esac
}

# bed COMMAND...: one command; its answer in $reply.
bed() {
	echo "$*" >&"$BED_IN"
	answer
}

answer() {
	reply=""
	IFS= read -r -t 20 reply <&"$BED_OUT" ||
	    { cat "$LOG" >&2; fail "no answer from the test bed"; }
}

# stop_bed: SIGTERM to the collector; it must exit 0 promptly.
stop_bed() {
	t0=$(now)
	bed stop
	assert_eq "SIGTERM: collector exit status" "exit 0" "$reply"
	awk -v e="$(elapsed "$t0")" 'BEGIN { exit !(e < 5) }' ||
	    fail "SIGTERM: took $(elapsed "$t0") s"
	ok "SIGTERM: exited in $(elapsed "$t0") s"
	i=0
	while kill -0 "$BPID" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "test bed did not exit"
		sleep 0.1
	done
	wait "$BPID" || fail "test bed exit status $?"
	grep -q 'exiting on a signal' "$LOG" || fail "no exit message in $LOG"
}

metric() {
	awk -v s="$2" '$1 == s { print $2; n++ } END { exit n != 1 }' "$1" ||
	    fail "$1: no single series $2"
}

start_server

# 1. A uevent for a new mdev reaches the server within 2 s; a change
# without one waits for the (60 s) interval.
H=t4-watch
start_bed "$T/watch.log" --interval 60 --host $H --push "$URL" \
    --token-file "$T/token" --output "$T/watch.json" --textfile "$T/watch.prom" \
    --db "$T/local.db"
wait_for $H 10 '.generation == 1 and (.instances | length) == 2'
ok "first push: generation 1, the tree's two mdevs"
cmp -s "$T/watch.json" /dev/null && fail "--output is empty"
assert_eq "--output: two instances" 2 "$(jq '.instances | length' "$T/watch.json")"
assert_eq "--db: generation 1, two instances" "1|2" "$(sqlite3 -batch "$T/local.db" \
    "select generation, json_array_length(document, '\$.instances') from hosts where host = '$H'")"
"$PROMTOOL" check metrics <"$T/watch.prom" >/dev/null 2>&1 ||
    fail "promtool rejects the watch text file"
assert_eq "textfile: nvidia-222 available" 14 \
    "$(metric "$T/watch.prom" "${P}type_available_instances$A222")"

bed attr "$PARENT" mdev_supported_types/nvidia-223/available_instances 1
assert_eq "attr answer" ok "$reply"
sleep 1.5
get $H || fail "GET $H"
assert_eq "no uevent, no push: generation" 1 "$(jq .generation "$T/host.json")"
assert_eq "no uevent, no push: nvidia-223 unchanged" 0 \
    "$(jq '[.devices[].types[] | select(.id == "nvidia-223")][0].available_instances' "$T/host.json")"

bed mdev-add "$PARENT" nvidia-222 $M3 202
case "$reply" in "ok "*) ;; *) fail "mdev-add: [$reply]" ;; esac
t0=${reply#ok }
wait_for $H 2 "[.instances[].id] | index(\"$M3\") != null"
lat=$(elapsed "$t0")
echo "uevent -> server latency: $lat s"
awk -v l="$lat" 'BEGIN { exit !(l < 2) }' || fail "latency $lat s"
ok "the new mdev reached the server in $lat s"
grep -q "uevent add mdev .*/$M3" "$T/watch.log" || fail "uevent not logged"
assert_eq "one new generation" 2 "$(jq .generation "$T/host.json")"
assert_eq "nvidia-222 available after the add" 13 \
    "$(jq '[.devices[].types[] | select(.id == "nvidia-222")][0].available_instances' "$T/host.json")"
assert_eq "the unannounced change came along" 1 \
    "$(jq '[.devices[].types[] | select(.id == "nvidia-223")][0].available_instances' "$T/host.json")"
jq -e "[.instances[] | select(.id == \"$M3\")][0] | .type == \"nvidia-222\" and .parent == \"0000:3b:00.0\"" \
    "$T/host.json" >/dev/null || fail "new instance: wrong type or parent"
assert_eq "--output followed" 3 "$(jq '.instances | length' "$T/watch.json")"
assert_eq "--db followed: generation 2, three instances" "2|3" "$(sqlite3 -batch "$T/local.db" \
    "select generation, json_array_length(document, '\$.instances') from hosts where host = '$H'")"
"$PROMTOOL" check metrics <"$T/watch.prom" >/dev/null 2>&1 ||
    fail "promtool rejects the watch text file"
assert_eq "textfile followed: available" 13 \
    "$(metric "$T/watch.prom" "${P}type_available_instances$A222")"
assert_eq "textfile followed: instances" 3 \
    "$(metric "$T/watch.prom" "${P}type_instances$A222")"
assert_eq "textfile: no push failures" 0 "$(metric "$T/watch.prom" "${P}push_failures_total")"
pushed=$(metric "$T/watch.prom" "${P}last_push_success_timestamp_seconds")
awk -v p="$pushed" -v t="$t0" 'BEGIN { exit !(p >= t) }' ||
    fail "last push success $pushed is before the uevent $t0"
assert_eq "textfile: no temporary file left" "watch.prom" \
    "$(cd "$T" && ls -A | grep '^watch\.prom')"
stop_bed

# 2. The server stops; a new mdev appears while it is down; it comes
# back on the same port and database and gets that state.
H=t4-restart
start_bed "$T/restart.log" --interval 2 --host $H --push "$URL" \
    --token-file "$T/token" --textfile "$T/restart.prom"
wait_for $H 10 '.generation == 1 and (.instances | length) == 2'
ok "restart: first push"
stop_server
bed mdev-add "$PARENT" nvidia-222 $M4 203
case "$reply" in "ok "*) ;; *) fail "mdev-add: [$reply]" ;; esac
i=0
until [ "$(grep -c 'next try in' "$T/restart.log")" -ge 2 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$T/restart.log" >&2; fail "no failed pushes while down"; }
	sleep 0.1
done
ok "failed pushes retried while the server is down"
sleep 3
max=$(sed -n 's/.*next try in \([0-9.]*\)s$/\1/p' "$T/restart.log" | sort -n | tail -n 1)
awk -v m="$max" 'BEGIN { exit !(m > 0 && m <= 2) }' ||
    fail "backoff not capped at the 2 s interval: $max s"
ok "backoff capped at the interval: longest wait $max s"
kill -0 "$BPID" || fail "collector test bed died while the server was down"
t0=$(now)
start_server
wait_for $H 10 "[.instances[].id] | index(\"$M4\") != null"
ok "caught up $(elapsed "$t0") s after the restart"
assert_eq "restart: one new generation" 2 "$(jq .generation "$T/host.json")"
assert_eq "restart: three instances" 3 "$(jq '.instances | length' "$T/host.json")"
sleep 0.5
n=$(metric "$T/restart.prom" "${P}push_failures_total")
[ "$n" -ge 2 ] || fail "textfile: push failures $n"
ok "textfile: $n push failures counted"
grep -q 'succeeded again' "$T/restart.log" || fail "recovery not logged"
stop_bed

# 3. Nothing changes: --interval 1 still pushes every second, so
# received_at moves while the generation stays; --output is not rewritten.
H=t4-heartbeat
start_bed "$T/heartbeat.log" --interval 1 --host $H --push "$URL" \
    --token-file "$T/token" --output "$T/hb.json"
wait_for $H 10 '.generation == 1'
r0=$(jq -r .received_at "$T/host.json")
m0=$(stat -c %y "$T/hb.json")
wait_for $H 5 ".received_at != \"$r0\""
assert_eq "heartbeat: same generation" 1 "$(jq .generation "$T/host.json")"
ok "heartbeat: received_at $r0 -> $(jq -r .received_at "$T/host.json")"
assert_eq "heartbeat: --output written once" "$m0" "$(stat -c %y "$T/hb.json")"
[ "$(grep -c 'pushed digest' "$T/heartbeat.log")" -ge 2 ] ||
    fail "heartbeat: fewer than two pushes"
! grep -q 'next try in' "$T/heartbeat.log" || fail "heartbeat: a push failed"
stop_bed
