# SPDX-License-Identifier: Apache-2.0
# verdicts.sh -- SPEC v1.1 section 6 over HTTP: every new reason code and
# warning, the cold mode in the POST and GET forms, and host names in any
# case, with invalid destination names answered per host.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"

A=$(jq -r .host "$SAMPLE")
B=gpu-b.example.org
VM=$(jq -r '.vms[0].uuid' "$SAMPLE")
INST=$(jq -r '.instances[0].id' "$SAMPLE")
J='Content-Type: application/json'

# check BODY: POST /v1/check, the answer in $T/ans.json
check() {
	curl -s -o "$T/ans.json" -w '%{http_code}' -X POST -H "$J" \
	    --data-binary "$1" "$URL/v1/check" > "$T/code"
	assert_eq "POST $1: status" 200 "$(cat "$T/code")"
}
# verdict HOST: "<verdict> <reason codes> | <warning codes>" of HOST,
# each list sorted and without repeats
verdict() {
	jq -r --arg h "$1" '.results[] | select(.host == $h) |
	    "\(.verdict) \([.reasons[].code] | unique | join(",")) | \([.warnings[].code] | unique | join(","))"' "$T/ans.json"
}
# field HOST CODE: the field of HOST's reason or warning CODE
field() {
	jq -r --arg h "$1" --arg c "$2" '.results[] | select(.host == $h) |
	    [(.reasons + .warnings)[] | select(.code == $c) | .field] | join(",")' "$T/ans.json"
}
vmcheck() { check "{\"mode\":\"${1:-live}\",\"source\":{\"vm\":\"$VM\"},\"destinations\":[\"$B\"]}"; }
source_is() {
	variant "$T/src.json" "$A" "$1"
	put_inv "$A" "$T/src.json" >/dev/null
}

# The destination: the source's twin, with nothing running on it.
variant "$T/dst.json" $B '.vms = [] | .instances = []'
start_server
put_inv $B "$T/dst.json" >/dev/null

source_is .
vmcheck
assert_eq "baseline" "compatible  | FLAGS_UNKNOWN" "$(verdict $B)"

source_is '.vms[0].viommu = true'
vmcheck
assert_eq "vIOMMU" "incompatible MIGRATION_BLOCKED | FLAGS_UNKNOWN" "$(verdict $B)"
assert_eq "vIOMMU field" viommu "$(field $B MIGRATION_BLOCKED)"
vmcheck cold
assert_eq "vIOMMU, cold" "compatible  | " "$(verdict $B)"

source_is '.vms[0].complete = false'
vmcheck
assert_eq "incomplete VM" "unknown SOURCE_INCOMPLETE | FLAGS_UNKNOWN" "$(verdict $B)"
assert_eq "incomplete field" complete "$(field $B SOURCE_INCOMPLETE)"

source_is '.vms[0].devices = []'
vmcheck
assert_eq "VM naming no device" "unknown SOURCE_INCOMPLETE | " "$(verdict $B)"

# A v1 collector's document: the facts are missing, so is the trust.
source_is '.vms[0] |= del(.complete, .viommu, .backend, .qemu_version, .ram_shared)'
vmcheck
assert_eq "v1 VM" "unknown MIGRATION_BLOCKED,SOURCE_INCOMPLETE | FACTS_UNKNOWN,FLAGS_UNKNOWN" "$(verdict $B)"
assert_eq "v1 VM facts" "complete,viommu,vm.qemu_version" "$(field $B FACTS_UNKNOWN)"

# QEMU's dirty-tracking blocker: a VF without dirty tracking, iommufd,
# a host IOMMU without it.
nodirty='.devices[1].migration = {"capable": true, "flags": ["stop_copy", "p2p"], "flags_source": "kernel", "version": null}'
source_is "$nodirty | .platform.iommu_dirty_tracking = false"
vmcheck
assert_eq "dirty tracking blocker" "incompatible MIGRATION_BLOCKED | FLAGS_UNKNOWN" "$(verdict $B)"
assert_eq "dirty tracking field" dirty_tracking "$(field $B MIGRATION_BLOCKED)"
source_is "$nodirty | .platform.iommu_dirty_tracking = true"
vmcheck
assert_eq "IOMMU tracks dirty pages" "compatible  | FLAGS_UNKNOWN" "$(verdict $B)"
source_is "$nodirty | .platform.iommu_dirty_tracking = false | .vms[0].backend = \"container\""
vmcheck
assert_eq "legacy container tracks" "compatible  | FLAGS_UNKNOWN" "$(verdict $B)"
source_is "$nodirty | .platform.iommu_dirty_tracking = null"
vmcheck
assert_eq "IOMMU dirty tracking unknown" "unknown MIGRATION_BLOCKED | FACTS_UNKNOWN,FLAGS_UNKNOWN" "$(verdict $B)"
assert_eq "unknown fact" iommu_dirty_tracking "$(field $B FACTS_UNKNOWN)"

