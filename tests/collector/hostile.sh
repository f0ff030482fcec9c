# SPDX-License-Identifier: Apache-2.0
# hostile.sh -- the planted problems of tests/data/hostile (README H1-H15):
# exit 0, a document the codec accepts, nulls where a value cannot be
# trusted, the sane neighbours intact, and a warning for every problem.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

collect hostile --all-pci || fail "exit status $?: $(cat "$T/hostile.err")"
jq -e . "$T/hostile.json" >/dev/null || fail "output is not JSON"
valid "$T/hostile.json"
as_jansson_prints "$T/hostile.json"
ok "exit 0 and a valid inventory"
same_as_expected hostile "$T/hostile.json"

# warned PATTERN WHAT: at least one stderr line matches PATTERN.
warned() {
	grep -E -- "$1" "$T/hostile.err" >/dev/null ||
	    fail "no warning for $2 (pattern $1)"
	ok "warning for $2"
}
P=/sys/bus/pci/devices
M=$P/0000:00:09.0/mdev_supported_types
warned "$P/0000:00:04.0/vendor: not a 4-digit hex" "H1 vendor 0xzzzz"
warned "$P/0000:00:04.0/device: not a 4-digit hex" "H1 device banana"
warned "$P/0000:00:05.0/numa_node: number is too small" "H2 numa_node -5"
warned "$P/0000:00:05.0/sriov_totalvfs: number is too large" "H2 sriov_totalvfs 2^64"
warned "$P/0000:00:05.0/sriov_numvfs: number is invalid" "H2 sriov_numvfs banana"
warned "$P/0000:00:05.0/revision: missing" "H2 revision missing"
warned "$P/0000:00:05.0/class: missing" "H2 class missing"
warned "$P/0000:00:05.0/subsystem_device: not a 4-digit hex" "H2 subsystem_device empty"
warned "$P/0000:00:06.0/driver: dangling link" "H3 dangling driver"
warned "$P/0000:00:06.0/iommu_group: dangling link" "H3 dangling iommu_group"
warned "$P/0000:00:07.0/vendor: Is a directory" "H4 vendor is a directory"
warned "$P/0000:00:07.0/class: dangling link" "H4 class dangling"
warned "$M/nvidia-900/name: not clean UTF-8" "H5 non-UTF-8 name"
warned "$M/nvidia-900/description: not clean UTF-8" "H5 non-UTF-8 description"
warned "$M/nvidia-900/available_instances: number is invalid" "H5 available banana"
warned "$M/nvidia-901/device_api: missing" "H6 device_api missing"
warned "$M/nvidia-901/available_instances: missing" "H6 available missing"
warned "$M/nvidia-902/available_instances: number is too small" "H7 available -5"
warned "$M/nvidia-903/available_instances: number is too large" "H8 available 10^23"
warned "$M/nvidia-904/device_api: missing" "H9 empty type dir"
warned "$M/README: not a type directory" "H9 stray file"
warned "deadbeef-0000-4000-8000-000000000001/mdev_type: missing or dangling" "H10 dangling mdev_type"
warned "deadbeef-0000-4000-8000-000000000002/mdev_type: missing or dangling" "H11 no mdev_type"
warned "$P/0000:00:0a.0/nvidia/current_vgpu_type: number is invalid" "H12 current_vgpu_type banana"
for line in 3 4 5 7 8; do
	warned "creatable_vgpu_types: line $line" "H12 bad creatable line $line"
done
warned "$P/0000:00:0a.0/physfn: dangling link" "H13 dangling physfn"
warned "/sys/class/mdev_bus/0000:00:0e.0: dangling link" "H14 dangling parent"
warned "/sys/module/nvidia/version: empty" "H15 empty module version"

# Every line is a one-line warning with the program's prefix.
if grep -v '^vfio-compat-collect: warning: ' "$T/hostile.err"; then
	fail "stderr lines without the warning prefix"
fi

# Spot checks that spell out what the expected file holds.
q() { jq -c "$1" "$T/hostile.json"; }
assert_eq "H1 ids null" '[null,null]' \
    "$(q '.devices[] | select(.address=="0000:00:04.0") | [.vendor_id,.device_id]')"
assert_eq "H2 numbers null" '[null,null,null,null,null]' \
    "$(q '.devices[] | select(.address=="0000:00:05.0") | [.numa_node,.sriov_totalvfs,.sriov_numvfs,.class,.revision]')"
assert_eq "H3 links null" '[null,null,null]' \
    "$(q '.devices[] | select(.address=="0000:00:06.0") | [.driver,.driver_version,.iommu_group]')"
assert_eq "sane type intact" '["GRID T4-1B",16,"vfio-pci"]' \
    "$(q '.devices[].types[] | select(.id=="nvidia-222") | [.name,.available_instances,.device_api]')"
assert_eq "H12 good vGPU lines kept" '["1061","1062","1064"]' \
    "$(q '[.devices[] | select(.address=="0000:00:0a.0") | .types[].id]')"
assert_eq "H10/H11 no instances" '[]' "$(q '.instances')"
