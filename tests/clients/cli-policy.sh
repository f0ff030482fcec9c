# SPDX-License-Identifier: Apache-2.0
# cli-policy.sh -- the policy command and check verdicts under a policy
# file with a version table, and a fleet with no host but the source.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"

start_server --policy "$CDATA/policy.json"
load_fleet
U="--url $URL"

expect_rc "policy" 0 $U policy
assert_eq "policy rules" "RULE MATCH COMPARE
nvidia vendor_id=10de driver_version=table:t4-upgrades, attributes.nvidia.ecc=exact
mellanox driver=mlx5_vfio_pci driver_version=dst-ge
default any device driver=exact, driver_version=exact, migration_version=exact
TABLE ALLOWED
t4-upgrades 550.90.05 -> 550.127.05, 550.90.05 -> 550.90.05" \
    "$(printf '%s\n' "$out" | grep . | tr -s ' ')"
expect_rc "policy --json" 0 $U --json policy
assert_eq "policy --json table" "550.127.05" \
    "$(printf '%s' "$out" | jq -r '.tables["t4-upgrades"][0][1]')"

# The table allows 550.90.05 -> 550.127.05: the newer driver now takes it.
expect_rc "check to the newer driver under the table" 0 $U check \
    --from $SRC --device $MDEV --to $NEWER --to $SAME
assert_eq "check rows" "$SAME compatible 15 -|$NEWER compatible 15 -" \
    "$(row $SAME)|$(row $NEWER)"

# Only the source is known: nowhere to go is "incompatible", not "unknown".
start_server
put_inv "$SAMPLE"
expect_rc "check with no other host" 1 --url "$URL" check --from $SRC --device $MDEV
assert_eq "check with no other host: header only" "HOST VERDICT SCORE REASONS" \
    "$(printf '%s\n' "$out" | tr -s ' ')"
# An unknown source is one line on stderr, exit 3, with or without rows.
run_cli --url "$URL" check --from $SRC --device 0000:01:00.0
assert_eq "unknown device, no other host: exit" 3 "$rc"
assert_eq "unknown device, no other host: no table" "" "$out"
assert_eq "unknown device, no other host: one line" \
    "vfio-compat: SOURCE_UNKNOWN: source $SRC: 0000:01:00.0: no device or instance of that id on the source host" "$err"
run_cli --url "$URL" check --from nope.example.org --device $VF --json
assert_eq "unknown source host, no other host: exit" 3 "$rc"
assert_eq "unknown source host: source state" unknown \
    "$(printf '%s' "$out" | jq -r '.source.devices[0].state')"
expect_rc "destinations with no other host" 1 --url "$URL" destinations $VM
expect_rc "destinations with no other host, --json" 1 --url "$URL" destinations $VM --json
assert_eq "destinations --json empty" 0 "$(printf '%s' "$out" | jq '.results | length')"