# cold: a resize to the same host, in the POST and GET forms.
source_is .
check "{\"mode\":\"cold\",\"source\":{\"vm\":\"$VM\"},\"destinations\":[\"$A\",\"$B\"]}"
assert_eq "cold to itself" "compatible  | " "$(verdict $A)"
check "{\"source\":{\"vm\":\"$VM\"},\"destinations\":[\"$A\"]}"
assert_eq "live to itself" "incompatible SAME_HOST | " "$(verdict $A)"
r=$(curl -s "$URL/v1/hosts/$A/check?source_host=$A&vm=$VM&mode=cold")
assert_eq "GET cold to itself" "$A compatible" "$(echo "$r" | jq -r '"\(.host) \(.verdict)"')"
r=$(curl -s "$URL/v1/vms/$VM/destinations?mode=cold")
assert_eq "cold destinations include the source" "$A $B" "$(echo "$r" | jq -r '[.results[].host] | sort | join(" ")')"
assert_eq "bad mode" 400 "$(status GET "/v1/hosts/$B/check?source_host=$A&vm=$VM&mode=warm")"

# Host names in any case; a name that is none is that host's unknown.
r=$(put_inv GPU-B.Example.ORG "$T/dst.json")
assert_eq "PUT with an upper-case path" "$B false" "$(echo "$r" | jq -r '"\(.host) \(.changed)"')"
jq '.host = "GPU-B.example.org"' "$T/dst.json" > "$T/upper.json"
r=$(put_inv $B "$T/upper.json")
assert_eq "upper-case host in the document" "$B false" "$(echo "$r" | jq -r '"\(.host) \(.changed)"')"
assert_eq "GET upper-case" "200 $B" "$(req GET /v1/hosts/GPU-B.EXAMPLE.ORG | sed 's/ .*"host":"\([^"]*\)".*/ \1/')"
check "{\"source\":{\"host\":\"COMPUTE-17.example.org\",\"vm\":\"$VM\"},\"destinations\":[\"GPU-B.example.org\",\"bad name!\",\"Compute_01\"]}"
assert_eq "upper-case destination" "compatible  | FLAGS_UNKNOWN" "$(verdict $B)"
assert_eq "invalid destination" "unknown HOST_UNKNOWN | " "$(verdict 'bad name!')"
assert_eq "Compute_01 folded" "unknown HOST_UNKNOWN | " "$(verdict compute_01)"
r=$(curl -s "$URL/v1/hosts/GPU-B.example.org/check?source_host=COMPUTE-17.EXAMPLE.ORG&device=$INST")
assert_eq "GET with upper-case names" "$B compatible" "$(echo "$r" | jq -r '"\(.host) \(.verdict)"')"
# check_requests_total counts requests by mode and status.
curl -s "$URL/metrics" > "$T/metrics"
for series in 'mode="live",code="200"' 'mode="cold",code="200"' 'mode="invalid",code="400"'; do
	grep -q "^vfio_compat_check_requests_total{$series} [1-9]" "$T/metrics" ||
	    fail "no check_requests_total{$series}: $(grep check_requests "$T/metrics")"
done
ok "check_requests_total by mode and code"
stop_server

# Source staleness: live and cpr distrust it, cold (evacuation) does not.
rm -f "$DB"*
start_server --stale-after 4
put_inv "$A" "$SAMPLE" >/dev/null
put_inv $B "$T/dst.json" >/dev/null
sleep 3.2
put_inv $B "$T/dst.json" >/dev/null	# a heartbeat: B is fresh
vmcheck
assert_eq "old source" "compatible  | FLAGS_UNKNOWN,SOURCE_DATA_OLD" "$(verdict $B)"
sleep 2.5
put_inv $B "$T/dst.json" >/dev/null
vmcheck
assert_eq "stale source" "unknown SOURCE_STALE | FLAGS_UNKNOWN" "$(verdict $B)"
vmcheck cold
assert_eq "stale source, cold" "compatible  | SOURCE_DATA_OLD" "$(verdict $B)"
stop_server
