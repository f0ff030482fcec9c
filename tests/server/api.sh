# SPDX-License-Identifier: Apache-2.0
# api.sh -- every endpoint of SPEC section 5 against a live server:
# ingestion and idempotency, reads, filters, delete, checks in all three
# forms, policy, OpenAPI, health, readiness and metrics.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
start_server

A=$(jq -r .host "$SAMPLE")
VM=$(jq -r '.vms[0].uuid' "$SAMPLE")
INST=$(jq -r '.instances[0].id' "$SAMPLE")

assert_eq "healthz" '200 {"status":"ok"}' "$(req GET /healthz)"
assert_eq "readyz" '200 {"status":"ready"}' "$(req GET /readyz)"
assert_eq "HEAD healthz" 200 "$(curl -sI -o /dev/null -w '%{http_code}' "$URL/healthz")"
ct=$(curl -s -o /dev/null -w '%{content_type}' "$URL/healthz")
assert_eq "healthz content type" "application/json" "$ct"

# Ingestion: first PUT changes, the same document again does not.
r=$(put_inv "$A" "$SAMPLE")
assert_eq "first PUT" "$A 1 true" "$(echo "$r" | jq -r '"\(.host) \(.generation) \(.changed)"')"
r=$(put_inv "$A" "$SAMPLE")
assert_eq "same PUT unchanged" "1 false" "$(echo "$r" | jq -r '"\(.generation) \(.changed)"')"
jq '.collected_at = "2026-11-22T11:00:00Z"' "$SAMPLE" > "$T/later.json"
r=$(put_inv "$A" "$T/later.json")
assert_eq "newer collected_at, same state" "1 false" "$(echo "$r" | jq -r '"\(.generation) \(.changed)"')"
jq '.devices[0].types[0].available_instances = 14 | .collected_at = "2026-11-22T12:00:00Z"' \
    "$SAMPLE" > "$T/changed.json"
r=$(put_inv "$A" "$T/changed.json")
assert_eq "changed state" "2 true" "$(echo "$r" | jq -r '"\(.generation) \(.changed)"')"
jq '.collected_at = "2026-11-22T13:00:00Z"' "$SAMPLE" > "$T/back.json"
r=$(put_inv "$A" "$T/back.json")
assert_eq "back to the first state" "3 true" "$(echo "$r" | jq -r '"\(.generation) \(.changed)"')"
# A late retry of an older report changes nothing.
r=$(put_inv "$A" "$T/changed.json")
assert_eq "older collected_at refused" "OUT_OF_ORDER collected_at" \
    "$(echo "$r" | jq -r '"\(.error.code) \(.error.field)"')"
assert_eq "older collected_at: 409" 409 "$(status PUT "/v1/hosts/$A/inventory" \
    -H Content-Type:application/json --data-binary "@$T/changed.json")"
put_inv gpu-b.example.org "$SDATA/gpu-b.json" >/dev/null
put_inv gpu-c.example.org "$SDATA/gpu-c.json" >/dev/null

# Reads.
curl -s "$URL/v1/hosts/$A" > "$T/got.json"
assert_eq "GET host: generation" 3 "$(jq .generation "$T/got.json")"
assert_eq "GET host: stale" false "$(jq .stale "$T/got.json")"
jq -e '.received_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' "$T/got.json" >/dev/null ||
    fail "received_at is not RFC 3339"
ok "GET host: received_at"
assert_eq "GET host: document round trip" "$(jq -S 'del(.collected_at)' "$SAMPLE")" \
    "$(jq -S 'del(.received_at, .stale, .generation, .collected_at)' "$T/got.json")"
assert_eq "GET unknown host" 404 "$(status GET /v1/hosts/nosuch.example.org)"
assert_eq "GET unknown host code" HOST_NOT_FOUND "$(jq -r .error.code "$T/body")"

curl -s "$URL/v1/hosts" > "$T/list.json"
assert_eq "list: hosts in order" "$A gpu-b.example.org gpu-c.example.org" \
    "$(jq -r '[.hosts[].host] | join(" ")' "$T/list.json")"
assert_eq "list: summary fields" '["collected_at","devices","host","instances","received_at","stale","vms"]' \
    "$(jq -c '.hosts[0] | del(.generation) | keys' "$T/list.json")"
assert_eq "list: counts" "2 1 1" "$(jq -r '.hosts[0] | "\(.devices) \(.instances) \(.vms)"' "$T/list.json")"
assert_eq "filter vendor_id" "gpu-c.example.org" \
    "$(curl -s "$URL/v1/hosts?vendor_id=8086" | jq -r '[.hosts[].host] | join(" ")')"
assert_eq "filter type" "3" \
    "$(curl -s "$URL/v1/hosts?type=nvidia-222" | jq '.hosts | length')"
assert_eq "filter type none" "0" \
    "$(curl -s "$URL/v1/hosts?type=nvidia-999" | jq '.hosts | length')"
assert_eq "filter stale=false" "3" "$(curl -s "$URL/v1/hosts?stale=false" | jq '.hosts | length')"
assert_eq "filter stale=true" "0" "$(curl -s "$URL/v1/hosts?stale=true" | jq '.hosts | length')"
assert_eq "filter combined" "gpu-c.example.org" \
    "$(curl -s "$URL/v1/hosts?stale=false&vendor_id=8086&type=nvidia-222" | jq -r '[.hosts[].host] | join(" ")')"

# Checks: POST, the GET form for a device and for a VM, destinations.
cat > "$T/check.json" <<EOJ
{"mode": "live", "source": {"host": "$A", "devices": ["$INST"]},
 "destinations": ["gpu-b.example.org", "gpu-c.example.org", "never.example.org"]}
