# SPDX-License-Identifier: Apache-2.0
# vms.sh -- VM discovery with real processes: fake QEMUs whose command
# lines look like libvirt's (or a person's) hold VFIO group, cdev,
# container and iommufd nodes of a test bed open while the collector
# runs; it must report exactly those with a UUID, their devices from
# the command line and from the open files, and what each VM itself
# decides about its migration (complete, qemu_version, backend, viommu,
# ram_shared).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

U1=6f3b2a4e-0c1d-4e2f-8a9b-0c1d2e3f4a5b
U2=0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3
U5=55555555-0000-4000-8000-000000000005
U6=66666666-0000-4000-8000-000000000006
U7=77777777-0000-4000-8000-000000000007
U8=88888888-0000-4000-8000-000000000008
U9=99999999-0000-4000-8000-000000000009
UU=abcdef00-0000-4000-8000-0000000000ff
M1=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
M2=83b8f4f2-509f-382f-3c1e-e6bfe0fa1002
AP=4b0a3b3d-7c4a-4a2c-9d1b-0d5d3b7e6a01

# A copy of fake-qemu that says it is QEMU 10.1.0, and one whose binary
# is removed while it runs (a package upgrade).
mkdir "$T/qemu-10.1" "$T/qemu-old"
cp "$FAKE_QEMU" "$T/qemu-10.1/qemu-system-x86_64"
echo 10.1.0 >"$T/qemu-10.1/qemu-system-x86_64.version"
: >"$T/qemu-10.1/qemu-system-x86_64.asked"
cp "$FAKE_QEMU" "$T/qemu-old/qemu-system-x86_64"

# start READY OPEN BINARY ARGS...: a fake QEMU, its pid to $T/pids.
cat >"$T/start.inc" <<INC
start() {
	ready=\$1 open=\$2 bin=\$3
	shift 3
	FAKE_QEMU_READY=\$ready FAKE_QEMU_OPEN=\$open "\$bin" "\$@" &
	echo \$! >>"$T/pids"
	i=0
	while [ ! -e "\$ready" ]; do
		i=\$((i + 1))
		[ \$i -lt 500 ] || { echo "fake qemu did not start" >&2; exit 1; }
		sleep 0.01
	done
}
INC

# --- the t4 test bed: vGPU mdevs in groups 200 and 201 ---
# Arguments of 128 KiB (the kernel's limit per argument), ten of them:
# a command line beyond the collector's 1 MiB cap.
FAT=$(head -c 131000 /dev/zero | tr '\0' x)
MANY=$(i=0; while [ $i -lt 65 ]; do
	printf -- ' -device vfio-pci,host=0000:%02x:00.0' $((0x60 + i))
	i=$((i + 1))
done)
cat >"$T/inside.sh" <<INSIDE
set -eu
. "$T/start.inc"
node() { mkdir -p "\$(dirname "\$UMOCKDEV_DIR\$1")"; : >"\$UMOCKDEV_DIR\$1"; }
# libvirt style: -name guest=...,debug-threads=on, upper-case -uuid,
# a host= PCI device and an mdev by sysfsdev=, held through its group.
start "$T/r1" /dev/vfio/vfio:/dev/vfio/200 "$FAKE_QEMU" \\
    -name guest=instance-0000002a,debug-threads=on \\
    -uuid $(echo $U1 | tr a-f A-F) -machine q35 \\
    -device vfio-pci,host=0000:5e:00.3,id=hostdev0,bus=pci.3,addr=0x0 \\
    -device '{"driver":"virtio-net-pci","id":"net0"}' \\
    -device vfio-pci,id=hostdev1,sysfsdev=/sys/bus/mdev/devices/$M1
# JSON -device (libvirt 9+), short host=, plain -name, a sysfsdev= PCI
# path; --device spelled with two dashes. It holds group 201, whose mdev
# its command line never names: hot-plugged (device_add).
start "$T/r2" /dev/vfio/201 "$FAKE_QEMU" \\
    -name vm2 -uuid $U2 \\
    -device '{"driver":"vfio-pci","host":"5e:00.4","id":"hostdev0"}' \\
    --device vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:5e:00.5
# Holds VFIO but its -uuid is not a UUID: skipped with a warning.
start "$T/r3" /dev/vfio/200 "$FAKE_QEMU" -name bad -uuid not-a-uuid
# A QEMU-like process that holds no VFIO node: not a VFIO VM.
start "$T/r4" "" "$FAKE_QEMU" -name novfio \\
    -uuid 11111111-2222-4333-8444-555555555555 \\
    -device vfio-pci,host=0000:5e:00.6
