# SPDX-License-Identifier: Apache-2.0
# metrics.sh -- /metrics as SPEC v1.1 section 8 has it: the exact set of
# families without and with --metrics-detail, no host label on the type
# totals, totals equal to the sum over the hosts (the demo fleet, from
# its files and from the detail series of the same scrape), and
# staleness that follows the clock between reports: hosts{state} and
# type_hosts change at a scrape with no PUT in between, a heartbeat
# brings a host back, a DELETE takes its part out of every total.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
DEMO="$top_srcdir/deploy/demo"

# families FILE: the metric family names of a scrape, one a line.
families() {
	sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' "$1" | sort
}
promcheck() {
	if command -v promtool >/dev/null; then
		promtool check metrics <"$1" >"$T/lint" 2>&1 ||
		    { cat "$T/lint" >&2; fail "promtool check metrics: $2"; }
		[ ! -s "$T/lint" ] || { cat "$T/lint" >&2; fail "promtool lint: $2"; }
		ok "promtool check metrics: $2"
	elif [ "${CI:-}" = true ]; then
		fail "promtool is missing (Debian package prometheus)"
	fi
}

# sums SCRAPE [DEMO FILES...]: compares the type totals of SCRAPE with
# the sum over the files (no files: over the scrape's own per-host
# series) and with type_hosts counted from the files; prints the
# number of (kind, type) totals compared.
sums() {
	python3 - "$@" <<'PY'
import json, re, sys
scrape, files = sys.argv[1], sys.argv[2:]
tot, det, hosts = {}, {}, {}
for line in open(scrape):
    m = re.match(r'vfio_compat_(type_available_instances|type_instances|type_hosts)\{(.*)\} (\S+)$', line)
    if not m:
        continue
    labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
    key = (m.group(1), labels["kind"], labels["type"])
    v = int(float(m.group(3)))
    if "host" in labels:
        assert m.group(1) != "type_hosts", line
        det[key] = det.get(key, 0) + v
    else:
        assert set(labels) == {"kind", "type"}, line
        assert key not in tot, "two totals for %s" % (key,)
        tot[key] = v
want, offers = {}, {}
for f in files:
    inv = json.load(open(f))
    for d in inv["devices"]:
        for t in d.get("types") or []:
            k = (t["kind"], t["id"])
            offers.setdefault(k, set()).add(inv["host"])
            n = sum(1 for i in inv.get("instances") or []
                    if i["kind"] == t["kind"] and i["parent"] == d["address"]
                    and i["type"] == t["id"])
            want[("type_instances",) + k] = want.get(("type_instances",) + k, 0) + n
            if t["available_instances"] is not None:
                a = ("type_available_instances",) + k
                want[a] = want.get(a, 0) + t["available_instances"]
for k, h in offers.items():
    want[("type_hosts",) + k] = len(h)
if not files:
    want = det
    want.update({k: v for k, v in tot.items() if k[0] == "type_hosts"})
bad = [(k, tot.get(k), want.get(k)) for k in sorted(set(tot) | set(want))
       if tot.get(k) != want.get(k)]
for b in bad[:10]:
    print("total %s: /metrics %s, sum over hosts %s" % b, file=sys.stderr)
assert not bad and tot, "%d totals differ" % len(bad)
print(len(tot))
PY
}

# 1. The demo fleet, default series.
start_server --demo "$DEMO"
curl -s "$URL/v1/hosts" >/dev/null
curl -s -X POST "$URL/v1/hosts" >/dev/null
curl -s "$URL/metrics" >"$T/m"
promcheck "$T/m" default
cat >"$T/want" <<'EOF'
process_cpu_seconds_total
process_open_fds
process_resident_memory_bytes
process_start_time_seconds
vfio_compat_build_info
vfio_compat_check_requests_total
vfio_compat_checks_total
vfio_compat_host_last_report_timestamp_seconds
vfio_compat_hosts
vfio_compat_http_request_duration_seconds
vfio_compat_http_requests_total
vfio_compat_inventory_updates_total
vfio_compat_stale_after_seconds
vfio_compat_type_available_instances
vfio_compat_type_hosts
vfio_compat_type_instances
EOF
families "$T/m" >"$T/got"
diff "$T/want" "$T/got" || fail "families without --metrics-detail"
ok "families without --metrics-detail"
grep -E '^vfio_compat_[a-z_]+\{[^}]*host=' "$T/m" |
    grep -v '^vfio_compat_host_last_report_timestamp_seconds{host="[^"]*"} [0-9]*$' &&
    fail "a series other than the report time carries a host label"
