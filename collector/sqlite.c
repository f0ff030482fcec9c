/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlite.c -- libsqlite3 for the collector, loaded only when --db names
 * a file, as pq.c loads libpq for a PostgreSQL --db: every run without
 * --db would otherwise load it and bind its 1,300 relocations, 3 % of
 * a scan of the bench host.
 *
 * The store's SQLite engine (lib/store/store_sqlite.c) calls SQLite by
 * name; the collector is linked without -lsqlite3, so those names
 * resolve to the functions below, with SQLite's own prototypes
 * (sqlite3.h declares them, so the compiler checks each one), calling
 * the real function loaded on first use. A call the engine adds and
 * this file lacks fails the link, never a run.
 *
 * The engine's first call is sqlite3_open_v2; when the library cannot
 * be loaded it returns SQLITE_CANTOPEN with no handle, and
 * sqlite_load_error() says why (emit.c puts that in the one-line
 * reason). Every other call takes a handle only a loaded library makes;
 * unloaded, each answers SQLITE_MISUSE or nothing.
 */
#include <stddef.h>

#include <sqlite3.h>

#include "collector.h"

#define LIBSQLITE_SONAME	"libsqlite3.so.0"

struct sqlite_api {
	__typeof__(sqlite3_bind_int64)		*bind_int64;
	__typeof__(sqlite3_bind_null)		*bind_null;
	__typeof__(sqlite3_bind_text)		*bind_text;
	__typeof__(sqlite3_busy_timeout)	*busy_timeout;
	__typeof__(sqlite3_changes)		*changes;
	__typeof__(sqlite3_clear_bindings)	*clear_bindings;
	__typeof__(sqlite3_close)		*close;
	__typeof__(sqlite3_column_int)		*column_int;
	__typeof__(sqlite3_column_int64)	*column_int64;
	__typeof__(sqlite3_column_text)		*column_text;
	__typeof__(sqlite3_errmsg)		*errmsg;
	__typeof__(sqlite3_exec)		*exec;
	__typeof__(sqlite3_extended_errcode)	*extended_errcode;
	__typeof__(sqlite3_extended_result_codes) *extended_result_codes;
	__typeof__(sqlite3_finalize)		*finalize;
	__typeof__(sqlite3_free)		*free;
	__typeof__(sqlite3_open_v2)		*open_v2;
	__typeof__(sqlite3_prepare_v2)		*prepare_v2;
	__typeof__(sqlite3_prepare_v3)		*prepare_v3;
	__typeof__(sqlite3_reset)		*reset;
	__typeof__(sqlite3_step)		*step;
};

#define LITE_SYM(field)	{ "sqlite3_" #field, \
			    offsetof(struct sqlite_api, field) }
static const struct dl_sym lite_syms[] = {
	LITE_SYM(bind_int64),
	LITE_SYM(bind_null),
	LITE_SYM(bind_text),
	LITE_SYM(busy_timeout),
	LITE_SYM(changes),
	LITE_SYM(clear_bindings),
	LITE_SYM(close),
	LITE_SYM(column_int),
	LITE_SYM(column_int64),
	LITE_SYM(column_text),
	LITE_SYM(errmsg),
	LITE_SYM(exec),
	LITE_SYM(extended_errcode),
	LITE_SYM(extended_result_codes),
	LITE_SYM(finalize),
	LITE_SYM(free),
	LITE_SYM(open_v2),
	LITE_SYM(prepare_v2),
	LITE_SYM(prepare_v3),
	LITE_SYM(reset),
	LITE_SYM(step),
};

static struct sqlite_api lite;
static int		 lite_state;	/* 0 untried, 1 loaded, -1 failed */
static char		 lite_err[512];

static int	 lite_loaded(void);

/* Loaded once per process; a failure stays, with its reason. */
static int
lite_loaded(void)
{
	if (lite_state == 0)
		lite_state = dl_load(LIBSQLITE_SONAME, lite_syms,
		    sizeof(lite_syms) / sizeof(lite_syms[0]), &lite,
		    lite_err, sizeof(lite_err)) == 0 ? 1 : -1;
	return (lite_state == 1);
}

const char *
sqlite_load_error(void)
{
	return (lite_state == -1 ? lite_err : NULL);
}

