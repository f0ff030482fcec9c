# SPDX-License-Identifier: Apache-2.0
# special-files.sh -- files that are not what they should be. Before:
# --output onto a FIFO (or a symlink to /dev/null) renamed a regular
# file over it, so run as root --output /dev/null replaced /dev/null;
# a FIFO where a sysfs attribute belongs blocked the collector forever
# in open().
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

# --output onto a FIFO: the reader gets the document, the FIFO stays.
mkfifo "$T/fifo"
timeout 20 cat "$T/fifo" > "$T/read.json" &
reader=$!
"$WITH_TREE" t4 -- timeout 20 "$VC_COLLECT" --host testhost \
    --probe-dir "$NOPROBES" --output "$T/fifo" 2>"$T/err" ||
    fail "collector exit $?: $(cat "$T/err")"
wait "$reader" || fail "the FIFO's reader got nothing"
[ -p "$T/fifo" ] || fail "the FIFO was replaced: $(ls -l "$T/fifo")"
ok "--output FIFO written in place"
assert_eq "the reader got the document" testhost "$(jq -r .host "$T/read.json")"

# --output through a symlink to /dev/null: the link and the device stay.
ln -s /dev/null "$T/null"
"$WITH_TREE" t4 -- "$VC_COLLECT" --host testhost --probe-dir "$NOPROBES" \
    --output "$T/null" 2>"$T/err" || fail "collector exit $?: $(cat "$T/err")"
[ -L "$T/null" ] || fail "the symlink to /dev/null was replaced"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
ok "--output /dev/null (through a link) written in place"

# A FIFO where a sysfs attribute should be: refused, not waited on.
cp "$VC_TESTDATA/t4.umockdev" "$T/fifo-tree.umockdev"
cp "$VC_TESTDATA/t4.extra" "$T/fifo-tree.extra" 2>/dev/null || : > "$T/fifo-tree.extra"
cat >> "$T/fifo-tree.extra" <<'X'
a=$SYS/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0
rm -f "$a/mdev_supported_types/nvidia-222/available_instances"
mkfifo "$a/mdev_supported_types/nvidia-222/available_instances"
X
rc=0
"$WITH_TREE" "$T/fifo-tree.umockdev" -- timeout 20 "$VC_COLLECT" \
    --host testhost --probe-dir "$NOPROBES" >"$T/out.json" 2>"$T/err" || rc=$?
[ "$rc" != 124 ] || fail "the collector blocked on a FIFO in sysfs"
grep -q 'available_instances: not a regular file' "$T/err" ||
    fail "no warning for the FIFO: $(cat "$T/err")"
ok "FIFO attribute refused with a warning"
assert_eq "its value is unknown, not guessed" null \
    "$(jq '.devices[] | select(.address == "0000:3b:00.0") | .types[] | select(.id == "nvidia-222") | .available_instances' "$T/out.json")"
