# SPDX-License-Identifier: Apache-2.0
# cli-fold.sh -- vfio-compat takes identifiers as people copy them:
# host names in any case, vendor ids as 10DE or 0x10de, UUIDs in upper
# case, PCI addresses without their domain; --explain shows each
# reason's message and values; --version.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"

start_server
load_fleet
U="--url $URL"
nrows() { printf '%s\n' "$out" | sed 1d | grep -c . || true; }
upper() { printf '%s' "$1" | tr 'a-z' 'A-Z'; }

v=$("$VC_CLI" --version)
printf '%s' "$v" | grep -Eq '^vfio-compat [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version: $v"
ok "--version: $v"

# Host names.
expect_rc "host in upper case" 0 $U host "$(upper $SRC)"
assert_eq "host folded" "host: $SRC" "$(row host:)"
expect_rc "check --from/--to in mixed case" 0 $U check --from "$(upper $SRC)" \
    --device $MDEV --to Compute-18.Example.ORG
assert_eq "destination folded" "$SAME compatible 15 -" "$(row $SAME)"

# Vendor ids.
for vid in 10de 10DE 0x10de 0X10DE 0x10DE; do
	expect_rc "hosts --vendor-id $vid" 0 $U hosts --vendor-id $vid
	assert_eq "hosts --vendor-id $vid rows" 3 "$(nrows)"
done
for vid in 0x10d 0x 10de0 0xg0de; do
	expect_rc "hosts --vendor-id $vid refused" 2 $U hosts --vendor-id $vid
	contains "hosts --vendor-id $vid: reason" "--vendor-id $vid: not 4 hex digits" "$err"
done

# UUIDs and PCI addresses.
expect_rc "--device UUID in upper case" 0 $U check --from $SRC --device "$(upper $MDEV)" --to $SAME
expect_rc "--device PCI address in upper case, no domain" 0 $U check --from $SRC --device 5E:00.3 --to $SAME
expect_rc "--device PCI address in upper case" 0 $U check --from $SRC --device 0000:5E:00.3 --to $SAME
expect_rc "--vm in upper case" 0 $U check --vm "$(upper $VM)" --to $SAME
expect_rc "destinations in upper case" 0 $U destinations "$(upper $VM)"
assert_eq "destinations folded" "$SAME compatible 15 warning FLAGS_UNKNOWN" "$(row $SAME)"
expect_rc "--vm not a UUID" 2 $U check --vm "$(upper $VM)x"
expect_rc "destinations not a UUID" 2 $U destinations 6F3B

# --explain: the server's message and values, one line per reason.
expect_rc "check --explain" 1 $U check --from $SRC --device $MDEV --to $NEWER --explain
msg=$("$VC_CLI" $U --json check --from $SRC --device $MDEV --to $NEWER |
    jq -r '.results[0].reasons[0].message' || true)
[ -n "$msg" ] && [ "$msg" != null ] || fail "no message in the answer"
assert_eq "--explain host line" "$NEWER incompatible" "$(printf '%s\n' "$out" | sed -n 1p)"
assert_eq "--explain reason line" \
    "  VERSION_MISMATCH: $msg (driver_version: 550.90.05 -> 550.127.05; source $MDEV)" \
    "$(printf '%s\n' "$out" | sed -n 2p)"
expect_rc "check --vm --explain" 0 $U check --vm $VM --to $SAME --explain
assert_eq "--explain compatible line" "$SAME compatible score 15" "$(printf '%s\n' "$out" | sed -n 1p)"
contains "--explain warning line" "  warning FLAGS_UNKNOWN: " "$out"
expect_rc "destinations --explain" 0 $U destinations $VM --explain
contains "destinations --explain warning" "  warning FLAGS_UNKNOWN: " "$out"
