# SPDX-License-Identifier: Apache-2.0
# kernel.sh -- what the kernel itself says: migration flags from VFIO's
# debugfs (drivers/vfio/debugfs.c, Linux 6.18+) ahead of probes and the
# built-in table, driver names with '-' and '_' equal (the Xe variant
# driver registers as xe-vfio-pci), and whether the host IOMMU tracks
# dirty pages from the VT-d ecap and AMD-Vi EFR registers in sysfs.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

mig() { # mig FILE ADDRESS: "capable flags source" of one device
	jq -r --arg a "$2" '.devices[] | select(.address == $a) |
	    .migration | "\(.capable) \(.flags | join(",")) \(.flags_source)"' "$1"
}

# connectx: one case per debugfs shape.
collect connectx || fail "connectx: exit $?: $(cat "$T/connectx.err")"
assert_eq "debugfs: all four features" "true stop_copy,p2p,pre_copy,dirty_tracking kernel" \
    "$(mig "$T/connectx.json" 0000:17:00.2)"
assert_eq "debugfs: no dirty-tracking line, so none (the table says four)" \
    "true stop_copy,p2p,pre_copy kernel" "$(mig "$T/connectx.json" 0000:17:00.3)"
assert_eq "debugfs: mlx5_vfio_pci VF without migration/ is not capable" \
    "false  kernel" "$(mig "$T/connectx.json" 0000:17:00.4)"
assert_eq "debugfs: plain vfio-pci without migration/" "false  kernel" \
    "$(mig "$T/connectx.json" 0000:17:00.5)"
assert_eq "no debugfs directory (mlx5_core PF): table" "false  none" \
    "$(mig "$T/connectx.json" 0000:17:00.0)"

# A probe does not outrank the kernel, but still does the table.
mkdir "$T/probes"
cat >"$T/probes/flags" <<'P'
#!/bin/sh
echo '{"0000:17:00.3": {"migration.flags": "stop_copy,p2p,pre_copy,dirty_tracking", "fw": "28.39"}}'
P
chmod +x "$T/probes/flags"
collect connectx --probe-dir "$T/probes" || fail "probe: exit $?"
assert_eq "probe flags ignored where debugfs spoke" "true stop_copy,p2p,pre_copy kernel" \
    "$(mig "$T/connectx.json" 0000:17:00.3)"
assert_eq "the probe's attribute still merged" 28.39 \
    "$(jq -r '.devices[] | select(.address == "0000:17:00.3") | .attributes.fw' "$T/connectx.json")"

# Without debugfs (an unprivileged collector sees none) the table speaks.
"$WITH_TREE" connectx -- sh -c 'rm -rf "$UMOCKDEV_DIR/sys/kernel/debug" &&
    exec "$0" --host testhost --probe-dir "$1"' "$VC_COLLECT" "$NOPROBES" \
    >"$T/nodbg.json" 2>"$T/nodbg.err" || fail "no debugfs: exit $?"
[ ! -s "$T/nodbg.err" ] || fail "no debugfs: warnings: $(cat "$T/nodbg.err")"
assert_eq "no debugfs: built-in table" "true stop_copy,p2p,pre_copy,dirty_tracking builtin" \
    "$(mig "$T/nodbg.json" 0000:17:00.4)"

# A feature line this collector does not know: warned and ignored.
"$WITH_TREE" connectx -- sh -c 'printf "stop-copy\nfuture-thing\n" \
    >"$UMOCKDEV_DIR/sys/kernel/debug/vfio/0000:17:00.2/migration/features" &&
    exec "$0" --host testhost --probe-dir "$1"' "$VC_COLLECT" "$NOPROBES" \
    >"$T/odd.json" 2>"$T/odd.err" || fail "odd feature: exit $?"
assert_eq "unknown feature line ignored" "true stop_copy kernel" \
    "$(mig "$T/odd.json" 0000:17:00.2)"
grep -q 'unknown feature "future-thing"' "$T/odd.err" || fail "no warning: $(cat "$T/odd.err")"
ok "warning for an unknown feature line"

# An mdev parent speaks through its live instances' directories: both
# T4 vGPUs say stop-copy and p2p; when they disagree, the table stays.
dbg='d=$UMOCKDEV_DIR/sys/kernel/debug/vfio
for u in 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 83b8f4f2-509f-382f-3c1e-e6bfe0fa1002; do
	mkdir -p $d/$u/migration && printf "stop-copy\np2p\n" >$d/$u/migration/features
done'
"$WITH_TREE" t4 -- sh -c "$dbg"'
    exec "$0" --host testhost --probe-dir "$1"' "$VC_COLLECT" "$NOPROBES" \
    >"$T/t4dbg.json" 2>"$T/t4dbg.err" || fail "t4 debugfs: exit $?"
assert_eq "mdev parent: flags of its instances" "true stop_copy,p2p kernel" \
    "$(mig "$T/t4dbg.json" 0000:3b:00.0)"
"$WITH_TREE" t4 -- sh -c "$dbg"'
    rm -r $d/83b8f4f2-509f-382f-3c1e-e6bfe0fa1002/migration
    exec "$0" --host testhost --probe-dir "$1"' "$VC_COLLECT" "$NOPROBES" \
    >"$T/t4mix.json" 2>"$T/t4mix.err" || fail "t4 mixed: exit $?"
assert_eq "mdev parent: instances disagree, table kept" "true  none" \
    "$(mig "$T/t4mix.json" 0000:3b:00.0)"
grep -q '0000:3b:00.0: instances differ' "$T/t4mix.err" || fail "no warning: $(cat "$T/t4mix.err")"
ok "warning when instances disagree"

