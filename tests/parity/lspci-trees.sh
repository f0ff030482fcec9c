# lspci-trees.sh -- parity: over every readable tree, the collector's PCI
# devices with --all-pci (address, vendor/device ids, class with prog-if,
# driver) equal `lspci -Dnmmvk`'s.  -v is needed: lspci prints Driver:
# only in verbose machine mode.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/parity/common.sh"
need umockdev-run lspci jq

for tree in $PARITY_TREES; do
	collect "$T/$tree.json" "$tree" -- --all-pci
	"$WITH_TREE" "$tree" -- lspci -Dnmmvk >"$T/$tree.lspci" 2>"$T/$tree.lspci.err" ||
		fail "lspci failed on $tree: $(cat "$T/$tree.lspci.err")"
	lspci_rows <"$T/$tree.lspci" >"$T/$tree.want"
	collector_pci_rows "$T/$tree.json" >"$T/$tree.got"
	case $tree in
	s390) [ ! -s "$T/$tree.want" ] || fail "s390: lspci saw PCI devices (host leak?)" ;;
	*) [ -s "$T/$tree.want" ] || fail "$tree: lspci saw no devices" ;;
	esac
	compare "PCI devices of $tree" "$T/$tree.want" "$T/$tree.got"
done