EOJ
r=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary "@$T/check.json" "$URL/v1/check")
assert_eq "POST check: three results" 3 "$(echo "$r" | jq '.results | length')"
echo "$r" | jq -e '.results | all(.verdict == "compatible" or .verdict == "incompatible" or .verdict == "unknown")' >/dev/null ||
    fail "POST check: bad verdicts: $r"
assert_eq "POST check: unknown host" unknown \
    "$(echo "$r" | jq -r '.results[] | select(.host == "never.example.org") | .verdict')"
echo "$r" | jq -e '.results[] | select(.host == "never.example.org") | .reasons | any(.code == "HOST_UNKNOWN")' >/dev/null ||
    fail "POST check: HOST_UNKNOWN missing: $r"
ok "POST check: HOST_UNKNOWN"

r=$(req GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&device=$INST")
assert_eq "GET check device: status" 200 "${r%% *}"
assert_eq "GET check device: one result for the host" gpu-b.example.org "$(jq -r .host "$T/body")"
jq -e '.verdict' "$T/body" >/dev/null || fail "GET check: no verdict"
r=$(req GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&vm=$VM")
assert_eq "GET check vm: status" 200 "${r%% *}"
assert_eq "GET check, unknown source host" "404 SOURCE_UNKNOWN" \
    "$(status GET "/v1/hosts/gpu-b.example.org/check?source_host=nosuch.example.org&device=$INST") $(jq -r .error.code "$T/body")"
assert_eq "GET check, unknown device" "404 SOURCE_UNKNOWN" \
    "$(status GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&device=0000:99:00.0") $(jq -r .error.code "$T/body")"
r=$(req GET "/v1/vms/$VM/destinations")
assert_eq "destinations: status" 200 "${r%% *}"
jq -e '.results | all(.verdict == "compatible")' "$T/body" >/dev/null || fail "destinations: non-compatible result"
jq -e '[.results[].host] | index("'"$A"'") == null' "$T/body" >/dev/null || fail "destinations: lists the source"
ok "destinations: only compatible hosts"
assert_eq "destinations, unknown VM" "404 SOURCE_UNKNOWN" \
    "$(status GET /v1/vms/00000000-0000-4000-8000-000000000000/destinations) $(jq -r .error.code "$T/body")"

# Policy and OpenAPI.
r=$(req GET /v1/policy)
assert_eq "policy: status" 200 "${r%% *}"
jq -e '.rules | length > 0' "$T/body" >/dev/null || fail "policy: no rules"
ok "policy: has rules"
r=$(req GET /v1/openapi.json)
assert_eq "openapi: status" 200 "${r%% *}"
python3 -c 'import json,sys,yaml; a=json.load(open(sys.argv[1])); b=yaml.safe_load(open(sys.argv[2])); sys.exit(a != b)' \
    "$T/body" "$top_srcdir/schema/openapi.yaml" || fail "openapi.json differs from schema/openapi.yaml"
ok "openapi: equals schema/openapi.yaml"

# Delete.
assert_eq "DELETE" 204 "$(status DELETE /v1/hosts/gpu-c.example.org)"
assert_eq "DELETE again" "404 HOST_NOT_FOUND" \
    "$(status DELETE /v1/hosts/gpu-c.example.org) $(jq -r .error.code "$T/body")"
assert_eq "deleted host gone" 404 "$(status GET /v1/hosts/gpu-c.example.org)"
assert_eq "deleted host gone from the store" 0 \
    "$(store_q "SELECT count(*) FROM hosts WHERE host = 'gpu-c.example.org'")"

# Metrics: content type, promtool, the series SPEC section 8 names.
curl -s -D "$T/mh" "$URL/metrics" > "$T/metrics"
grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$T/mh" || fail "metrics content type"
ok "metrics content type"
if command -v promtool >/dev/null; then
	promtool check metrics < "$T/metrics" || fail "promtool check metrics"
	ok "promtool check metrics"
fi
for s in 'hosts{state="fresh"} 2' 'hosts{state="stale"} 0' \
    'stale_after_seconds 300' 'build_info{version="' \
    "host_last_report_timestamp_seconds{host=\"$A\"}" \
    'type_available_instances{kind="mdev",type="nvidia-222"} ' \
    'type_instances{kind="mdev",type="nvidia-222"} ' \
    'type_hosts{kind="mdev",type="nvidia-222"} ' \
    'http_requests_total{route="/v1/hosts/{host}",method="GET",code="200"}' \
    'http_requests_total{route="/v1/hosts/{host}",method="GET",code="404"}' \
    'http_requests_total{route="/v1/hosts/{host}",method="DELETE",code="204"}' \
    'http_requests_total{route="/v1/hosts/{dst}/check",method="GET",code="404"}' \
    'http_request_duration_seconds_bucket{route="/v1/hosts/{host}/inventory",le="+Inf"}' \
    'inventory_updates_total{result="changed"} 5' \
    'inventory_updates_total{result="unchanged"} 2' \
    'checks_total{verdict="unknown"}'; do
	grep -qF "vfio_compat_$s" "$T/metrics" || fail "metrics: no vfio_compat_$s"
done
for s in process_resident_memory_bytes process_open_fds \
    process_start_time_seconds process_cpu_seconds_total; do
	grep -q "^$s [0-9]" "$T/metrics" || fail "metrics: no $s"
done
# Without --metrics-detail nothing grows with hosts x types.
grep -E '^vfio_compat_(type_|device_info)[a-z_]*\{host=' "$T/metrics" &&
    fail "metrics: per-host detail without --metrics-detail"
ok "metrics: SPEC series present"
grep -q 'route="/v1/hosts/compute' "$T/metrics" && fail "metrics: raw path as route"
ok "metrics: no raw paths"

server_alive
stop_server
ok "SIGTERM: exit 0"
