# SPDX-License-Identifier: Apache-2.0
# tests/clients/: the vfio-compat CLI and the curl/jq recipes of
# clients/examples/, each against a live vfio-compatd.
CLIENT_TESTS = \
	tests/clients/cli.sh \
	tests/clients/examples.sh \
	tests/clients/cli-errors.sh \
	tests/clients/cli-help.sh \
	tests/clients/cli-policy.sh \
	tests/clients/cli-stale.sh \
	tests/clients/cli-tls.sh \
	tests/clients/cli-fold.sh
TESTS += $(CLIENT_TESTS)
EXTRA_DIST += $(CLIENT_TESTS) tests/clients/clients-lib.sh \
	tests/clients/fake-server.py tests/clients/data
