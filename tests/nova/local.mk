# SPDX-License-Identifier: Apache-2.0
# tests/nova/: the Nova scheduler filter (clients/nova) against a live
# vfio-compatd, with Debian's python3-nova.
NOVA_TESTS = tests/nova/test_filter.sh
# nova-manage builds three databases for each (about 15 s): Python and
# nova do not change under ASan, so they run in the plain build only.
NOVA_SCHED_TESTS = tests/nova/test_scheduler.sh \
	tests/nova/test_scheduler_v11.sh
TESTS += $(NOVA_TESTS)
if !SANITIZERS
TESTS += $(NOVA_SCHED_TESTS)
endif
EXTRA_DIST += $(NOVA_TESTS) $(NOVA_SCHED_TESTS) tests/nova/test_filter.py \
	tests/nova/test_scheduler.py tests/nova/scheduler-lib.sh \
	tests/nova/data/gpu-src.json tests/nova/data/gpu-ok.json \
	tests/nova/data/gpu-old.json \
	tests/nova/moves/gpu-dead.json tests/nova/moves/compute_01.json \
	clients/nova/pyproject.toml clients/nova/README.md \
	clients/nova/vfio_compat_nova/__init__.py \
	clients/nova/vfio_compat_nova/filter.py
