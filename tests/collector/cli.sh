# SPDX-License-Identifier: Apache-2.0
# cli.sh -- options: usage errors exit 2 with the usage text, failures
# exit 1 with one line, --output is atomic, QEMU's version is found.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

# usage_error WHAT ARGS...: exit 2, usage on stderr, nothing on stdout.
usage_error() {
	what=$1
	shift
	rc=0
	"$VC_COLLECT" "$@" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$what: exit status" 2 "$rc"
	grep -q '^usage: vfio-compat-collect' "$T/err" ||
	    fail "$what: no usage text on stderr"
	[ ! -s "$T/out" ] || fail "$what: wrote to stdout"
}
usage_error "unknown option" --bogus
usage_error "missing argument" --host
usage_error "stray argument" stray
usage_error "--push without --token-file" --push http://127.0.0.1:1
usage_error "--token-file without --push" --token-file /dev/null
usage_error "--qemu with --qemu-version" --qemu /bin/true --qemu-version 9.2.0
usage_error "bad --qemu-version" --qemu-version banana
usage_error "--push not http" --push ftp://x --token-file /dev/null
usage_error "--interval without --watch" --interval 5
grep -q -- '--interval needs --watch' "$T/err" ||
    fail "--interval without --watch: no clear reason"
usage_error "--interval 0" --watch --interval 0
usage_error "--interval too large" --watch --interval 86401
usage_error "--interval not a number" --watch --interval 5s
grep -q 'seconds from 1 to 86400' "$T/err" || fail "--interval: no clear reason"
usage_error "empty --textfile" --textfile ""

"$VC_COLLECT" --help >"$T/out" 2>"$T/err" || fail "--help: exit $?"
grep -q '^usage: vfio-compat-collect' "$T/out" || fail "--help: no usage"
grep -q -- '--all-pci' "$T/out" || fail "--help does not document --all-pci"
grep -q 'migration.flags' "$T/out" || fail "--help does not document probes"
grep -q -- '--watch  ' "$T/out" || fail "--help does not document --watch"
grep -q -- '--interval SEC' "$T/out" || fail "--help does not document --interval"
grep -q -- '--textfile PATH' "$T/out" || fail "--help does not document --textfile"
ok "--help"
assert_eq "--version" "vfio-compat-collect 0.1.0" "$("$VC_COLLECT" --version)"

# one_line_failure WHAT ARGS...: exit 1 and exactly one stderr line.
one_line_failure() {
	what=$1
	shift
	rc=0
	"$WITH_TREE" t4 -- "$VC_COLLECT" --probe-dir "$NOPROBES" "$@" \
	    >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$what: exit status" 1 "$rc"
	assert_eq "$what: one line on stderr" 1 "$(wc -l <"$T/err")"
}
one_line_failure "invalid --host" --host 'not a host'
grep -q 'not a host' "$T/err" || fail "invalid --host: reason does not name it"
# Host names are case-insensitive: --host Compute_01 is compute_01.
"$VC_COLLECT" --host Compute_01.Example.ORG --output "$T/folded" 2>/dev/null ||
    fail "--host Compute_01.Example.ORG refused"
assert_eq "--host folded" compute_01.example.org "$(jq -r .host "$T/folded")"
one_line_failure "--output into a missing directory" --host h \
    --output "$T/missing/inv.json"

# Default host name: this machine's, lower-cased.
h=$(hostname | tr A-Z a-z)
"$WITH_TREE" t4 -- "$VC_COLLECT" --probe-dir "$NOPROBES" >"$T/out" 2>/dev/null
assert_eq "default host name" "$h" "$(jq -r .host "$T/out")"

# --output writes the same document as stdout, atomically (no temp
# file left), and replaces an existing file.
mkdir "$T/dir"
echo stale >"$T/dir/inv.json"
collect t4 --output "$T/dir/inv.json" || fail "--output: exit $?"
[ ! -s "$T/t4.json" ] || fail "--output also wrote to stdout"
assert_eq "--output leaves one file" "inv.json" "$(ls "$T/dir")"
valid "$T/dir/inv.json"
as_jansson_prints "$T/dir/inv.json"
same_as_expected t4 "$T/dir/inv.json"
collect t4 --output - || fail "--output -: exit $?"
same_as_expected t4 "$T/t4.json"

# QEMU version: asked from the binary, given, or unknown.
collect t4 --qemu "$FAKE_QEMU"
assert_eq "--qemu runs -version" 9.2.0 \
    "$(jq -r .platform.qemu_version "$T/t4.json")"
collect t4 --qemu-version 8.2.2
assert_eq "--qemu-version" 8.2.2 "$(jq -r .platform.qemu_version "$T/t4.json")"
collect t4 --qemu /bin/false || fail "--qemu /bin/false: exit $?"
assert_eq "failing --qemu leaves null" null \
    "$(jq -r .platform.qemu_version "$T/t4.json")"
grep -q 'warning:.*/bin/false' "$T/t4.err" || fail "no warning for a failing --qemu"
ok "warning for a failing --qemu"

# Without --qemu or --qemu-version: qemu-system-<arch> on PATH (SPEC 3),
# and libvirtd's or virtqemud's --version; common.inc's fakes answer.
collect t4 || fail "discovery: exit $?"
assert_eq "no --qemu: qemu-system-$QEMU_ARCH on PATH" 9.2.0 \
    "$(jq -r .platform.qemu_version "$T/t4.json")"
assert_eq "libvirt from libvirtd --version" 10.0.0 \
    "$(jq -r .platform.libvirt_version "$T/t4.json")"
[ ! -s "$T/t4.err" ] || fail "discovery warned: $(cat "$T/t4.err")"
mkdir "$T/only-virtqemud"
sed 's/libvirtd (libvirt) 10.0.0/virtqemud (libvirt) 11.2.0/' \
    "$FAKEBIN/libvirtd" >"$T/only-virtqemud/virtqemud"
chmod +x "$T/only-virtqemud/virtqemud"
"$WITH_TREE" t4 -- env PATH="$T/only-virtqemud" "$VC_COLLECT" --host testhost \
    --probe-dir "$NOPROBES" >"$T/vq.json" 2>"$T/vq.err" || fail "virtqemud: exit $?"
assert_eq "libvirt from virtqemud --version" 11.2.0 \
    "$(jq -r .platform.libvirt_version "$T/vq.json")"
# Nothing to ask: null and one warning each, never a guess. The fixed
# places (/usr/libexec/qemu-kvm, /usr/sbin) are the machine's own.
mkdir "$T/empty-path"
"$WITH_TREE" t4 -- env PATH="$T/empty-path" "$VC_COLLECT" --host testhost \
    --probe-dir "$NOPROBES" >"$T/none.json" 2>"$T/none.err" || fail "no QEMU: exit $?"
if [ ! -e /usr/libexec/qemu-kvm ]; then
	assert_eq "no QEMU anywhere: null" null "$(jq -r .platform.qemu_version "$T/none.json")"
	assert_eq "no QEMU anywhere: one warning" 1 \
	    "$(grep -c "no qemu-system-$QEMU_ARCH on PATH" "$T/none.err")"
fi
if [ ! -e /usr/sbin/libvirtd ] && [ ! -e /usr/sbin/virtqemud ] &&
    [ ! -e /usr/local/sbin/libvirtd ] && [ ! -e /usr/local/sbin/virtqemud ]; then
	assert_eq "no libvirt anywhere: null" null "$(jq -r .platform.libvirt_version "$T/none.json")"
	assert_eq "no libvirt anywhere: one warning" 1 \
	    "$(grep -c "neither libvirtd nor virtqemud" "$T/none.err")"
fi
