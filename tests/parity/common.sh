# SPDX-License-Identifier: Apache-2.0
# tests/parity/common.sh -- shared helpers for the parity tests: run the
# collector and the reference tools over a tree, and bring both outputs to
# one sorted, comparable shape.  Source after tests/lib.sh.

# The trees the tools can read (hostile is excluded on purpose: lspci and
# mdevctl both abort on it, see tests/data/README.md).
PARITY_TREES="gvtg t4 h100 connectx mtty s390 xe"

WITH_TREE=$top_srcdir/tests/data/with-tree

# add_large_tree: also the bench's large generated host (8 GPUs x 16
# types, 64 VFs) as $T/large.umockdev (with-tree takes a path too).
add_large_tree() {
	"$top_srcdir/tests/bench/gen-host-tree" "$T" large ||
		fail "gen-host-tree failed"
	PARITY_TREES="$PARITY_TREES $T/large.umockdev"
}

# need CMD...: skip the test (exit 77) when a reference tool is missing.
need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { echo "SKIP: $c not installed"; exit 77; }
	done
}

[ -x "$VC_COLLECT" ] || fail "collector not built: $VC_COLLECT"

# collect OUT [TREE] -- ARGS: the collector's inventory into OUT, over TREE
# (or the real host with TREE "-"); fails with its stderr when it fails.
collect() {
	out=$1 tree=$2
	shift 3
	if [ "$tree" = - ]; then
		"$VC_COLLECT" --host parity "$@" >"$out" 2>"$out.err" ||
			fail "collector failed on the host: $(cat "$out.err")"
	else
		"$WITH_TREE" "$tree" -- "$VC_COLLECT" --host parity "$@" \
			>"$out" 2>"$out.err" ||
			fail "collector failed on $tree: $(cat "$out.err")"
	fi
	jq -e .devices "$out" >/dev/null || fail "collector output on $tree is not an inventory"
}

# lspci -Dnmmvk on stdin -> "address vendor device class driver" rows;
# class = lspci's class+subclass and ProgIf (00 when lspci omits it),
# driver "-" when none.
lspci_rows() {
	awk -F '\t' '
	function flush() {
		if (slot != "") printf "%s %s %s %s%s %s\n", slot, ven, dev, cls, pi, drv
		slot = ""; ven = ""; dev = ""; cls = ""; pi = "00"; drv = "-"
	}
	BEGIN { flush() }
	/^$/ { flush(); next }
	$1 == "Slot:" { slot = $2 }
	$1 == "Vendor:" { ven = $2 }
	$1 == "Device:" { dev = $2 }
	$1 == "Class:" { cls = $2 }
	$1 == "ProgIf:" { pi = $2 }
	$1 == "Driver:" { drv = $2 }
	END { flush() }' | tr 'A-F' 'a-f' | LC_ALL=C sort
}

# The collector's PCI devices (addresses that look like PCI) as the same
# rows; a null field prints as "null" and so never matches lspci.
collector_pci_rows() {
	jq -r '.devices[]
		| select(.address | test("^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$"))
		| [.address, (.vendor_id // "null"), (.device_id // "null"),
		   (.class // "null"), (.driver // "-")] | join(" ")' "$1" |
		LC_ALL=C sort
}

# Both type listings as sorted [{parent, id, name, device_api,
# description, available_instances}].  Descriptions are compared the way
# mdevctl prints them: trimmed, newlines joined with ", "; an absent name
# or description is null on both sides.
JQ_NORM='def trim: if . == null then null else sub("^\\s+"; "") | sub("\\s+$"; "") end;
def mdesc: if . == null then null else trim | gsub("\n"; ", ") end;'

mdevctl_types_norm() {
	jq -S "$JQ_NORM"'
		[.[] | to_entries[] | .key as $p | .value[] | to_entries[]
		 | {parent: $p, id: .key, name: (.value.name | trim),
		    device_api: .value.device_api,
		    description: (.value.description | mdesc),
		    available_instances: .value.available_instances}]
		| sort_by(.parent, .id)' "$1"
}

collector_types_norm() {
	jq -S "$JQ_NORM"'
		[.devices[] | .address as $p | (.types // [])[]
		 | select(.kind == "mdev")
		 | {parent: $p, id: .id, name: (.name | trim),
		    device_api: .device_api,
		    description: (.description | mdesc),
		    available_instances: .available_instances}]
		| sort_by(.parent, .id)' "$1"
}

# compare WHAT EXPECTED-FILE ACTUAL-FILE: diff, fail with it shown.
compare() {
	if diff -u "$2" "$3" >"$T/diff"; then
		ok "$1"
	else
		cat "$T/diff" >&2
		fail "$1: collector (+) differs from reference (-)"
	fi
}
