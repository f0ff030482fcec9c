# SPDX-License-Identifier: Apache-2.0
# tests/collector/: the collector over the recorded trees, with real
# processes (VMs, probes, an HTTP listener) where the source is a process.
COLLECTOR_TESTS = \
	tests/collector/trees.sh \
	tests/collector/hostile.sh \
	tests/collector/kernel.sh \
	tests/collector/vms.sh \
	tests/collector/cli.sh \
	tests/collector/probes.sh \
	tests/collector/probe-safety.sh \
	tests/collector/special-files.sh \
	tests/collector/db.sh \
	tests/collector/push.sh \
	tests/collector/push-deadline.sh \
	tests/collector/textfile.sh \
	tests/collector/watch.sh \
	tests/collector/types-cap.sh
TESTS += $(COLLECTOR_TESTS)
EXTRA_DIST += $(COLLECTOR_TESTS) tests/collector/common.inc \
	tests/collector/expected

check_PROGRAMS += tests/collector/fake-qemu tests/collector/validate-inventory
tests_collector_fake_qemu_SOURCES = tests/collector/fake-qemu.c
tests_collector_validate_inventory_SOURCES = \
	tests/collector/validate-inventory.c
tests_collector_validate_inventory_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_collector_validate_inventory_LDADD = $(LIBVC)

# watch-testbed: a umockdev test bed that changes (and sends uevents)
# under a running collector, for watch.sh.
check_PROGRAMS += tests/collector/watch-testbed
tests_collector_watch_testbed_SOURCES = tests/collector/watch-testbed.c
tests_collector_watch_testbed_CFLAGS = $(AM_CFLAGS) $(UMOCKDEV_CFLAGS)
tests_collector_watch_testbed_LDADD = $(UMOCKDEV_LIBS)
