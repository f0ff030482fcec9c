# SPDX-License-Identifier: Apache-2.0
# trees.sh -- the collector over every recorded tree: exit 0, no
# warnings, a document the codec accepts, and the whole inventory equal
# to the reviewed expected/<tree>.json. --all-pci lists every PCI device.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

for tree in gvtg t4 h100 connectx mtty s390 xe; do
	collect "$tree" || fail "$tree: exit status $?: $(cat "$T/$tree.err")"
	[ ! -s "$T/$tree.err" ] ||
	    fail "$tree: unexpected warnings: $(cat "$T/$tree.err")"
	valid "$T/$tree.json"
	as_jansson_prints "$T/$tree.json"
	same_as_expected "$tree" "$T/$tree.json"

	# --all-pci: one device per /sys/bus/pci/devices entry, plus the
	# non-PCI mdev parents the default output already has.
	collect "$tree" --all-pci || fail "$tree --all-pci: exit status $?"
	valid "$T/$tree.json"
	as_jansson_prints "$T/$tree.json"
	npci=$("$WITH_TREE" "$tree" -- sh -c 'ls /sys/bus/pci/devices | wc -l')
	nother=$(normalize <"$EXPECTED/$tree.json" |
	    jq '[.devices[] | select(.address | test("^[0-9a-f]{4}:") | not)] | length')
	assert_eq "$tree --all-pci device count" "$((npci + nother))" \
	    "$(jq '.devices | length' "$T/$tree.json")"
done

# Selection: the trees' host bridge and e1000e NIC are not VFIO-relevant.
collect t4 --all-pci
assert_eq "t4 --all-pci lists the NIC" 1 \
    "$(jq '[.devices[] | select(.address == "0000:00:1f.6")] | length' "$T/t4.json")"
# In-tree drivers without a version report the kernel's release: e1000e
# is loadable (empty taint), pcieport built in (no taint file).
assert_eq "t4 --all-pci in-tree driver versions" \
    "e1000e $KREL pcieport $KREL" \
    "$(jq -r '[.devices[] | select(.address == "0000:00:1f.6" or .address == "0000:3a:00.0") | "\(.driver) \(.driver_version)"] | join(" ")' "$T/t4.json")"

# Kernels without /sys/class/mdev_bus: PCI parents' types are still
# found in their device directories (non-PCI parents need the class).
"$WITH_TREE" t4 -- sh -c 'rm -rf "$UMOCKDEV_DIR/sys/class/mdev_bus" &&
    [ ! -e /sys/class/mdev_bus ] &&
    exec "$0" --host testhost --probe-dir "$1"' "$VC_COLLECT" "$NOPROBES" \
    >"$T/nobus.json" 2>"$T/nobus.err" || fail "no mdev_bus: exit $?"
[ ! -s "$T/nobus.err" ] || fail "no mdev_bus: warnings: $(cat "$T/nobus.err")"
same_as_expected t4 "$T/nobus.json"
