# SPDX-License-Identifier: Apache-2.0
# cli-stale.sh -- reports ageing out: a DATA_OLD warning that keeps the
# verdict, then HOST_STALE and exit 3 ("unknown", never "compatible" on
# old data), and the stale filter of hosts.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"

start_server --stale-after 6
put_inv "$SAMPLE"
put_inv "$CDATA/compute-18.json"
U="--url $URL"
CK="$U check --from $SRC --device $MDEV"

expect_rc "fresh" 0 $CK --to $SAME
assert_eq "fresh row" "$SAME compatible 15 -" "$(row $SAME)"
sleep 4.5
expect_rc "old data is still compatible" 0 $CK --to $SAME
assert_eq "old data row" "$SAME compatible 15 warning DATA_OLD; warning SOURCE_DATA_OLD" "$(row $SAME)"
sleep 3
expect_rc "stale destination" 3 $CK --to $SAME
contains "stale reason" "$SAME unknown - HOST_STALE" "$(row $SAME)"
expect_rc "stale fleet" 3 $CK
put_inv "$CDATA/compute-19.json"
# The source is stale too: a live move cannot trust what it says about
# itself, so even the incompatible host is unknown (SOURCE_STALE) ...
expect_rc "stale source" 3 $CK --to $SAME --to $NEWER
contains "stale source reason" "$NEWER unknown - SOURCE_STALE" "$(row $NEWER)"
expect_rc "stale source, fleet" 3 $CK
# ... while a cold move (an evacuation off a dead host) ignores it.
expect_rc "stale source, cold" 0 $CK --to $NEWER --mode cold
contains "cold row" "$NEWER compatible" "$(row $NEWER)"

expect_rc "hosts" 0 $U hosts
assert_eq "hosts stale column" "$SRC yes|$SAME yes|$NEWER no" \
    "$(row $SRC | cut -d' ' -f1,3)|$(row $SAME | cut -d' ' -f1,3)|$(row $NEWER | cut -d' ' -f1,3)"
expect_rc "hosts --stale=true" 0 $U hosts --stale=true
assert_eq "hosts --stale=true" "$SRC $SAME" \
    "$(printf '%s\n' "$out" | sed 1d | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')"
expect_rc "hosts --stale=false" 0 $U hosts --stale=false --json
assert_eq "hosts --stale=false" "$NEWER" "$(printf '%s' "$out" | jq -r '.hosts[].host')"
