# SPDX-License-Identifier: Apache-2.0
# lib/: the shared core, a convenience library every binary and test
# links. One folder per concern; each may use only the folders listed
# before it (README.md, "How the code is laid out").
noinst_LIBRARIES += lib/libvfiocompat.a
lib_libvfiocompat_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(SQLITE_CFLAGS) \
	$(NETTLE_CFLAGS) $(LIBPQ_CFLAGS)
lib_libvfiocompat_a_SOURCES = \
	lib/util/xmalloc.c lib/util/xmalloc.h \
	lib/util/log.c lib/util/log.h \
	lib/util/strutil.c lib/util/strutil.h \
	lib/util/arena.c lib/util/arena.h \
	lib/util/strpool.c lib/util/strpool.h \
	lib/util/digest.c lib/util/digest.h \
	lib/util/sha256_lanes.c lib/util/sha256_lanes.h \
	lib/util/file.c lib/util/file.h \
	lib/util/buf.c lib/util/buf.h \
	lib/model/inventory.c lib/model/inventory.h \
	lib/model/profile.c lib/model/model_int.h \
	lib/codec/inventory_json.c lib/codec/inventory_json.h \
	lib/codec/jscan.c lib/codec/jscan.h \
	lib/codec/fingerprint.c lib/codec/fingerprint.h \
	lib/codec/inventory_text.c lib/codec/inventory_text.h \
	lib/store/store.h lib/store/store.c lib/store/store_engine.h \
	lib/store/store_sqlite.c lib/store/store_pg.c \
	lib/store/store_migrations.h \
	lib/policy/policy.c lib/policy/policy.h lib/policy/version.c \
	lib/fleet/fleet.c lib/fleet/fleet.h \
	lib/engine/compat.c lib/engine/compat.h lib/engine/compat_int.h \
	lib/engine/compat_error.c lib/engine/requirement.c \
	lib/engine/evaluate.c lib/engine/match.c lib/engine/answer.c \
	lib/engine/jsonw.c lib/engine/parallel.c lib/engine/destinations.c \
	lib/metrics/promtext.c lib/metrics/promtext.h
nodist_lib_libvfiocompat_a_SOURCES = lib/store/store_migrations.c \
	lib/store/store_pg_migrations.c

# Link line for anything that uses the library; the collector brings
# its own libpq and SQLite calls (collector/pq.c, sqlite.c) and links
# LIBVC_NODB.
LIBVC_NODB = lib/libvfiocompat.a $(JANSSON_LIBS) $(NETTLE_LIBS)
LIBVC = $(LIBVC_NODB) $(SQLITE_LIBS) $(LIBPQ_LIBS)

SQL_MIGRATIONS = $(sort $(wildcard $(top_srcdir)/schema/sqlite/[0-9]*.sql))
lib/store/store_migrations.c: $(SQL_MIGRATIONS) $(top_srcdir)/build-aux/embed-sql
	$(AM_V_GEN)mkdir -p lib/store && $(SHELL) $(top_srcdir)/build-aux/embed-sql $@ \
	    store_migrations $(SQL_MIGRATIONS)
PG_MIGRATIONS = $(sort $(wildcard $(top_srcdir)/schema/postgresql/[0-9]*.sql))
lib/store/store_pg_migrations.c: $(PG_MIGRATIONS) $(top_srcdir)/build-aux/embed-sql
	$(AM_V_GEN)mkdir -p lib/store && $(SHELL) $(top_srcdir)/build-aux/embed-sql $@ \
	    store_pg_migrations $(PG_MIGRATIONS)
BUILT_SOURCES += lib/store/store_migrations.c lib/store/store_pg_migrations.c
CLEANFILES += lib/store/store_migrations.c lib/store/store_pg_migrations.c
EXTRA_DIST += build-aux/embed-sql schema
