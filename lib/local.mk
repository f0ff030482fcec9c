# lib/: the shared core, a convenience library every binary and test links.
noinst_LIBRARIES += lib/libvfiocompat.a
lib_libvfiocompat_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(SQLITE_CFLAGS) \
	$(GNUTLS_CFLAGS)
lib_libvfiocompat_a_SOURCES = \
	lib/util/xmalloc.c lib/util/xmalloc.h \
	lib/util/log.c lib/util/log.h \
	lib/util/strutil.c lib/util/strutil.h \
	lib/util/arena.c lib/util/arena.h \
	lib/util/strpool.c lib/util/strpool.h \
	lib/util/digest.c lib/util/digest.h \
	lib/util/file.c lib/util/file.h \
	lib/inventory.c lib/inventory.h \
	lib/inventory_json.c lib/inventory_json.h \
	lib/promtext.c lib/promtext.h \
	lib/store.h lib/store_sqlite.c lib/store_migrations.h
nodist_lib_libvfiocompat_a_SOURCES = lib/store_migrations.c

# Link line for anything that uses the library.
LIBVC = lib/libvfiocompat.a $(JANSSON_LIBS) $(SQLITE_LIBS) $(GNUTLS_LIBS)

SQL_MIGRATIONS = $(sort $(wildcard $(top_srcdir)/schema/sqlite/[0-9]*.sql))
lib/store_migrations.c: $(SQL_MIGRATIONS) $(top_srcdir)/build-aux/embed-sql
	$(AM_V_GEN)mkdir -p lib && $(SHELL) $(top_srcdir)/build-aux/embed-sql $@ $(SQL_MIGRATIONS)
BUILT_SOURCES += lib/store_migrations.c
CLEANFILES += lib/store_migrations.c
EXTRA_DIST += build-aux/embed-sql schema
