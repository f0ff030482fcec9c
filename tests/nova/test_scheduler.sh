#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/nova/test_scheduler.sh -- VfioCompatFilter loaded by nova's own
# HostManager from a real nova.conf, deciding on real Instance records
# whose task_state says the move (tests/nova/test_scheduler.py,
# SchedulerTest): live migration, a move it cannot tell, an instance it
# cannot read, upper-case and invalid candidate names, and bad option
# values that stop the real nova-scheduler at start.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nova/scheduler-lib.sh"
sched_run SchedulerTest
