# SPDX-License-Identifier: Apache-2.0
# fleet.sh -- the real collector pushes the tests/data trees to a live
# server (one of them with a running VM, played by fake-qemu), and the
# checks over HTTP give the answers those hosts imply, including
# GET /v1/vms/{uuid}/destinations for the VM found in the tree.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
WITH_TREE=$VC_TESTDATA/with-tree
FAKE_QEMU=$top_builddir/tests/collector/fake-qemu
[ -x "$VC_COLLECT" ] || fail "no collector at $VC_COLLECT"
[ -x "$FAKE_QEMU" ] || fail "no fake-qemu at $FAKE_QEMU (make check builds it)"

sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
cat > "$T/tokens" <<EOT
$(sha push-secret) collector *.example.org
$(sha read-secret) reader *
EOT
printf 'push-secret\n' > "$T/push.token"
printf 'wrong-secret\n' > "$T/wrong.token"
mkdir -p "$T/noprobes"
start_server --tokens "$T/tokens"
RD="Authorization: Bearer read-secret"
get() { curl -s -H "$RD" "$URL$1"; }

VM=0d1e5a7c-6b2f-4c3a-9e8d-7f6a5b4c3d2e
MDEV=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
collect() {	# collect TREE HOST [extra collector args]
	t=$1 h=$2
	shift 2
	"$WITH_TREE" "$t" -- "$VC_COLLECT" --host "$h" --qemu-version 9.2.0 \
	    --probe-dir "$T/noprobes" "$@"
}

# t4-a runs a VM on one of its two vGPUs, seen through /proc like QEMU.
cat > "$T/vm.sh" <<EOS
FAKE_QEMU_OPEN=/dev/vfio/200 FAKE_QEMU_READY="$T/ready" "$FAKE_QEMU" \
    -name guest=instance-0000002a,debug-threads=on -uuid $VM \
    -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$MDEV,id=hostdev0 &
