# SPDX-License-Identifier: Apache-2.0
# mdevctl-types.sh -- parity: over every readable tree, the collector's
# mdev types (parent, type id, name, device_api, description,
# available_instances) equal `mdevctl types --dumpjson`.  Default options:
# every mdev parent, PCI or not, must be selected without --all-pci.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/parity/common.sh"
need umockdev-run mdevctl jq

add_large_tree
for tree in $PARITY_TREES; do
	name=$(basename "$tree" .umockdev)
	collect "$T/$name.json" "$tree" --
	"$WITH_TREE" "$tree" -- mdevctl types --dumpjson >"$T/$name.mdevctl" ||
		fail "mdevctl failed on $name"
	mdevctl_types_norm "$T/$name.mdevctl" >"$T/$name.want"
	collector_types_norm "$T/$name.json" >"$T/$name.got"
	# guard against comparing two empty lists by mistake
	case $name in
	h100|connectx|xe) ;;
	*) [ "$(jq length "$T/$name.want")" -gt 0 ] || fail "$name: mdevctl saw no types" ;;
	esac
	compare "mdev types of $name" "$T/$name.want" "$T/$name.got"
done