# A group node whose group has no devices in sysfs: not attributable.
node /dev/vfio/77
start "$T/r5" /dev/vfio/vfio:/dev/vfio/77 "$T/qemu-10.1/qemu-system-x86_64" \\
    -name nogroup -uuid $U5
# A QEMU whose binary was replaced while it runs.
start "$T/r6" /dev/vfio/vfio "$T/qemu-old/qemu-system-x86_64" \\
    -name upgraded -uuid $U6 -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$M1
rm "$T/qemu-old/qemu-system-x86_64"
# A vfio-ap device: named, but a kind nothing here can place.
start "$T/r7" /dev/vfio/vfio "$FAKE_QEMU" -name ap -uuid $U7 \\
    -device vfio-ap,sysfsdev=/sys/bus/mdev/devices/$AP
# A command line longer than 1 MiB: devices after the cut are unseen.
start "$T/r8" /dev/vfio/vfio "$FAKE_QEMU" -name fat -uuid $U8 \\
    -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$M2 \\
    $FAT $FAT $FAT $FAT $FAT $FAT $FAT $FAT $FAT $FAT -device intel-iommu
# 65 VFIO devices: one more than a document holds for a VM.
start "$T/r9" /dev/vfio/vfio "$FAKE_QEMU" -name many -uuid $U9 \\
    $MANY
"$VC_COLLECT" --host testhost --probe-dir "$NOPROBES" >"$T/vms.json" \\
    2>"$T/vms.err"
INSIDE

: >"$T/pids"
at_exit 'for p in $(cat "$T/pids" 2>/dev/null); do kill $p 2>/dev/null || :; done'
"$WITH_TREE" t4 -- sh "$T/inside.sh" ||
    fail "scenario failed: $(cat "$T/vms.err" 2>/dev/null)"
valid "$T/vms.json"
as_jansson_prints "$T/vms.json"
set -- $(cat "$T/pids")
P1=$1 P2=$2 P3=$3 P5=$5 P6=$6 P7=$7 P8=$8 P9=$9

# vm UUID: the whole VM object, compact.
vm() { jq -c --arg u "$1" '.vms[] | select(.uuid == $u)' "$T/vms.json"; }
# want UUID NAME PID DEVICES COMPLETE QEMU BACKEND VIOMMU RAM_SHARED
want() {
	jq -cn --arg u "$1" --arg n "$2" --argjson p "$3" --argjson d "$4" \
	    --argjson c "$5" --argjson q "$6" --argjson b "$7" --argjson v "$8" \
	    --argjson r "$9" '{uuid: $u, name: $n, pid: $p, devices: $d,
	    complete: $c, qemu_version: $q, backend: $b, viommu: $v, ram_shared: $r}'
}
assert_eq "VM 1: group fd and command line" \
    "$(want $U1 instance-0000002a $P1 "[\"0000:5e:00.3\",\"$M1\"]" true '"9.2.0"' '"container"' false false)" \
    "$(vm $U1)"
assert_eq "VM 2: the hot-plugged mdev of its group fd" \
    "$(want $U2 vm2 $P2 "[\"0000:5e:00.4\",\"0000:5e:00.5\",\"$M2\"]" true '"9.2.0"' '"container"' false false)" \
    "$(vm $U2)"
assert_eq "VM 5: a group fd that maps to nothing" \
    "$(want $U5 nogroup $P5 '[]' false '"10.1.0"' '"container"' false false)" \
    "$(vm $U5)"
assert_eq "VM 6: deleted binary, no version" \
    "$(want $U6 upgraded $P6 "[\"$M1\"]" true null '"container"' false false)" \
    "$(vm $U6)"
assert_eq "VM 7: vfio-ap is listed but incomplete" \
    "$(want $U7 ap $P7 "[\"$AP\"]" false '"9.2.0"' '"container"' false false)" \
    "$(vm $U7)"
assert_eq "VM 8: cut command line: incomplete, cut facts unknown" \
    "$(want $U8 fat $P8 "[\"$M2\"]" false '"9.2.0"' '"container"' null null)" \
    "$(vm $U8)"
assert_eq "VM 9: 65 devices, 64 listed, incomplete" "64 false" \
    "$(vm $U9 | jq -r '"\(.devices | length) \(.complete)"')"
