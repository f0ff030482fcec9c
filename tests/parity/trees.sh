# SPDX-License-Identifier: Apache-2.0
# trees.sh -- the device trees show the real tools what tests/data/README.md
# says they hold (so a collector parity failure is never a broken tree),
# the checked-in trees match their generator, and with-tree behaves: exit
# status passed through, setup errors 125, no leak of the host's PCI
# devices into a tree.  Needs no collector.
. "$top_srcdir/tests/lib.sh"
WITH_TREE=$top_srcdir/tests/data/with-tree
for c in umockdev-run lspci mdevctl jq python3; do
	command -v "$c" >/dev/null 2>&1 || { echo "SKIP: $c not installed"; exit 77; }
done

# The trees are generated: what is checked in must be what make-trees makes.
mkdir "$T/gen"
"$top_srcdir/tests/data/make-trees" --out "$T/gen" >/dev/null ||
	fail "make-trees failed"
for f in "$T"/gen/*.umockdev; do
	cmp -s "$f" "$top_srcdir/tests/data/${f##*/}" ||
		fail "tests/data/${f##*/} differs from make-trees' output (edited by hand? rerun make-trees)"
done
ok "trees match make-trees"

# check TREE PCI-FUNCTIONS DRIVERS-SHOWN MDEV-TYPES MDEV-INSTANCES
check() {
	out=$("$WITH_TREE" "$1" -- sh -c '
		lspci -Dnmmvk 2>/dev/null | grep -c "^Slot:" || true
		lspci -Dnmmvk 2>/dev/null | grep -c "^Driver:" || true
		mdevctl types --dumpjson | jq "[.[] | to_entries[].value[]] | length"
		mdevctl list | grep -c . || true') || fail "$1: tools failed"
	assert_eq "$1: PCI functions, drivers, mdev types, mdev instances" \
		"$2 $3 $4 $5" "$(echo $out)"
}
check gvtg 3 2 2 0
check t4 4 3 16 2
check h100 12 11 0 0
check connectx 9 8 0 0
check mtty 2 1 2 1
check s390 0 0 2 1
check xe 7 6 0 0

# what the trees are for, spot-checked
v=$("$WITH_TREE" t4 -- cat /sys/module/nvidia/version)
assert_eq "t4: nvidia module version" 550.90.05 "$v"
v=$("$WITH_TREE" h100 -- cat /sys/bus/pci/devices/0000:41:00.4/nvidia/current_vgpu_type)
assert_eq "h100: VF 41:00.4 runs a vGPU" 1061 "$v"
v=$("$WITH_TREE" connectx -- sh -c 'basename $(readlink /sys/bus/pci/devices/0000:17:00.5/driver); basename $(readlink /sys/bus/pci/devices/0000:17:00.2/physfn)')
assert_eq "connectx: VF on vfio-pci, physfn" "vfio-pci 0000:17:00.0" "$(echo $v)"
v=$("$WITH_TREE" connectx -- sh -c 'ls /sys/kernel/iommu_groups/26/devices; test -e /dev/vfio/26 && echo node')
assert_eq "connectx: iommu group 26 and its node" "0000:17:00.5 node" "$(echo $v)"

# the hostile tree defeats both reference tools (why no parity runs on it)
"$WITH_TREE" hostile -- lspci -Dnmmvk >/dev/null 2>&1 && fail "lspci read the hostile tree"
"$WITH_TREE" hostile -- mdevctl types --dumpjson >/dev/null 2>&1 && fail "mdevctl read the hostile tree"
v=$("$WITH_TREE" hostile -- sh -c 'test -d /sys/bus/pci/devices/0000:00:07.0/vendor && echo dir; test -e /sys/bus/pci/devices/0000:00:06.0/driver || echo dangling')
assert_eq "hostile: planted directory and dangling link" "dir dangling" "$(echo $v)"

# with-tree itself
set +e
"$WITH_TREE" gvtg -- sh -c 'exit 7'; rc=$?
"$WITH_TREE" no-such-tree -- true 2>/dev/null; rc2=$?
"$WITH_TREE" gvtg 2>/dev/null; rc3=$?
set -e
assert_eq "with-tree passes the exit status through" 7 "$rc"
assert_eq "with-tree: unknown tree is a setup error" 125 "$rc2"
assert_eq "with-tree: usage error" 125 "$rc3"
