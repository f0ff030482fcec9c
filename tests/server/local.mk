# SPDX-License-Identifier: Apache-2.0
# tests/server/: integration tests against a live vfio-compatd.
SERVER_TESTS = \
	tests/server/api.sh \
	tests/server/bad-input.sh \
	tests/server/auth.sh \
	tests/server/lifecycle.sh \
	tests/server/concurrency.sh \
	tests/server/fleet.sh \
	tests/server/tls.sh \
	tests/server/verdicts.sh \
	tests/server/golden.sh \
	tests/server/hostile.sh \
	tests/server/tokens.sh \
	tests/server/store.sh \
	tests/server/tsan-stress.sh \
	tests/server/startup.sh \
	tests/server/metrics.sh \
	tests/server/heartbeat.sh
TESTS += $(SERVER_TESTS)
# Timing bounds, measured where the build is not slowed by sanitizers,
# the SIGKILL rounds, which need no sanitizer to mean something, and the
# 2,020-host load (every other server test loads a store under them).
if !SANITIZERS
TESTS += tests/server/contention.sh tests/server/durability.sh \
	tests/server/loading.sh
endif
EXTRA_DIST += tests/server/contention.sh tests/server/durability.sh \
	tests/server/loading.sh
# The HTTP fuzzer, where the sanitizers watch the server, and the check
# body fuzzer (its own ASan+libFuzzer binary), once, in the same build.
if SANITIZERS
TESTS += tests/fuzz/http-fuzz.sh tests/fuzz/fuzz-check.sh
endif
EXTRA_DIST += tests/fuzz/http-fuzz.sh tests/fuzz/http-fuzz.py \
	tests/fuzz/fuzz-check.sh tests/fuzz/fuzz_check.c tests/fuzz/check.dict \
	tests/fuzz/check-corpus
EXTRA_DIST += $(SERVER_TESTS) tests/server/server-lib.sh tests/server/data \
	tests/server/golden tests/server/hostile-client.py \
	tests/server/contention.py tests/server/durability.py
