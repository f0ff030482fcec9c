# examples.sh -- every curl/jq recipe in clients/examples/ against a
# live vfio-compatd, with its output asserted; a recipe without a case
# here fails the test, so none ships untested.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"

start_server
load_fleet
export VFIO_COMPAT_URL="$URL"
TAB=$(printf '\t')
TESTED=""

# recipe NAME ARGS...: run it; $out, $rc.
recipe() {
	name=$1
	shift
	[ -x "$EXAMPLES/$name" ] || fail "$name: missing or not executable"
	head -n 1 "$EXAMPLES/$name" | grep -qx '#!/bin/sh' ||
	    fail "$name: not a #!/bin/sh script"
	TESTED="$TESTED $name"
	rc=0
	out=$(sh "$EXAMPLES/$name" "$@" 2>"$T/recipe.err") || rc=$?
}

recipe list-hosts.sh
assert_eq "list-hosts rc" 0 "$rc"
assert_eq "list-hosts" "$SRC${TAB}2026-11-22T10:00:00Z${TAB}fresh${TAB}2${TAB}1${TAB}1
$SAME${TAB}2026-11-22T10:05:00Z${TAB}fresh${TAB}2${TAB}0${TAB}0
$NEWER${TAB}2026-11-22T10:06:00Z${TAB}fresh${TAB}2${TAB}0${TAB}0
$NOGPU${TAB}2026-11-22T10:07:00Z${TAB}fresh${TAB}1${TAB}0${TAB}0" "$out"

recipe host-capacity.sh $SRC
assert_eq "host-capacity rc" 0 "$rc"
assert_eq "host-capacity" "mdev${TAB}nvidia-222${TAB}GRID T4-1B${TAB}15
mdev${TAB}nvidia-230${TAB}GRID T4-16Q${TAB}0" "$out"
recipe host-capacity.sh $NOGPU
assert_eq "host-capacity, no types" "0 " "$rc $out"
recipe host-capacity.sh nope.example.org
[ "$rc" != 0 ] || fail "host-capacity of an unknown host succeeded"
ok "host-capacity unknown host fails ($rc)"

recipe check-device.sh $SRC $MDEV $SAME
assert_eq "check-device compatible" "0 $SAME${TAB}compatible${TAB}" "$rc $out"
recipe check-device.sh $SRC $MDEV $NEWER
assert_eq "check-device incompatible" "1 $NEWER${TAB}incompatible${TAB}VERSION_MISMATCH" "$rc $out"
recipe check-device.sh $SRC $MDEV never.example.org
assert_eq "check-device unknown" "1 never.example.org${TAB}unknown${TAB}HOST_UNKNOWN" "$rc $out"
recipe check-device.sh $SRC $VF $NOGPU
assert_eq "check-device VF" "0 $NOGPU${TAB}compatible${TAB}" "$rc $out"

recipe vm-destinations.sh $VM
assert_eq "vm-destinations" "0 $SAME${TAB}15" "$rc $out"

recipe verdict-counts.sh $SRC $MDEV
assert_eq "verdict-counts" "0 compatible 1
incompatible 2" "$rc $out"
recipe verdict-counts.sh $SRC $VF
assert_eq "verdict-counts VF" "0 compatible 3" "$rc $out"
recipe verdict-counts.sh $SRC $MDEV $VF
assert_eq "verdict-counts two devices" "0 compatible 1
incompatible 2" "$rc $out"

recipe stale-hosts.sh
assert_eq "stale-hosts, all fresh" "0 " "$rc $out"

recipe show-policy.sh
assert_eq "show-policy" \
    "0 nvidia${TAB}vendor_id=10de${TAB}driver_version:exact,device_id:exact
default${TAB}*${TAB}driver:exact,driver_version:exact,migration_version:exact" \
    "$rc $out"

# A stale host: a second server that calls a report stale after 1 s.
start_server --stale-after 1
export VFIO_COMPAT_URL="$URL"
put_inv "$SAMPLE"
put_inv "$CDATA/compute-18.json"
sleep 2.2
put_inv "$CDATA/compute-19.json"
recipe stale-hosts.sh
assert_eq "stale-hosts rc" 0 "$rc"
assert_eq "stale-hosts" "$SRC $SAME" "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
printf '%s\n' "$out" | cut -f2 | grep -qvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' &&
    fail "stale-hosts: bad received_at in [$out]"
ok "stale-hosts received_at"
recipe list-hosts.sh
assert_eq "list-hosts stale column" "stale stale fresh" \
    "$(printf '%s\n' "$out" | cut -f3 | tr '\n' ' ' | sed 's/ $//')"

# The recipes follow VFIO_COMPAT_TOKEN_FILE.
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
printf '%s admin *\n' "$(sha recipe-secret)" > "$T/tokens"
start_server --tokens "$T/tokens"
export VFIO_COMPAT_URL="$URL"
printf 'recipe-secret\n' > "$T/token"
put_inv "$SAMPLE" -H "Authorization: Bearer recipe-secret"
recipe list-hosts.sh
[ "$rc" != 0 ] || fail "list-hosts without a token succeeded"
ok "list-hosts without a token fails"
export VFIO_COMPAT_TOKEN_FILE="$T/token"
recipe list-hosts.sh
assert_eq "list-hosts with a token" "0 $SRC" "$rc $(printf '%s' "$out" | cut -f1)"
recipe show-policy.sh
assert_eq "show-policy with a token" 0 "$rc"
unset VFIO_COMPAT_TOKEN_FILE

# Every shipped recipe was run above.
for f in "$EXAMPLES"/*; do
	n=${f##*/}
	case " $TESTED " in
	*" $n "*) ok "recipe $n tested" ;;
	*) fail "recipe $n is not tested" ;;
	esac
done