qp=\$!
i=0
while [ ! -e "$T/ready" ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done
"$VC_COLLECT" --host t4-a.example.org --qemu-version 9.2.0 --probe-dir "$T/noprobes" \
    --push "$URL" --token-file "$T/push.token"
rc=\$?
kill \$qp
exit \$rc
EOS
"$WITH_TREE" t4 -- sh "$T/vm.sh" || fail "collector push of t4-a with a VM"
ok "pushed t4-a (with a VM) with the collector"

for th in t4:t4-b h100:h100-a h100:h100-b connectx:cx-a connectx:cx-b gvtg:gvtg-a \
    mtty:mtty-a mtty:mtty-b s390:s390-a; do
	collect "${th%%:*}" "${th#*:}.example.org" --push "$URL" --token-file "$T/push.token" ||
	    fail "collector push of ${th#*:}"
done
ok "pushed 9 more hosts from 6 trees"

# t4-c: the T4 tree with an older vGPU manager, edited from the
# collector's own output and PUT as the collector would.
collect t4 t4-c.example.org --output "$T/t4c.json" || fail "collect t4-c"
jq '.devices |= map(if .driver == "nvidia" then .driver_version = "535.183.01" else . end)' \
    "$T/t4c.json" > "$T/t4c-old.json"
put_inv t4-c.example.org "$T/t4c-old.json" -H "Authorization: Bearer push-secret" | jq -e '.changed' >/dev/null ||
    fail "PUT t4-c"
ok "pushed t4-c with an older driver"

# Failures of the collector against this server.
rc=0
collect t4 t4-d.example.org --push "$URL" --token-file "$T/wrong.token" >/dev/null 2>"$T/err" || rc=$?
assert_eq "collector with a wrong token exits 1" 1 "$rc"
rc=0
collect t4 t4-d.other.org --push "$URL" --token-file "$T/push.token" >/dev/null 2>"$T/err" || rc=$?
assert_eq "collector outside its glob exits 1" 1 "$rc"

assert_eq "hosts listed" 11 "$(get /v1/hosts | jq '.hosts | length')"
assert_eq "VM recorded on t4-a" "$VM" "$(get /v1/hosts/t4-a.example.org | jq -r '.vms[0].uuid')"
assert_eq "VM devices" "$MDEV" "$(get /v1/hosts/t4-a.example.org | jq -r '.vms[0].devices | join(",")')"
assert_eq "?type=nvidia-222" "t4-a.example.org t4-b.example.org t4-c.example.org" \
    "$(get '/v1/hosts?type=nvidia-222' | jq -r '[.hosts[].host] | join(" ")')"
assert_eq "?vendor_id=15b3" "cx-a.example.org cx-b.example.org" \
    "$(get '/v1/hosts?vendor_id=15b3' | jq -r '[.hosts[].host] | join(" ")')"

# The VM's destinations: the other T4 with the same driver, only.
get "/v1/vms/$VM/destinations" > "$T/dest.json"
assert_eq "destinations of the VM" t4-b.example.org "$(jq -r '[.results[].host] | join(" ")' "$T/dest.json")"
jq -e '.results[0].assignments | length == 1 and .[0].type == "nvidia-222"' "$T/dest.json" >/dev/null ||
    fail "destinations: assignment: $(cat "$T/dest.json")"
ok "destinations: assignment of nvidia-222"

# The VM and its device to single hosts.
r=$(get "/v1/hosts/t4-b.example.org/check?source_host=t4-a.example.org&vm=$VM")
assert_eq "VM to t4-b" compatible "$(echo "$r" | jq -r .verdict)"
r=$(get "/v1/hosts/t4-c.example.org/check?source_host=t4-a.example.org&vm=$VM")
assert_eq "VM to t4-c" incompatible "$(echo "$r" | jq -r .verdict)"
assert_eq "VM to t4-c: reason" "VERSION_MISMATCH driver_version 550.90.05 535.183.01" \
    "$(echo "$r" | jq -r '.reasons[] | select(.code == "VERSION_MISMATCH") | "\(.code) \(.field) \(.source_value) \(.destination_value)"' | head -1)"
r=$(get "/v1/hosts/gvtg-a.example.org/check?source_host=t4-a.example.org&device=$MDEV")
assert_eq "vGPU to the GVT-g host" incompatible "$(echo "$r" | jq -r .verdict)"
echo "$r" | jq -e '.reasons | any(.code == "TYPE_MISSING")' >/dev/null || fail "no TYPE_MISSING: $r"
ok "TYPE_MISSING on the GVT-g host"
r=$(get "/v1/hosts/t4-a.example.org/check?source_host=t4-a.example.org&device=$MDEV")
echo "$r" | jq -e '.reasons | any(.code == "SAME_HOST")' >/dev/null || fail "no SAME_HOST: $r"
ok "SAME_HOST"

# mlx5 VFs: the variant-driver VF migrates, the plain vfio-pci one not.
r=$(get "/v1/hosts/cx-b.example.org/check?source_host=cx-a.example.org&device=0000:17:00.2")
assert_eq "mlx5_vfio_pci VF to cx-b" compatible "$(echo "$r" | jq -r .verdict)"
r=$(get "/v1/hosts/cx-b.example.org/check?source_host=cx-a.example.org&device=0000:17:00.5")
echo "$r" | jq -e '.verdict == "incompatible" and (.reasons | any(.code == "SOURCE_NOT_MIGRATABLE"))' >/dev/null ||
    fail "plain vfio-pci VF: $r"
ok "plain vfio-pci VF: SOURCE_NOT_MIGRATABLE"

# mtty: the live mtty-2 instance fits on the other mtty host.
MTTY=$(get /v1/hosts/mtty-a.example.org | jq -r '.instances[0].id')
r=$(get "/v1/hosts/mtty-b.example.org/check?source_host=mtty-a.example.org&device=$MTTY")
assert_eq "mtty instance to mtty-b" compatible "$(echo "$r" | jq -r .verdict)"

# POST /v1/check for the VM against every host: compatible first.
curl -s -H "$RD" -H 'Content-Type: application/json' -X POST \
    --data-binary "{\"source\": {\"vm\": \"$VM\"}}" "$URL/v1/check" > "$T/all.json"
assert_eq "POST check by VM: source host found" t4-a.example.org "$(jq -r .source.host "$T/all.json")"
assert_eq "POST check by VM: every other host" 10 "$(jq '.results | length' "$T/all.json")"
assert_eq "POST check by VM: compatible first" "t4-b.example.org compatible" \
    "$(jq -r '.results[0] | "\(.host) \(.verdict)"' "$T/all.json")"

# Metrics see the pushed fleet.
curl -s "$URL/metrics" > "$T/metrics"
grep -q '^vfio_compat_hosts{state="fresh"} 11$' "$T/metrics" || fail "hosts metric"
grep -q '^vfio_compat_type_instances{kind="mdev",type="nvidia-222"} [1-9]' "$T/metrics" ||
    fail "type_instances metric"
grep -q '^vfio_compat_checks_total{verdict="compatible"} [1-9]' "$T/metrics" || fail "checks_total"
ok "metrics of the pushed fleet"
if command -v promtool >/dev/null; then
	promtool check metrics < "$T/metrics" || fail "promtool"
	ok "promtool check metrics"
fi
stop_server