int
sqlite3_open_v2(const char *filename, sqlite3 **ppDb, int flags,
    const char *zVfs)
{
	if (!lite_loaded()) {
		*ppDb = NULL;
		return (SQLITE_CANTOPEN);
	}
	return (lite.open_v2(filename, ppDb, flags, zVfs));
}

int
sqlite3_bind_int64(sqlite3_stmt *stmt, int i, sqlite3_int64 v)
{
	return (lite_loaded() ? lite.bind_int64(stmt, i, v) : SQLITE_MISUSE);
}

int
sqlite3_bind_null(sqlite3_stmt *stmt, int i)
{
	return (lite_loaded() ? lite.bind_null(stmt, i) : SQLITE_MISUSE);
}

int
sqlite3_bind_text(sqlite3_stmt *stmt, int i, const char *text, int n,
    void (*destructor)(void *))
{
	if (!lite_loaded())
		return (SQLITE_MISUSE);
	return (lite.bind_text(stmt, i, text, n, destructor));
}

int
sqlite3_busy_timeout(sqlite3 *db, int ms)
{
	return (lite_loaded() ? lite.busy_timeout(db, ms) : SQLITE_MISUSE);
}

int
sqlite3_changes(sqlite3 *db)
{
	return (lite_loaded() ? lite.changes(db) : 0);
}

int
sqlite3_clear_bindings(sqlite3_stmt *stmt)
{
	return (lite_loaded() ? lite.clear_bindings(stmt) : SQLITE_MISUSE);
}

int
sqlite3_close(sqlite3 *db)
{
	return (lite_loaded() ? lite.close(db) : SQLITE_OK);
}

int
sqlite3_column_int(sqlite3_stmt *stmt, int col)
{
	return (lite_loaded() ? lite.column_int(stmt, col) : 0);
}

sqlite3_int64
sqlite3_column_int64(sqlite3_stmt *stmt, int col)
{
	return (lite_loaded() ? lite.column_int64(stmt, col) : 0);
}

const unsigned char *
sqlite3_column_text(sqlite3_stmt *stmt, int col)
{
	return (lite_loaded() ? lite.column_text(stmt, col) : NULL);
}

const char *
sqlite3_errmsg(sqlite3 *db)
{
	return (lite_loaded() ? lite.errmsg(db) : lite_err);
}

int
sqlite3_exec(sqlite3 *db, const char *sql,
    int (*callback)(void *, int, char **, char **), void *arg,
    char **errmsg)
{
	if (!lite_loaded())
		return (SQLITE_MISUSE);
	return (lite.exec(db, sql, callback, arg, errmsg));
}

int
sqlite3_extended_errcode(sqlite3 *db)
{
	return (lite_loaded() ? lite.extended_errcode(db) : SQLITE_MISUSE);
}

int
sqlite3_extended_result_codes(sqlite3 *db, int onoff)
{
	if (!lite_loaded())
		return (SQLITE_MISUSE);
	return (lite.extended_result_codes(db, onoff));
}

int
sqlite3_finalize(sqlite3_stmt *stmt)
{
	return (lite_loaded() ? lite.finalize(stmt) : SQLITE_OK);
}

void
sqlite3_free(void *p)
{
	if (lite_loaded())
		lite.free(p);
}

int
sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n,
    sqlite3_stmt **stmt, const char **tail)
{
	if (!lite_loaded()) {
		*stmt = NULL;
		return (SQLITE_MISUSE);
	}
	return (lite.prepare_v2(db, sql, n, stmt, tail));
}

int
sqlite3_prepare_v3(sqlite3 *db, const char *sql, int n, unsigned int flags,
    sqlite3_stmt **stmt, const char **tail)
{
	if (!lite_loaded()) {
		*stmt = NULL;
		return (SQLITE_MISUSE);
	}
	return (lite.prepare_v3(db, sql, n, flags, stmt, tail));
}

int
sqlite3_reset(sqlite3_stmt *stmt)
{
	return (lite_loaded() ? lite.reset(stmt) : SQLITE_MISUSE);
}

int
sqlite3_step(sqlite3_stmt *stmt)
{
	return (lite_loaded() ? lite.step(stmt) : SQLITE_MISUSE);
}
