#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/nova/test_scheduler_v11.sh -- the moves whose answer needs the
# SPEC v1.1 server (tests/nova/test_scheduler.py, ServerV11Test): a
# resize to the same host and a cold migration in cold mode, an
# evacuation off a stale host, a candidate named Compute_01.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nova/scheduler-lib.sh"
sched_put "$main_url" "$top_srcdir/tests/nova/moves/compute_01.json"
sched_run ServerV11Test
