#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/deploy/prometheus.sh -- vfio-compatd's /metrics as Prometheus
# sees it: promtool accepts the example config, the alert rules and their
# unit tests, and the live /metrics text; then a real Prometheus server
# (loopback, temporary storage, 1 s scrapes) scrapes two servers, one
# started with --demo (the fleet in deploy/demo/) and one loaded by PUT
# with the fleet in tests/nova/data/, and its HTTP API answers up == 1
# and the inventory gauges each fleet holds.
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
for t in promtool prometheus; do
	command -v $t >/dev/null || fail "$t is missing (Debian package prometheus)"
done
command -v curl >/dev/null || fail "curl is missing (Debian package curl)"
[ -x "$VC_SERVER" ] || fail "server not built: $VC_SERVER"
conf=$top_srcdir/deploy/prometheus
data=$top_srcdir/tests/nova/data

# The shipped config and rules.
promtool check config "$conf/prometheus.yml" >"$T/out" 2>&1 ||
    { cat "$T/out" >&2; fail "promtool check config"; }
promtool check rules "$conf/vfio-compat.rules.yml" >"$T/out" 2>&1 ||
    { cat "$T/out" >&2; fail "promtool check rules"; }
(cd "$conf" && promtool test rules vfio-compat.rules.test.yml) >"$T/out" 2>&1 ||
    { cat "$T/out" >&2; fail "promtool test rules"; }
ok "config, rules and rule tests"

# wait_for WHAT CMD...: up to 30 s for CMD to succeed.
wait_for() {
	local what=$1 i=0; shift
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 300 ] || fail "$what not within 30 s"
		sleep 0.1
	done
}

port=$(free_port)
url=http://127.0.0.1:$port
"$VC_SERVER" --listen "127.0.0.1:$port" --db "$T/vc.db" \
    >"$T/server.log" 2>&1 &
server=$!
at_exit "kill $server 2>/dev/null; wait $server 2>/dev/null || true"
wait_for "server up" curl -sf "$url/readyz"

