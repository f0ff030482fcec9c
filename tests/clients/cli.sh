# SPDX-License-Identifier: Apache-2.0
# cli.sh -- vfio-compat against a live vfio-compatd: every command's
# table, --json piped to jq, the exit statuses 0/1/3/2 with their
# one-line reasons, configuration from the environment, and a server
# that has gone away.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"

start_server
load_fleet
U="--url $URL"
head1() { printf '%s\n' "$out" | head -n 1 | tr -s ' '; }
nrows() { printf '%s\n' "$out" | sed 1d | grep -c . || true; }
hostcol() { printf '%s\n' "$out" | sed 1d | awk '{ print $1 }' | tr '\n' ' '; }

# --- hosts -----------------------------------------------------------
expect_rc "hosts" 0 $U hosts
assert_eq "hosts header" "HOST COLLECTED_AT STALE DEVICES INSTANCES VMS" "$(head1)"
assert_eq "hosts row" "$SRC 2026-11-22T10:00:00Z no 2 1 1" "$(row $SRC)"
assert_eq "hosts row 20" "$NOGPU 2026-11-22T10:07:00Z no 1 0 0" "$(row $NOGPU)"
assert_eq "hosts rows" 4 "$(nrows)"
expect_rc "hosts --type" 0 $U hosts --type nvidia-222
assert_eq "hosts --type hosts" "$SRC $SAME $NEWER " "$(hostcol)"
expect_rc "hosts --vendor-id 15b3" 0 $U hosts --vendor-id 15b3
assert_eq "hosts --vendor-id 15b3 rows" 4 "$(nrows)"
expect_rc "hosts --vendor-id 10de" 0 $U hosts --vendor-id 10de
assert_eq "hosts --vendor-id 10de rows" 3 "$(nrows)"
expect_rc "hosts --type --vendor-id" 0 $U hosts --type nvidia-222 --vendor-id 15b3
assert_eq "hosts two filters rows" 3 "$(nrows)"
expect_rc "hosts --type unknown" 0 $U hosts --type nvidia-999
assert_eq "hosts no match: header only" 0 "$(nrows)"
expect_rc "hosts --stale=false" 0 $U hosts --stale=false
assert_eq "hosts --stale=false rows" 4 "$(nrows)"
expect_rc "hosts --stale=true" 0 $U hosts --stale=true
assert_eq "hosts --stale=true rows" 0 "$(nrows)"
expect_rc "hosts --stale=maybe" 2 $U hosts --stale=maybe
contains "hosts --stale=maybe reason" "--stale must be true or false" "$err"
expect_rc "hosts --vendor-id 10DE" 0 $U hosts --vendor-id 10DE
assert_eq "hosts --vendor-id 10DE rows" 3 "$(nrows)"
expect_rc "hosts --vendor-id 10dex" 2 $U hosts --vendor-id 10dex
expect_rc "hosts extra argument" 2 $U hosts foo
expect_rc "hosts --json" 0 $U hosts --json
assert_eq "hosts --json count" 4 "$(printf '%s' "$out" | jq '.hosts | length')"
assert_eq "hosts --json vms" 1 \
    "$(printf '%s' "$out" | jq --arg h $SRC '.hosts[] | select(.host == $h) | .vms')"
expect_rc "--json before the command" 0 --json $U hosts --type nvidia-230
assert_eq "--json filtered" "$SRC $SAME $NEWER" \
    "$(printf '%s' "$out" | jq -r '[.hosts[].host] | join(" ")')"

# --- host ------------------------------------------------------------
expect_rc "host" 0 $U host $SRC
assert_eq "host: name" "host: $SRC" "$(row host:)"
assert_eq "host: kernel" "kernel: 6.8.0-45-generic" "$(row kernel:)"
assert_eq "host: qemu" "qemu: 9.2.0" "$(row qemu:)"
assert_eq "host: iommufd" "iommufd: yes" "$(row iommufd:)"
assert_eq "host: generation" "generation: 1" "$(row generation:)"
assert_eq "host: null libvirt" "libvirt: -" "$(row libvirt:)"
assert_eq "host: T4 device" \
    "$GPU 10de:1eb8 nvidia 550.90.05 capable TU104GL [Tesla T4]" "$(row $GPU | head -n 1)"