assert_eq "only the VFIO VMs, sorted by uuid" "[\"$U2\",\"$U5\",\"$U6\",\"$U1\",\"$U7\",\"$U8\",\"$U9\"]" \
    "$(jq -c '[.vms[].uuid]' "$T/vms.json")"
grep -q "pid $P3: -uuid is not a UUID, VM skipped" "$T/vms.err" ||
    fail "no warning for the bad -uuid: $(cat "$T/vms.err")"
ok "warning for the bad -uuid"
grep -q "VFIO group 77: no devices" "$T/vms.err" ||
    fail "no warning for the unattributed group: $(cat "$T/vms.err")"
ok "warning for the unattributed group"
grep -q "pid $P9: more than 64 VFIO devices" "$T/vms.err" ||
    fail "no warning for 65 devices: $(cat "$T/vms.err")"
ok "warning for 65 devices"
grep -q "pid $P8: command line longer than 1048576 bytes" "$T/vms.err" ||
    fail "no warning for the cut command line: $(cat "$T/vms.err")"
ok "warning for the cut command line"

# The rest of the inventory is the t4 one: VMs do not disturb it.
jq '.vms = []' "$T/vms.json" >"$T/t4.json"
same_as_expected t4 "$T/t4.json"

# Without fake QEMUs, no VMs.
for p in $(cat "$T/pids"); do kill $p 2>/dev/null || :; done
: >"$T/pids"
collect t4
assert_eq "no VMs once they are gone" "[]" "$(jq -c .vms "$T/t4.json")"

# --- the xe test bed: iommufd, cdevs, vIOMMUs, guest RAM ---
X1=a1000000-0000-4000-8000-0000000000a1
X2=a2000000-0000-4000-8000-0000000000a2
X3=a3000000-0000-4000-8000-0000000000a3
X4=a4000000-0000-4000-8000-0000000000a4
X5=a5000000-0000-4000-8000-0000000000a5
X6=a6000000-0000-4000-8000-0000000000a6
X7=a7000000-0000-4000-8000-0000000000a7
cat >"$T/inside-xe.sh" <<INSIDE
set -eu
. "$T/start.inc"
# libvirt 11 on iommufd, every form JSON: the VF through its cdev, the
# iommufd object passed as an fd, main RAM on a memfd backend (shared
# unless told otherwise) and aux-ram-share=on: ready for cpr-transfer.
start "$T/x1" /dev/iommu:/dev/vfio/devices/vfio0 "$T/qemu-10.1/qemu-system-x86_64" \\
    -name guest=cpr-ready -uuid $X1 \\
    -machine pc-q35-10.1,usb=off,memory-backend=pc.ram,aux-ram-share=on \\
    -object '{"qom-type":"memory-backend-memfd","id":"pc.ram","size":8589934592}' \\
    -object '{"qom-type":"iommufd","id":"iommufd0","fd":"23"}' \\
    -device '{"driver":"vfio-pci","host":"0000:03:00.1","id":"hostdev0","iommufd":"iommufd0"}'
# A JSON intel-iommu, and a VF only its group fd shows (attach-device).
start "$T/x2" /dev/vfio/vfio:/dev/vfio/33 "$FAKE_QEMU" \\
    -name guest=with-viommu -uuid $X2 -machine q35 \\
    -device '{"driver":"intel-iommu","id":"iommu0","intremap":"on","caching-mode":true}'
# By hand, key=value: Arm virt with an SMMUv3, shared file RAM on a NUMA
# node, aux-ram-share in a second -machine.
start "$T/x3" /dev/vfio/vfio "$FAKE_QEMU" -name smmu -uuid $X3 \\
    -M virt,gic-version=3,iommu=smmuv3 \\
    -object memory-backend-file,id=ram0,size=4G,mem-path=/dev/shm/ram0,share=on \\
    -numa node,memdev=ram0 -machine aux-ram-share=on
# -object iommufd and iommufd= by key=value, virtio-iommu-pci; one of
# two RAM backends private: not shared.
start "$T/x4" /dev/iommu:/dev/vfio/devices/vfio1 "$T/qemu-10.1/qemu-system-x86_64" \\
    -name mixed -uuid $X4 \\
    -machine q35,memory-backend=m0,aux-ram-share=on \\
    -object memory-backend-ram,id=m0,size=4G,share=on \\
    -object memory-backend-file,id=dimm1,size=1G,mem-path=/dev/hugepages \\
    -object iommufd,id=iommufd0 \\
    -device vfio-pci,host=03:00.2,iommufd=iommufd0 -device virtio-iommu-pci
