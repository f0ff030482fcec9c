# mdevctl-types.sh -- parity: over every readable tree, the collector's
# mdev types (parent, type id, name, device_api, description,
# available_instances) equal `mdevctl types --dumpjson`.  Default options:
# every mdev parent, PCI or not, must be selected without --all-pci.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/parity/common.sh"
need umockdev-run mdevctl jq

for tree in $PARITY_TREES; do
	collect "$T/$tree.json" "$tree" --
	"$WITH_TREE" "$tree" -- mdevctl types --dumpjson >"$T/$tree.mdevctl" ||
		fail "mdevctl failed on $tree"
	mdevctl_types_norm "$T/$tree.mdevctl" >"$T/$tree.want"
	collector_types_norm "$T/$tree.json" >"$T/$tree.got"
	# guard against comparing two empty lists by mistake
	case $tree in
	h100|connectx) ;;
	*) [ "$(jq length "$T/$tree.want")" -gt 0 ] || fail "$tree: mdevctl saw no types" ;;
	esac
	compare "mdev types of $tree" "$T/$tree.want" "$T/$tree.got"
done