contains "host: VF flags" "capable stop_copy,p2p,pre_copy,dirty_tracking" "$out"
assert_eq "host: free T4-1B" "$GPU mdev nvidia-222 GRID T4-1B vfio-pci 15 1" \
    "$(row $GPU | grep nvidia-222)"
assert_eq "host: full T4-16Q" "$GPU mdev nvidia-230 GRID T4-16Q vfio-pci 0 0" \
    "$(row $GPU | grep nvidia-230)"
assert_eq "host: instance and its VM" \
    "$MDEV mdev nvidia-222 $GPU instance-0000002a" "$(row $MDEV)"
assert_eq "host: VM" "$VM instance-0000002a 4242 $VF,$MDEV" "$(row $VM)"
expect_rc "host without VMs" 0 $U host $NOGPU
contains "host: no instances" "Instances:
none" "$out"
contains "host: no types" "Types (free instances):
none" "$out"
expect_rc "host --json" 0 $U host $SRC --json
assert_eq "host --json generation" 1 "$(printf '%s' "$out" | jq .generation)"
assert_eq "host --json stale" false "$(printf '%s' "$out" | jq .stale)"
assert_eq "host --json free" 15 \
    "$(printf '%s' "$out" | jq '.devices[0].types[0].available_instances')"
expect_rc "host unknown" 2 $U host nope.example.org
assert_eq "host unknown: server error shown" \
    "vfio-compat: HOST_NOT_FOUND: no inventory for nope.example.org (host)" "$err"
assert_eq "host unknown: nothing on stdout" "" "$out"
expect_rc "host bad name" 2 $U host "Bad Name"
contains "host bad name reason" "Bad Name: not a valid host name" "$err"
expect_rc "host no name" 2 $U host
expect_rc "host two names" 2 $U host a b

# --- check -----------------------------------------------------------
CK="$U check --from $SRC"
expect_rc "check mdev to same type and driver" 0 $CK --device $MDEV --to $SAME
assert_eq "check header" "HOST VERDICT SCORE REASONS" "$(head1)"
assert_eq "check compatible row" "$SAME compatible 15 -" "$(row $SAME)"
expect_rc "check mdev to newer driver" 1 $CK --device $MDEV --to $NEWER
assert_eq "check version row" \
    "$NEWER incompatible - VERSION_MISMATCH(driver_version: 550.90.05 -> 550.127.05)" \
    "$(row $NEWER)"
expect_rc "check mdev to host without GPU" 1 $CK --device $MDEV --to $NOGPU
assert_eq "check type row" "$NOGPU incompatible - TYPE_MISSING" "$(row $NOGPU)"
expect_rc "check never-seen host" 3 $CK --device $MDEV --to never.example.org
assert_eq "check unknown row" "never.example.org unknown - HOST_UNKNOWN" \
    "$(row never.example.org)"
# With --to, every named destination must pass.
expect_rc "check --to compatible + incompatible" 1 $CK --device $MDEV --to $SAME --to $NEWER
expect_rc "check --to compatible + unknown" 3 $CK --device $MDEV --to $SAME --to never.example.org
expect_rc "check --to incompatible + unknown" 1 $CK --device $MDEV --to $NEWER --to never.example.org
expect_rc "check --to compatible twice" 0 $CK --device $VF --to $SAME --to $NOGPU
# Without --to, one compatible host is enough; best first.
expect_rc "check the fleet" 0 $CK --device $MDEV
assert_eq "check the fleet: order" "$SAME $NEWER $NOGPU " "$(hostcol)"
# An unknown source is one line on stderr and exit 3, not a row per host.
unknown_source() {
	what=$1 line=$2
	shift 2
	run_cli "$@"
	assert_eq "$what: exit" 3 "$rc"
	assert_eq "$what: nothing on stdout" "" "$out"
	assert_eq "$what: one line" "$line" "$err"
}
unknown_source "check unknown source device" \
    "vfio-compat: SOURCE_UNKNOWN: source $SRC: 0000:99:00.0: no device or instance of that id on the source host" \
    $CK --device 0000:99:00.0 --to $SAME