# Shared RAM without aux-ram-share: QEMU's own RAM blocks stay private.
start "$T/x5" /dev/vfio/vfio "$FAKE_QEMU" -name noaux -uuid $X5 \\
    -machine q35,memory-backend=m0 -object memory-backend-memfd,id=m0,size=4G
# memory-backend-shm is shared whatever it says (QEMU 9.1+).
start "$T/x7" /dev/vfio/vfio "$FAKE_QEMU" -name shm -uuid $X7 \\
    -machine q35,memory-backend=m0,aux-ram-share=on -object memory-backend-shm,id=m0,size=4G
# Options read from a file: what the command line does not say is null.
start "$T/x6" /dev/vfio/vfio "$FAKE_QEMU" -name cfg -uuid $X6 \\
    -readconfig /etc/qemu/vm.cfg
"$VC_COLLECT" --host testhost --probe-dir "$NOPROBES" >"$T/vms.json" \\
    2>"$T/vms.err"
INSIDE
: >"$T/qemu-10.1/qemu-system-x86_64.asked"
"$WITH_TREE" xe -- sh "$T/inside-xe.sh" ||
    fail "xe scenario failed: $(cat "$T/vms.err" 2>/dev/null)"
valid "$T/vms.json"
as_jansson_prints "$T/vms.json"
set -- $(cat "$T/pids")
assert_eq "iommufd VM: cdev, JSON forms, shared RAM" \
    "$(want $X1 cpr-ready $1 '["0000:03:00.1"]' true '"10.1.0"' '"iommufd"' false true)" \
    "$(vm $X1)"
assert_eq "vIOMMU VM (JSON intel-iommu), device from its group fd only" \
    "$(want $X2 with-viommu $2 '["0000:03:00.2"]' true '"9.2.0"' '"container"' true false)" \
    "$(vm $X2)"
assert_eq "iommu=smmuv3, shared file RAM on a NUMA node" \
    "$(want $X3 smmu $3 '[]' true '"9.2.0"' '"container"' true true)" \
    "$(vm $X3)"
assert_eq "key=value iommufd, virtio-iommu-pci, a private backend" \
    "$(want $X4 mixed $4 '["0000:03:00.2"]' true '"10.1.0"' '"iommufd"' true false)" \
    "$(vm $X4)"
assert_eq "shared RAM without aux-ram-share" \
    "$(want $X5 noaux $5 '[]' true '"9.2.0"' '"container"' false false)" \
    "$(vm $X5)"
assert_eq "memory-backend-shm: shared by default" \
    "$(want $X7 shm $6 '[]' true '"9.2.0"' '"container"' false true)" \
    "$(vm $X7)"
assert_eq "-readconfig: vIOMMU and RAM unknown" \
    "$(want $X6 cfg $7 '[]' true '"9.2.0"' '"container"' null null)" \
    "$(vm $X6)"
assert_eq "two VMs of one QEMU binary: asked once" 1 \
    "$(grep -c asked "$T/qemu-10.1/qemu-system-x86_64.asked")"
[ ! -s "$T/vms.err" ] || fail "xe VMs: warnings: $(cat "$T/vms.err")"
ok "xe VMs: no warnings"

# --- an unprivileged collector: other users' descriptors and binaries
# are closed to it, so a VM its command line shows with VFIO devices is
# listed with what cannot be read as null.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	kill $(cat "$T/pids") 2>/dev/null || :
	: >"$T/pids"
	chmod 755 "$T"
	cat >"$T/inside-user.sh" <<INSIDE
set -eu
. "$T/start.inc"
start "$T/u1" /dev/vfio/vfio:/dev/vfio/200 "$FAKE_QEMU" -name guest=theirs -uuid $UU \\
    -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$M1
chmod -R a+rX "\$UMOCKDEV_DIR"
setpriv --reuid=65534 --regid=65534 --clear-groups "$VC_COLLECT" --host testhost \\
    --probe-dir "$NOPROBES" >"$T/user.json" 2>"$T/user.err"
INSIDE
	"$WITH_TREE" t4 -- sh "$T/inside-user.sh" ||
	    fail "unprivileged scenario failed: $(cat "$T/user.err" 2>/dev/null)"
	assert_eq "unprivileged: fds and binary unreadable" \
	    "$(want $UU theirs "$(cat "$T/pids")" "[\"$M1\"]" null null null false false)" \
	    "$(jq -c '.vms[0]' "$T/user.json")"
else
	echo "note: not root, the unprivileged view is not tested"
fi
