# SPDX-License-Identifier: Apache-2.0
# tests/pg/: the PostgreSQL store against a real server started by each
# test (pg-lib.sh): the engine unit tests and the API suite run again
# with a PostgreSQL --db.
PG_TESTS = tests/pg/store.sh tests/pg/api.sh
TESTS += $(PG_TESTS)
EXTRA_DIST += $(PG_TESTS) tests/pg/pg-lib.sh
