# SPDX-License-Identifier: Apache-2.0
# tests/pg/: the PostgreSQL store against a real server started by each
# test (pg-lib.sh): the engine unit tests and the API suite run again
# with a PostgreSQL --db, and three replicas share one database.
PG_TESTS = tests/pg/store.sh tests/pg/api.sh tests/pg/import.sh \
	tests/pg/collector.sh \
	tests/pg/concurrency.sh tests/pg/bad-input.sh tests/pg/pipeline.sh
TESTS += $(PG_TESTS)
# Replicas: SIGKILL rounds and a database outage, once, in the build
# not slowed by sanitizers.
if !SANITIZERS
TESTS += tests/pg/replica.sh
endif
EXTRA_DIST += $(PG_TESTS) tests/pg/pg-lib.sh tests/pg/replica.sh \
	tests/pg/replica.py