unknown_source "check unknown source device, fleet" \
    "vfio-compat: SOURCE_UNKNOWN: source $SRC: 0000:99:00.0: no device or instance of that id on the source host" \
    $CK --device 0000:99:00.0
expect_rc "check parent of mdevs" 1 $CK --device $GPU --to $SAME
contains "check parent reason" SOURCE_NOT_MIGRATABLE "$out"
expect_rc "check two devices" 0 $CK --device $MDEV --device $VF --to $SAME
# A VM, with and without --from.
expect_rc "check --vm" 0 $U check --vm $VM --to $SAME
assert_eq "check --vm row" "$SAME compatible 15 warning FLAGS_UNKNOWN" "$(row $SAME)"
expect_rc "check --vm --from" 0 $CK --vm $VM --to $SAME
expect_rc "check --vm to itself" 1 $U check --vm $VM --to $SRC
assert_eq "check same host" "$SRC incompatible - SAME_HOST" "$(row $SRC)"
expect_rc "check --mode cpr" 1 $U check --vm $VM --to $SRC --mode cpr
assert_eq "check cpr row" "$SRC incompatible - CPR_UNSUPPORTED(qemu_version: - -> 9.2.0); CPR_UNSUPPORTED(vm.qemu_version: 9.2.0 -> -); CPR_UNSUPPORTED(ram_shared: - -> -); CPR_UNSUPPORTED(kernel_release: - -> 6.8.0-45-generic); warning FACTS_UNKNOWN" \
    "$(row $SRC)"
# --json keeps the exit status.
expect_rc "check --json incompatible" 1 $CK --device $MDEV --to $NEWER --json
assert_eq "check --json reason" "VERSION_MISMATCH driver_version 550.127.05" \
    "$(printf '%s' "$out" | jq -r '.results[0].reasons[0] | "\(.code) \(.field) \(.destination_value)"')"
expect_rc "check --json fleet" 0 $CK --device $MDEV --json
assert_eq "check --json verdicts" "compatible incompatible incompatible" \
    "$(printf '%s' "$out" | jq -r '[.results[].verdict] | join(" ")')"
assert_eq "check --json assignment" "$GPU nvidia-222" \
    "$(printf '%s' "$out" | jq -r '.results[0].assignments[0] | "\(.parent) \(.type)"')"
# Usage errors: nothing is sent.
expect_rc "check without a source" 2 $CK
contains "check without a source: reason" "give --device or --vm" "$err"
expect_rc "check with both" 2 $CK --device $MDEV --vm $VM
expect_rc "check --device without --from" 2 $U check --device $MDEV
contains "check without --from: reason" "--from is needed with --device" "$err"
expect_rc "check bad device" 2 $CK --device 'a b'
expect_rc "check bad vm" 2 $U check --vm NOT-A-UUID
expect_rc "check bad --to" 2 $CK --device $MDEV --to "x~y"
expect_rc "check bad mode" 2 $CK --device $MDEV --mode warp
contains "check bad mode: reason" "--mode must be live, cold or cpr" "$err"
expect_rc "check unknown option" 2 $CK --device $MDEV --frm x
contains "check unknown option: reason" "--frm" "$err"
expect_rc "check missing value" 2 $CK --device
# A valid source host the server does not know, as the server words it.
unknown_source "check unknown source host" \
    "vfio-compat: SOURCE_UNKNOWN: source nope.example.org: $VF: the source host is not known" \
    $U check --from nope.example.org --device $VF
unknown_source "check unknown VM" \
    "vfio-compat: SOURCE_UNKNOWN: no host reports VM 00000000-0000-4000-8000-000000000000" \
    $U check --vm 00000000-0000-4000-8000-000000000000
run_cli $U check --from nope.example.org --device $VF --to $SAME --json
assert_eq "unknown source --json: exit" 3 "$rc"
assert_eq "unknown source --json: the answer on stdout" nope.example.org "$(printf '%s' "$out" | jq -r .source.host)"