for f in "$data"/*.json; do
	host=$(sed -n 's/^  "host": "\(.*\)",$/\1/p' "$f")
	code=$(curl -s -o "$T/put.out" -w '%{http_code}' -X PUT \
	    -H 'Content-Type: application/json' --data-binary @"$f" \
	    "$url/v1/hosts/$host/inventory")
	[ "$code" = 200 ] || fail "PUT $host: HTTP $code $(cat "$T/put.out")"
done
# Traffic on more routes and codes, so that every family has samples.
curl -s -X POST -H 'Content-Type: application/json' \
    --data '{"source":{"vm":"6f3b1c2d-0000-4000-8000-00000000002a"}}' \
    "$url/v1/check" >/dev/null
curl -s "$url/v1/hosts/no-such-host" >/dev/null
curl -s "$url/v1/hosts" >/dev/null

# The demo server, as an operator starts it.
dport=$(free_port)
durl=http://127.0.0.1:$dport
"$VC_SERVER" --listen "127.0.0.1:$dport" --db "$T/demo.db" --demo "$top_srcdir/deploy/demo" \
    >"$T/demo.log" 2>&1 &
demo=$!
at_exit "kill $demo 2>/dev/null; wait $demo 2>/dev/null || true"
wait_for "demo server up" curl -sf "$durl/readyz"

# What the demo fleet holds, from its files.
read -r ndemo demofree <<EOFV
$("$PY" - "$top_srcdir"/deploy/demo/*.json <<'PYEOF'
import json, sys
invs = [json.load(open(f)) for f in sys.argv[1:]]
print(len(invs), sum(t["available_instances"] or 0 for i in invs
                     for d in i["devices"] for t in d["types"]))
PYEOF
)
EOFV
[ "$ndemo" -gt 0 ] && [ "$demofree" -gt 0 ] ||
    fail "demo fleet: $ndemo hosts, $demofree free instances"

# What the PUT fleet holds, from the fixtures themselves.
read -r nhosts free222 freeok hosts222 <<EOFV
$("$PY" - "$data"/*.json <<'PYEOF'
import json, sys
invs = [json.load(open(f)) for f in sys.argv[1:]]
free = sum(t["available_instances"] for i in invs for d in i["devices"]
           for t in d["types"] if t["id"] == "nvidia-222")
ok = sum(t["available_instances"] for i in invs for d in i["devices"]
         for t in d["types"]
         if t["id"] == "nvidia-222" and i["host"] == "gpu-ok.example.org")
offer = sum(1 for i in invs if any(t["id"] == "nvidia-222"
                                   for d in i["devices"] for t in d["types"]))
print(len(invs), free, ok, offer)
PYEOF
)
EOFV
[ "$nhosts" -ge 3 ] && [ "$freeok" -gt 0 ] && [ "$free222" -gt "$freeok" ] &&
    [ "$hosts222" -ge 2 ] ||
    fail "fixtures: $nhosts hosts, $free222 and $freeok free, $hosts222 offer it"

for u in "$url" "$durl"; do
	curl -sf "$u/metrics" -D "$T/headers" -o "$T/metrics" ||
	    fail "GET $u/metrics"
	grep -qi '^content-type: text/plain; version=0.0.4' "$T/headers" ||
	    fail "metrics content type: $(grep -i content-type "$T/headers")"
	promtool check metrics <"$T/metrics" >"$T/out" 2>&1 ||
	    { cat "$T/out" >&2; fail "promtool check metrics ($u)"; }
	[ ! -s "$T/out" ] ||
	    { cat "$T/out" >&2; fail "promtool check metrics lint ($u)"; }
	ok "promtool check metrics on $u/metrics"
done

# A real Prometheus scraping it every second, with the alert rules loaded.
pport=$(free_port)
purl=http://127.0.0.1:$pport
mkdir "$T/prom"
cp "$conf/vfio-compat.rules.yml" "$T/prom/"
cat >"$T/prom/prometheus.yml" <<EOFC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - vfio-compat.rules.yml
scrape_configs:
  - job_name: vfio-compat
    static_configs:
      - targets: ["127.0.0.1:$port"]
  - job_name: vfio-compat-demo
    static_configs:
      - targets: ["127.0.0.1:$dport"]
EOFC
prometheus --config.file="$T/prom/prometheus.yml" \
    --storage.tsdb.path="$T/prom/data" \
    --web.listen-address="127.0.0.1:$pport" \
    >"$T/prom.log" 2>&1 &
prom=$!
at_exit "kill $prom 2>/dev/null; wait $prom 2>/dev/null || true"
wait_for "prometheus ready" curl -sf "$purl/-/ready"
ok "prometheus ready"

# query EXPR: the single value of an instant query, or nothing.
query() {
	curl -sf -G --data-urlencode "query=$1" "$purl/api/v1/query" |
	"$PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
if len(r) == 1:
    print(r[0]["value"][1])'
}
# expect WHAT EXPR VALUE: the query reaches VALUE within 30 s.
expect() {
	local i=0 got=
	while :; do
		got=$(query "$2" || true)
		[ "$got" = "$3" ] && break
		i=$((i + 1))
		[ $i -le 60 ] || { tail -n 20 "$T/prom.log" >&2;
		    fail "$1: $2 = [$got], want [$3] within 30 s"; }
		sleep 0.5
	done
	ok "$1: $2 = $3"
}
expect "scraped" 'up{job="vfio-compat"}' 1
expect "fresh hosts" 'vfio_compat_hosts{job="vfio-compat",state="fresh"}' "$nhosts"
expect "stale hosts" 'vfio_compat_hosts{job="vfio-compat",state="stale"}' 0
expect "free nvidia-222" \
    'sum(vfio_compat_type_available_instances{job="vfio-compat",kind="mdev",type="nvidia-222"})' \
    "$free222"
expect "hosts offering nvidia-222" \
    'vfio_compat_type_hosts{job="vfio-compat",kind="mdev",type="nvidia-222"}' "$hosts222"
expect "no per-host type series by default" \
    'count(vfio_compat_type_instances{job="vfio-compat",host!=""}) or vector(0)' 0
expect "build_info" 'count(vfio_compat_build_info{job="vfio-compat"})' 1
expect "stale_after_seconds" 'vfio_compat_stale_after_seconds{job="vfio-compat"}' 300
expect "process series" \
    'count(process_resident_memory_bytes{job="vfio-compat"} > 0)' 1

expect "demo scraped" 'up{job="vfio-compat-demo"}' 1
expect "demo fresh hosts" \
    'vfio_compat_hosts{job="vfio-compat-demo",state="fresh"}' "$ndemo"
expect "demo free instances" \
    'sum(vfio_compat_type_available_instances{job="vfio-compat-demo"})' \
    "$demofree"

# A change in the fleet reaches Prometheus: forget a host.
curl -sf -X DELETE "$url/v1/hosts/gpu-ok.example.org" >/dev/null ||
    fail "DELETE gpu-ok"
expect "fresh hosts after delete" \
    'vfio_compat_hosts{job="vfio-compat",state="fresh"}' $((nhosts - 1))
expect "free nvidia-222 after delete" \
    'sum(vfio_compat_type_available_instances{job="vfio-compat",type="nvidia-222"})' \
    $((free222 - freeok))
expect "hosts offering nvidia-222 after delete" \
    'vfio_compat_type_hosts{job="vfio-compat",kind="mdev",type="nvidia-222"}' \
    $((hosts222 - 1))

# The rules loaded and evaluate without error against live data.
curl -sf "$purl/api/v1/rules" | "$PY" -c '
import json, sys
g = json.load(sys.stdin)["data"]["groups"]
rules = [r for grp in g for r in grp["rules"]]
assert len(rules) == 5, rules
bad = [r["name"] for r in rules if r.get("health") not in ("ok", "unknown")]
assert not bad, bad' || fail "rules in prometheus"
ok "alert rules loaded"
