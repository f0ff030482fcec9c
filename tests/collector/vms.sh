# vms.sh -- VM discovery with real processes: fake QEMUs whose command
# lines look like libvirt's hold VFIO group nodes of the t4 test bed open
# while the collector runs; it must report exactly those with a UUID.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

U1=6f3b2a4e-0c1d-4e2f-8a9b-0c1d2e3f4a5b
U2=0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3
M1=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001

# The scenario runs inside the test bed, so /dev/vfio/* are its nodes.
cat >"$T/inside.sh" <<INSIDE
set -eu
start() { # READY OPEN ARGS...: a fake QEMU, its pid to \$T/pids
	ready=\$1 open=\$2
	shift 2
	FAKE_QEMU_READY=\$ready FAKE_QEMU_OPEN=\$open "$FAKE_QEMU" "\$@" &
	echo \$! >>"$T/pids"
	i=0
	while [ ! -e "\$ready" ]; do
		i=\$((i + 1))
		[ \$i -lt 500 ] || { echo "fake qemu did not start" >&2; exit 1; }
		sleep 0.01
	done
}
# libvirt style: -name guest=...,debug-threads=on, upper-case -uuid,
# a host= PCI device and an mdev by sysfsdev=.
start "$T/r1" /dev/vfio/vfio:/dev/vfio/200 \
    -name guest=instance-0000002a,debug-threads=on \
    -uuid $(echo $U1 | tr a-f A-F) -machine q35 \
    -device vfio-pci,host=0000:5e:00.3,id=hostdev0,bus=pci.3,addr=0x0 \
    -device '{"driver":"virtio-net-pci","id":"net0"}' \
    -device vfio-pci,id=hostdev1,sysfsdev=/sys/bus/mdev/devices/$M1
# JSON -device (libvirt 9+), short host=, plain -name, a sysfsdev= PCI
# path; --device spelled with two dashes.
start "$T/r2" /dev/vfio/201 \
    -name vm2 -uuid $U2 \
    -device '{"driver":"vfio-pci","host":"5e:00.4","id":"hostdev0"}' \
    --device vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:5e:00.5
# Holds VFIO but its -uuid is not a UUID: skipped with a warning.
start "$T/r3" /dev/vfio/200 -name bad -uuid not-a-uuid
# A QEMU-like process that holds no VFIO node: not a VFIO VM.
start "$T/r4" "" -name novfio -uuid 11111111-2222-4333-8444-555555555555 \
    -device vfio-pci,host=0000:5e:00.6
"$VC_COLLECT" --host testhost --probe-dir "$NOPROBES" >"$T/vms.json" \
    2>"$T/vms.err"
INSIDE

: >"$T/pids"
at_exit 'for p in $(cat "$T/pids" 2>/dev/null); do kill $p 2>/dev/null || :; done'
"$WITH_TREE" t4 -- sh "$T/inside.sh" ||
    fail "scenario failed: $(cat "$T/vms.err" 2>/dev/null)"
valid "$T/vms.json"
set -- $(cat "$T/pids")
P1=$1 P2=$2

assert_eq "VM 1" \
    "{\"uuid\":\"$U1\",\"name\":\"instance-0000002a\",\"pid\":$P1,\"devices\":[\"0000:5e:00.3\",\"$M1\"]}" \
    "$(jq -c --arg u $U1 '.vms[] | select(.uuid == $u) | {uuid,name,pid,devices}' "$T/vms.json")"
assert_eq "VM 2" \
    "{\"uuid\":\"$U2\",\"name\":\"vm2\",\"pid\":$P2,\"devices\":[\"0000:5e:00.4\",\"0000:5e:00.5\"]}" \
    "$(jq -c --arg u $U2 '.vms[] | select(.uuid == $u) | {uuid,name,pid,devices}' "$T/vms.json")"
assert_eq "only the two VFIO VMs, sorted by uuid" "[\"$U2\",\"$U1\"]" \
    "$(jq -c '[.vms[].uuid]' "$T/vms.json")"
grep -q "pid $3: -uuid is not a UUID, VM skipped" "$T/vms.err" ||
    fail "no warning for the bad -uuid: $(cat "$T/vms.err")"
ok "warning for the bad -uuid"

# The rest of the inventory is the t4 one: VMs do not disturb it.
jq '.vms = []' "$T/vms.json" >"$T/t4.json"
same_as_expected t4 "$T/t4.json"

# Without fake QEMUs, no VMs.
for p in $(cat "$T/pids"); do kill $p 2>/dev/null || :; done
collect t4
assert_eq "no VMs once they are gone" "[]" "$(jq -c .vms "$T/t4.json")"
