# SPDX-License-Identifier: Apache-2.0
# tests/unit/: engine unit tests (Check), and a micro-benchmark that is
# built with them but not run as a test (run it by hand).
ENGINE_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
ENGINE_LDADD = tests/unit/libcheckutil.a $(LIBVC) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_version tests/unit/test_policy \
	tests/unit/test_fleet tests/unit/test_compat tests/unit/test_verdicts \
	tests/unit/test_differential tests/unit/bench_compat
TESTS += tests/unit/test_version tests/unit/test_policy \
	tests/unit/test_fleet tests/unit/test_compat tests/unit/test_verdicts \
	tests/unit/test_differential

tests_unit_test_version_SOURCES = tests/unit/test_version.c
tests_unit_test_version_CFLAGS = $(ENGINE_CFLAGS)
tests_unit_test_version_LDADD = $(ENGINE_LDADD)
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c
tests_unit_test_policy_CFLAGS = $(ENGINE_CFLAGS)
tests_unit_test_policy_LDADD = $(ENGINE_LDADD)
tests_unit_test_fleet_SOURCES = tests/unit/test_fleet.c
tests_unit_test_fleet_CFLAGS = $(ENGINE_CFLAGS)
tests_unit_test_fleet_LDADD = $(ENGINE_LDADD)
ENGINE_UTIL = tests/unit/engine_util.c tests/unit/engine_util.h
tests_unit_test_compat_SOURCES = tests/unit/test_compat.c $(ENGINE_UTIL)
tests_unit_test_compat_CFLAGS = $(ENGINE_CFLAGS)
tests_unit_test_compat_LDADD = $(ENGINE_LDADD)
tests_unit_test_verdicts_SOURCES = tests/unit/test_verdicts.c \
	$(ENGINE_UTIL)
tests_unit_test_verdicts_CFLAGS = $(ENGINE_CFLAGS)
tests_unit_test_verdicts_LDADD = $(ENGINE_LDADD)
tests_unit_test_differential_SOURCES = tests/unit/test_differential.c \
	$(ENGINE_UTIL)
tests_unit_test_differential_CFLAGS = $(ENGINE_CFLAGS)
tests_unit_test_differential_LDADD = $(ENGINE_LDADD)
tests_unit_bench_compat_SOURCES = tests/unit/bench_compat.c
tests_unit_bench_compat_CFLAGS = $(ENGINE_CFLAGS)
tests_unit_bench_compat_LDADD = $(ENGINE_LDADD)

EXTRA_DIST += tests/unit/data/engine
