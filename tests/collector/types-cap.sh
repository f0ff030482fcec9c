# SPDX-License-Identifier: Apache-2.0
# types-cap.sh -- a parent offering more mdev types than the collector
# keeps (512): the rest is dropped with one warning and the device says
# types_truncated, so the engine answers unknown, not "type missing",
# for a type it may have dropped.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

# The T4 tree, with 600 more types planted on the GPU inside the test bed.
cp "$VC_TESTDATA/t4.umockdev" "$T/many.umockdev"
{
	cat "$VC_TESTDATA/t4.extra" 2>/dev/null || :
	cat <<'EOX'
g=$SYS/bus/pci/devices/0000:3b:00.0/mdev_supported_types
i=0
while [ $i -lt 600 ]; do
	d=$g/zz-$i
	mkdir -p "$d/devices"
	printf 'Z-%s\n' $i > "$d/name"
	printf 'vfio-pci\n' > "$d/device_api"
	printf '1\n' > "$d/available_instances"
	i=$((i + 1))
done
EOX
} > "$T/many.extra"
"$WITH_TREE" "$T/many.umockdev" -- "$VC_COLLECT" --host testhost \
    --probe-dir "$NOPROBES" > "$T/many.json" 2> "$T/many.err" ||
    fail "collector failed: $(cat "$T/many.err")"
valid "$T/many.json"
as_jansson_prints "$T/many.json"
gpu='.devices[] | select(.address == "0000:3b:00.0")'
assert_eq "types kept" 512 "$(jq "[$gpu | .types[]] | length" "$T/many.json")"
assert_eq "types_truncated" true "$(jq "$gpu | .types_truncated" "$T/many.json")"
assert_eq "one warning" 1 "$(grep -c 'more than 512 types' "$T/many.err")"
# A whole list says nothing.
collect t4
assert_eq "no marker on a whole list" null \
    "$(jq "$gpu | .types_truncated" "$T/t4.json")"
