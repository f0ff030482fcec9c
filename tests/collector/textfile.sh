# SPDX-License-Identifier: Apache-2.0
# textfile.sh -- --textfile: the host's metrics in the Prometheus text
# format, accepted by promtool, with the tree's values, written by rename
# (no temporary file left), alone or beside stdout and --push.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
[ -x "$PROMTOOL" ] || fail "promtool is required ($PROMTOOL)"
P=vfio_compat_collector_

mkdir "$T/tf"
# metric FILE SERIES: the value of one series (whole name and labels).
metric() {
	awk -v s="$2" '$1 == s { print $2; n++ } END { exit n != 1 }' "$1" ||
	    fail "$1: no single series $2"
}
check() {
	"$PROMTOOL" check metrics <"$1" >"$T/promtool.out" 2>&1 ||
	    { cat "$T/promtool.out" >&2; fail "promtool rejects $1"; }
	ok "promtool check metrics: $(basename "$1")"
}

# One-shot over t4: only the text file, nothing on stdout.
before=$(date +%s)
collect t4 --textfile "$T/tf/vc.prom" || fail "t4: exit $?: $(cat "$T/t4.err")"
after=$(date +%s)
[ ! -s "$T/t4.json" ] || fail "--textfile alone also printed the inventory"
[ -s "$T/tf/vc.prom" ] || fail "no text file"
check "$T/tf/vc.prom"
assert_eq "only the file is left in its directory" "vc.prom" "$(ls -A "$T/tf")"
A='{parent="0000:3b:00.0",kind="mdev",type="nvidia-222"}'
assert_eq "nvidia-222 available" 14 "$(metric "$T/tf/vc.prom" "${P}type_available_instances$A")"
assert_eq "nvidia-222 instances" 2 "$(metric "$T/tf/vc.prom" "${P}type_instances$A")"
B='{parent="0000:3b:00.0",kind="mdev",type="nvidia-223"}'
assert_eq "nvidia-223 available" 0 "$(metric "$T/tf/vc.prom" "${P}type_available_instances$B")"
assert_eq "nvidia-223 instances" 0 "$(metric "$T/tf/vc.prom" "${P}type_instances$B")"
assert_eq "types of the T4" 16 "$(grep -c "^${P}type_available_instances{" "$T/tf/vc.prom")"
assert_eq "devices" 1 "$(metric "$T/tf/vc.prom" "${P}devices")"
assert_eq "instances" 2 "$(metric "$T/tf/vc.prom" "${P}instances")"
assert_eq "info" 1 "$(metric "$T/tf/vc.prom" "${P}info{host=\"testhost\",version=\"0.1.0\"}")"
ts=$(metric "$T/tf/vc.prom" "${P}last_scan_timestamp_seconds")
ts=${ts%.*}
[ "$ts" -ge "$before" ] && [ "$ts" -le "$after" ] ||
    fail "last scan timestamp $ts not within [$before, $after]"
ok "last scan timestamp is the run's"
dur=$(metric "$T/tf/vc.prom" "${P}scan_duration_seconds")
awk -v d="$dur" 'BEGIN { exit !(d > 0 && d < 30) }' ||
    fail "scan duration $dur"
ok "scan duration $dur s"
for m in type_available_instances type_instances devices scan_duration_seconds; do
	grep -q "^# HELP ${P}$m " "$T/tf/vc.prom" || fail "no HELP for $m"
	grep -q "^# TYPE ${P}$m gauge\$" "$T/tf/vc.prom" || fail "no TYPE for $m"
done
ok "HELP and TYPE lines"
! grep -q "push" "$T/tf/vc.prom" || fail "push series without --push"
ok "no push series without --push"

# Rewritten in place; stdout still gets the inventory with --output -.
echo stale >"$T/tf/vc.prom"
collect mtty --textfile "$T/tf/vc.prom" --output - ||
    fail "mtty: exit $?: $(cat "$T/mtty.err")"
valid "$T/mtty.json"
as_jansson_prints "$T/mtty.json"
check "$T/tf/vc.prom"
assert_eq "mtty-2 available" 11 "$(metric "$T/tf/vc.prom" \
    "${P}type_available_instances{parent=\"mtty\",kind=\"mdev\",type=\"mtty-2\"}")"
assert_eq "mtty-2 instances" 1 "$(metric "$T/tf/vc.prom" \
    "${P}type_instances{parent=\"mtty\",kind=\"mdev\",type=\"mtty-2\"}")"
assert_eq "still only the file" "vc.prom" "$(ls -A "$T/tf")"

# The hostile tree: promtool still accepts the file, and the type with a
# missing available_instances has no available series, only instances.
collect hostile --textfile "$T/tf/h.prom" || fail "hostile: exit $?"
check "$T/tf/h.prom"
grep -q "^${P}type_instances{parent=\"0000:00:09.0\",kind=\"mdev\",type=\"nvidia-901\"} 0\$" \
    "$T/tf/h.prom" || fail "hostile: nvidia-901 instances missing"
! grep -q "^${P}type_available_instances{[^}]*type=\"nvidia-901\"}" "$T/tf/h.prom" ||
    fail "hostile: a series for an unknown available_instances"
ok "unknown available_instances: no series"

# With --push to nothing: the push series record the failure, and the
# run still fails with its one line.
DEAD=$(free_port)
echo token >"$T/token"
rc=0
collect t4 --textfile "$T/tf/p.prom" --push "http://127.0.0.1:$DEAD" \
    --token-file "$T/token" || rc=$?
assert_eq "failed push: exit status" 1 "$rc"
check "$T/tf/p.prom"
assert_eq "push failures" 1 "$(metric "$T/tf/p.prom" "${P}push_failures_total")"
assert_eq "no successful push" 0.000 "$(metric "$T/tf/p.prom" "${P}last_push_success_timestamp_seconds")"
grep -q "^# TYPE ${P}push_failures_total counter\$" "$T/tf/p.prom" ||
    fail "push_failures_total is not a counter"

# A directory that does not exist: one line, exit 1.
rc=0
collect t4 --textfile "$T/nowhere/vc.prom" || rc=$?
assert_eq "unwritable text file: exit status" 1 "$rc"
assert_eq "unwritable text file: one line" 1 "$(wc -l <"$T/t4.err")"
grep -q -- "--textfile $T/nowhere/vc.prom.tmp.[0-9]*: No such file" "$T/t4.err" ||
    fail "unwritable text file: reason not shown: $(cat "$T/t4.err")"
