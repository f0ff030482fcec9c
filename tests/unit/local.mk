# SPDX-License-Identifier: Apache-2.0
# tests/unit/: unit tests of lib/ on Check.
# What every suite shares: running itself, reading fixtures.
check_LIBRARIES = tests/unit/libcheckutil.a
tests_unit_libcheckutil_a_SOURCES = tests/unit/check_util.c \
	tests/unit/check_util.h
tests_unit_libcheckutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(SQLITE_CFLAGS)
UNIT_LDADD = tests/unit/libcheckutil.a $(LIBVC) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_inventory tests/unit/test_store \
	tests/unit/test_promtext tests/unit/test_strpool tests/unit/test_jscan
TESTS += tests/unit/test_inventory tests/unit/test_store \
	tests/unit/test_promtext tests/unit/test_strpool tests/unit/test_jscan

tests_unit_test_inventory_SOURCES = tests/unit/test_inventory.c
tests_unit_test_inventory_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_inventory_LDADD = $(UNIT_LDADD)
tests_unit_test_promtext_SOURCES = tests/unit/test_promtext.c
tests_unit_test_promtext_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_promtext_LDADD = $(UNIT_LDADD)
tests_unit_test_strpool_SOURCES = tests/unit/test_strpool.c
tests_unit_test_strpool_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_strpool_LDADD = $(UNIT_LDADD)
tests_unit_test_jscan_SOURCES = tests/unit/test_jscan.c \
	tests/fuzz/jscan_diff.c tests/fuzz/jscan_diff.h
tests_unit_test_jscan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jscan_LDADD = $(UNIT_LDADD)
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_LDADD = $(UNIT_LDADD)

TESTS += tests/unit/schema.sh
EXTRA_DIST += tests/unit/schema.sh tests/unit/data tests/schema-validate

TESTS += tests/fuzz/fuzz.sh
# Files, not the directory: make dist would take the build tree's
# tests/fuzz, logs and all, and distcheck would then not run the test.
EXTRA_DIST += tests/fuzz/fuzz.sh tests/fuzz/fuzz_inventory.c \
	tests/fuzz/fuzz_jscan.c tests/fuzz/inventory.dict

TESTS += tests/openapi/lint.sh tests/openapi/responses.sh
EXTRA_DIST += tests/openapi/lint.sh tests/openapi/responses.sh \
	tests/openapi/validate-response tests/openapi/redocly.yaml \
	tests/openapi/package.json tests/openapi/package-lock.json