# Intel Xe: the kernel spells the driver xe-vfio-pci; its VFs are listed
# and capable with the table's stop_copy,p2p; the VF left on xe is not
# VFIO and not listed.
collect xe || fail "xe: exit $?: $(cat "$T/xe.err")"
for vf in 0000:03:00.1 0000:03:00.2; do
	assert_eq "Xe VF $vf" "xe-vfio-pci true stop_copy,p2p builtin" \
	    "$(jq -r --arg a $vf '.devices[] | select(.address == $a) | .driver + " " + (.migration | "\(.capable) \(.flags | join(",")) \(.flags_source)")' "$T/xe.json")"
done
assert_eq "xe-vfio-pci's version from module xe_vfio_pci" 1A2B3C4D5E6F708192A3B4C \
    "$(jq -r '.devices[] | select(.address == "0000:03:00.1") | .driver_version' "$T/xe.json")"
assert_eq "Xe: VFIO VFs and their PF only" "0000:03:00.0 0000:03:00.1 0000:03:00.2" \
    "$(jq -r '[.devices[].address | select(startswith("0000:03:"))] | join(" ")' "$T/xe.json")"

# IOMMU dirty tracking. Linux before 6.7 has none through iommufd.
kmaj=${KREL%%.*} krest=${KREL#*.} kmin=${krest%%[!0-9]*}
if [ "$kmaj" -gt 6 ] || { [ "$kmaj" -eq 6 ] && [ "$kmin" -ge 7 ]; }; then
	YES=true
else
	YES=false
fi
dirty() { jq -r .platform.iommu_dirty_tracking "$1"; }
assert_eq "VT-d with SLADS, SMTS, SMPWC, sm_on (xe)" $YES "$(dirty "$T/xe.json")"
assert_eq "VT-d without SLADS (connectx)" false "$(dirty "$T/connectx.json")"
collect h100 || fail "h100: exit $?"
assert_eq "AMD-Vi with HDSup in EFR (h100)" $YES "$(dirty "$T/h100.json")"
collect t4 || fail "t4: exit $?"
assert_eq "no IOMMU in sysfs (t4)" null "$(dirty "$T/t4.json")"

# scenario TREE SCRIPT: the collector over TREE after SCRIPT edits it.
scenario() {
	"$WITH_TREE" "$1" -- sh -c "set -e; S=\$UMOCKDEV_DIR/sys; $2
	    exec \"\$0\" --host testhost --probe-dir \"\$1\"" "$VC_COLLECT" "$NOPROBES" \
	    >"$T/sc.json" 2>"$T/sc.err" || fail "scenario: exit $?: $(cat "$T/sc.err")"
}
scenario xe 'printf "1090000f050da\n" >$S/devices/virtual/iommu/dmar1/intel-iommu/ecap'
assert_eq "one VT-d unit without SLADS: false" false "$(dirty "$T/sc.json")"
scenario xe 'printf "290000f050da\n" >$S/devices/virtual/iommu/dmar1/intel-iommu/ecap'
if [ $YES = true ]; then
	assert_eq "SLADS without page-walk coherency (SMPWC): false" false "$(dirty "$T/sc.json")"
fi
scenario xe 'echo "root=/dev/sda1 intel_iommu=on,sm_off" >$UMOCKDEV_DIR/proc/cmdline'
if [ $YES = true ]; then
	assert_eq "scalable mode off at boot: false" false "$(dirty "$T/sc.json")"
fi
scenario xe 'mkdir -p $S/devices/virtual/iommu/viommu0
	ln -s ../../devices/virtual/iommu/viommu0 $S/class/iommu/viommu0'
if [ $YES = true ]; then
	assert_eq "an IOMMU whose registers sysfs does not show: null" null "$(dirty "$T/sc.json")"
fi
scenario h100 'printf "247577efa2254afa\n" >$S/devices/virtual/iommu/ivhd1/amd-iommu/features'
if [ $YES = true ]; then
	assert_eq "AMD features not EFR:EFR2: null" null "$(dirty "$T/sc.json")"
	grep -q 'not "EFR:EFR2"' "$T/sc.err" || fail "no warning: $(cat "$T/sc.err")"
fi
scenario h100 'printf "246577efa2254afa:1d\n" >$S/devices/virtual/iommu/ivhd0/amd-iommu/features'
assert_eq "one AMD-Vi unit without HDSup: false" false "$(dirty "$T/sc.json")"

# /dev/iommu and /dev/vfio/vfio: absent from a kernel without them
# (false), or not given to this container although the kernel has them
# (their misc class entry exists): unknown.
collect gvtg || fail "gvtg: exit $?"
assert_eq "no /dev/iommu, no iommufd in the kernel: false" "false true" \
    "$(jq -r '"\(.platform.iommufd) \(.platform.vfio_container)"' "$T/gvtg.json")"
scenario gvtg 'mkdir -p $S/devices/virtual/misc/iommu $S/class/misc
	ln -s ../../devices/virtual/misc/iommu $S/class/misc/iommu'
assert_eq "no /dev/iommu, but the kernel has it: null" null \
    "$(jq -r .platform.iommufd "$T/sc.json")"
scenario mtty 'mkdir -p $S/devices/virtual/misc/vfio $S/class/misc
	ln -s ../../devices/virtual/misc/vfio $S/class/misc/vfio'
assert_eq "no /dev/vfio/vfio, but the kernel has it: null" null \
    "$(jq -r .platform.vfio_container "$T/sc.json")"
