# SPDX-License-Identifier: Apache-2.0
# lspci-trees.sh -- parity: over every readable tree, the collector's PCI
# devices with --all-pci (address, vendor/device ids, class with prog-if,
# driver) equal `lspci -Dnmmvk`'s.  -v is needed: lspci prints Driver:
# only in verbose machine mode.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/parity/common.sh"
need umockdev-run lspci jq

add_large_tree
for tree in $PARITY_TREES; do
	name=$(basename "$tree" .umockdev)
	collect "$T/$name.json" "$tree" -- --all-pci
	"$WITH_TREE" "$tree" -- lspci -Dnmmvk >"$T/$name.lspci" 2>"$T/$name.lspci.err" ||
		fail "lspci failed on $name: $(cat "$T/$name.lspci.err")"
	lspci_rows <"$T/$name.lspci" >"$T/$name.want"
	collector_pci_rows "$T/$name.json" >"$T/$name.got"
	case $name in
	s390) [ ! -s "$T/$name.want" ] || fail "s390: lspci saw PCI devices (host leak?)" ;;
	*) [ -s "$T/$name.want" ] || fail "$name: lspci saw no devices" ;;
	esac
	compare "PCI devices of $name" "$T/$name.want" "$T/$name.got"
done
