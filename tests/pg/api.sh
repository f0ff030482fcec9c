# SPDX-License-Identifier: Apache-2.0
# api.sh -- tests/server/api.sh against a server on a PostgreSQL store
# (server-lib.sh starts one when VC_TEST_STORE=postgresql).
VC_TEST_STORE=postgresql exec bash "$top_srcdir/tests/server/api.sh"
