# SPDX-License-Identifier: Apache-2.0
# lspci-host.sh -- parity on the REAL /sys of the machine running the
# tests (no umockdev): the collector's PCI devices with --all-pci equal
# `lspci -Dnmmvk`'s.  Skips where the host has no PCI bus in sysfs.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/parity/common.sh"
need lspci jq
[ -d /sys/bus/pci/devices ] || { echo "SKIP: no /sys/bus/pci on this host"; exit 77; }

collect "$T/host.json" - -- --all-pci
lspci -Dnmmvk >"$T/host.lspci" 2>"$T/host.lspci.err" ||
	fail "lspci failed: $(cat "$T/host.lspci.err")"
lspci_rows <"$T/host.lspci" >"$T/host.want"
collector_pci_rows "$T/host.json" >"$T/host.got"
compare "PCI devices of this host ($(wc -l <"$T/host.want") functions)" \
	"$T/host.want" "$T/host.got"