ok "only host_last_report_timestamp_seconds has a host label"
ndemo=$(ls "$DEMO"/*.json | wc -l)
assert_eq "one report time per demo host" "$ndemo" \
    "$(grep -c '^vfio_compat_host_last_report_timestamp_seconds{' "$T/m")"
# Demo hosts never age: their report time is the scrape's.
now=$(date +%s)
sed -n 's/^vfio_compat_host_last_report_timestamp_seconds{[^}]*} //p' "$T/m" |
    awk -v now="$now" '$1 < now - 5 || $1 > now + 5 { bad = 1 } END { exit bad }' ||
    fail "demo hosts' report time is not now"
ok "demo hosts report as of now"
assert_eq "demo hosts fresh" "$ndemo" \
    "$(sed -n 's/^vfio_compat_hosts{state="fresh"} //p' "$T/m")"
grep -q '^vfio_compat_http_requests_total{route="/v1/hosts",method="POST",code="405"} 1$' "$T/m" ||
    fail "method on http_requests_total: $(grep 'route="/v1/hosts",' "$T/m")"
ok "http_requests_total has method"
n=$(sums "$T/m" "$DEMO"/*.json) || fail "totals are not the sum over the demo files"
ok "$n type totals equal the sum over the demo fleet's files"
rss=$(sed -n 's/^process_resident_memory_bytes //p' "$T/m")
kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SRV_PID/status")
awk -v a="$rss" -v b="$kb" 'BEGIN { d = a / 1024 - b; exit !(d < 4096 && d > -4096) }' ||
    fail "process_resident_memory_bytes $rss, VmRSS $kb kB"
ok "process_resident_memory_bytes agrees with /proc (VmRSS $kb kB)"
stop_server

# 2. The same fleet with --metrics-detail: the v1 per-host series too,
# and the totals are the sum of them.
rm -f "$DB"
start_server --demo "$DEMO" --metrics-detail
curl -s "$URL/metrics" >"$T/md"
promcheck "$T/md" "--metrics-detail"
echo vfio_compat_device_info | sort - "$T/want" >"$T/want-detail"
families "$T/md" | grep -v '_http_' >"$T/got"
grep -v '_http_' "$T/want-detail" | diff - "$T/got" || fail "families with --metrics-detail"
ok "families with --metrics-detail"
ndev=$(jq -s '[.[].devices | length] | add' "$DEMO"/*.json)
assert_eq "device_info per device" "$ndev" "$(grep -c '^vfio_compat_device_info{host=' "$T/md")"
grep -q '^vfio_compat_type_instances{host="gpu-a1",parent="0000:3b:00.0",kind="mdev",type="nvidia-222"} 2$' "$T/md" ||
    fail "v1 per-host type_instances"
n=$(sums "$T/md") || fail "totals are not the sum of the per-host series"
ok "$n type totals equal the sum of the per-host series"
sums "$T/md" "$DEMO"/*.json >/dev/null || fail "detail totals against the files"
assert_eq "DELETE gpu-a1" 204 "$(status DELETE /v1/hosts/gpu-a1)"
curl -s "$URL/metrics" >"$T/md2"
grep -q 'host="gpu-a1"' "$T/md2" && fail "gpu-a1 still in /metrics"
ls "$DEMO"/*.json | grep -v '/gpu-a1.json$' >"$T/rest"
sums "$T/md2" $(cat "$T/rest") >/dev/null || fail "totals after DELETE"
ok "a DELETE leaves every total and per-host series"
stop_server

# 3. Staleness at scrape time, with no PUT between scrapes.
rm -f "$DB"
start_server --stale-after 2
variant "$T/a.json" meter-a.example.org
variant "$T/b.json" meter-b.example.org
put_inv meter-a.example.org "$T/a.json" | grep -q '"generation"' || fail "PUT a"
put_inv meter-b.example.org "$T/b.json" | grep -q '"generation"' || fail "PUT b"
curl -s "$URL/metrics" >"$T/s1"
grep -q '^vfio_compat_hosts{state="fresh"} 2$' "$T/s1" || fail "fresh: $(grep hosts{ "$T/s1")"
grep -q '^vfio_compat_type_hosts{kind="mdev",type="nvidia-222"} 2$' "$T/s1" ||
    fail "type_hosts: $(grep type_hosts "$T/s1")"
grep -q '^vfio_compat_stale_after_seconds 2$' "$T/s1" || fail "stale_after_seconds"
sums "$T/s1" "$T/a.json" "$T/b.json" >/dev/null || fail "totals of two hosts"
t1=$(sed -n 's/^vfio_compat_host_last_report_timestamp_seconds{host="meter-a.example.org"} //p' "$T/s1")
sleep 3.5
curl -s "$URL/metrics" >"$T/s2"
grep -q '^vfio_compat_hosts{state="stale"} 2$' "$T/s2" || fail "stale by time: $(grep hosts{ "$T/s2")"
grep -q '^vfio_compat_hosts{state="fresh"} 0$' "$T/s2" || fail "fresh by time"
grep -q '^vfio_compat_type_hosts{kind="mdev",type="nvidia-222"} 0$' "$T/s2" ||
    fail "type_hosts by time: $(grep type_hosts "$T/s2")"
assert_eq "capacity totals keep stale hosts" \
    "$(grep '^vfio_compat_type_instances' "$T/s1")" "$(grep '^vfio_compat_type_instances' "$T/s2")"
ok "hosts and type_hosts go stale with the clock"
# The same document again (unchanged) is a report: fresh again.
put_inv meter-a.example.org "$T/a.json" | grep -q '"changed":false' || fail "heartbeat PUT"
curl -s "$URL/metrics" >"$T/s3"
grep -q '^vfio_compat_hosts{state="fresh"} 1$' "$T/s3" || fail "after heartbeat: $(grep hosts{ "$T/s3")"
grep -q '^vfio_compat_type_hosts{kind="mdev",type="nvidia-222"} 1$' "$T/s3" ||
    fail "type_hosts after heartbeat: $(grep type_hosts "$T/s3")"
t3=$(sed -n 's/^vfio_compat_host_last_report_timestamp_seconds{host="meter-a.example.org"} //p' "$T/s3")
[ "$t3" -gt "$t1" ] || fail "report time did not move: $t1 then $t3"
ok "a heartbeat makes the host fresh and moves its report time"
assert_eq "DELETE b" 204 "$(status DELETE /v1/hosts/meter-b.example.org)"
curl -s "$URL/metrics" >"$T/s4"
grep -q '^vfio_compat_hosts{state="stale"} 0$' "$T/s4" || fail "after DELETE: $(grep hosts{ "$T/s4")"
grep -q 'host="meter-b.example.org"' "$T/s4" && fail "deleted host's report time"
sums "$T/s4" "$T/a.json" >/dev/null || fail "totals after DELETE"
ok "a DELETE takes the host out of the counts and totals"
server_alive
stop_server
