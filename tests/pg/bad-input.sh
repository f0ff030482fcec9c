# SPDX-License-Identifier: Apache-2.0
# bad-input.sh -- tests/server/bad-input.sh against a server on a PostgreSQL store
# (server-lib.sh starts one when VC_TEST_STORE=postgresql).
VC_TEST_STORE=postgresql exec bash "$top_srcdir/tests/server/bad-input.sh"