# --- destinations ----------------------------------------------------
expect_rc "destinations" 0 $U destinations $VM
assert_eq "destinations: only compatible hosts" "$SAME " "$(hostcol)"
assert_eq "destinations row" "$SAME compatible 15 warning FLAGS_UNKNOWN" "$(row $SAME)"
expect_rc "destinations --json" 0 $U destinations $VM --json
assert_eq "destinations --json best" "$SAME" "$(printf '%s' "$out" | jq -r '.results[0].host')"
expect_rc "destinations --mode cpr" 1 $U destinations $VM --mode cpr
assert_eq "destinations cpr: none" 0 "$(nrows)"
expect_rc "destinations unknown VM" 2 $U destinations 00000000-0000-4000-8000-000000000000
assert_eq "destinations unknown VM: server error shown" \
    "vfio-compat: SOURCE_UNKNOWN: no host reports VM 00000000-0000-4000-8000-000000000000 (uuid)" "$err"
expect_rc "destinations bad uuid" 2 $U destinations 6F3B
expect_rc "destinations no uuid" 2 $U destinations
expect_rc "destinations bad mode" 2 $U destinations $VM --mode x

# --- policy ----------------------------------------------------------
expect_rc "policy" 0 $U policy
assert_eq "policy header" "RULE MATCH COMPARE" "$(head1)"
assert_eq "policy default rule" \
    "default any device driver=exact, driver_version=exact, migration_version=exact" \
    "$(row default)"
expect_rc "policy --json" 0 $U policy --json
assert_eq "policy --json" "nvidia exact" \
    "$(printf '%s' "$out" | jq -r '.rules[0] | "\(.name) \(.compare.driver_version)"')"
expect_rc "policy extra argument" 2 $U policy x

# --- configuration from the environment ------------------------------
DEAD="http://127.0.0.1:$(free_port)"
export VFIO_COMPAT_URL="$URL"
expect_rc "VFIO_COMPAT_URL" 0 hosts
assert_eq "VFIO_COMPAT_URL rows" 4 "$(nrows)"
expect_rc "VFIO_COMPAT_URL with a trailing slash" 0 policy
export VFIO_COMPAT_URL="$URL/"
expect_rc "trailing slash" 0 host $SRC
export VFIO_COMPAT_URL="$DEAD"
expect_rc "VFIO_COMPAT_URL of a dead server" 2 hosts
contains "dead server named" "cannot connect to $DEAD" "$err"
expect_rc "--url beats VFIO_COMPAT_URL" 0 hosts $U
export VFIO_COMPAT_URL="ftp://127.0.0.1/"
expect_rc "VFIO_COMPAT_URL not http" 2 hosts
contains "not http: reason" "must start with http:// or https://" "$err"
unset VFIO_COMPAT_URL
expect_rc "--timeout 0" 2 $U --timeout 0 hosts
contains "--timeout 0 reason" "--timeout 0: too small" "$err"
expect_rc "--timeout x" 2 $U --timeout x hosts
expect_rc "--timeout 5" 0 $U --timeout 5 hosts

# --- text from the network is cleaned --------------------------------
# The codec lets a tab through in names; the table must not.
jq '.host = "compute-21.example.org" | .instances = [] | .vms = [] |
    .devices[0].device_name = "Tesla\tT4"' "$SAMPLE" > "$T/tab.json"
put_inv "$T/tab.json"
expect_rc "host with a tab in a name" 0 $U host compute-21.example.org
assert_eq "tab replaced" "$GPU 10de:1eb8 nvidia 550.90.05 capable Tesla?T4" \
    "$(row $GPU | head -n 1)"
printf '%s' "$out" | grep -q "$(printf '\t')" && fail "a tab reached the table"
ok "no tab in the table"

# --- the server goes away --------------------------------------------
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null || true
for c in hosts "host $SRC" "check --from $SRC --device $MDEV" "destinations $VM" policy; do
	expect_rc "$c, server down" 2 $U $c
	contains "$c, server down: reason" "vfio-compat: cannot connect to $URL" "$err"
	assert_eq "$c, server down: no output" "" "$out"
done
