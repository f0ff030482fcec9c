# tests/server/: integration tests against a live vfio-compatd.
SERVER_TESTS = \
	tests/server/api.sh \
	tests/server/bad-input.sh \
	tests/server/auth.sh \
	tests/server/lifecycle.sh \
	tests/server/concurrency.sh \
	tests/server/fleet.sh \
	tests/server/tls.sh \
	tests/server/startup.sh
TESTS += $(SERVER_TESTS)
EXTRA_DIST += $(SERVER_TESTS) tests/server/server-lib.sh tests/server/data
