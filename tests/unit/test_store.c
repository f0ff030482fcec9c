/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store.c -- the SQLite store: migrations, generations, atomic
 * replacement, and that a failed write leaves the previous host intact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "check_util.h"
#include <sqlite3.h>

#include "model/inventory.h"
#include "store/store.h"

static struct inventory	*load_sample(void);
static int		 count_rows(const char *, const char *);
static int		 count_host(void *, const struct store_host_meta *,
			    const char *);

/* The newest schema/sqlite/NNN_*.sql. */
#define LATEST_SCHEMA	3

static char	dbpath[256];

static struct inventory *
load_sample(void)
{
	size_t			 len;
	char			*buf = fixture_read("tests/unit/data/sample.json",
				    &len);
	struct inv_error	 err;
	struct inventory	*inv;

	inv = inventory_parse(buf, len, NULL, &err);
	ck_assert_msg(inv != NULL, "%s: %s", err.field, err.message);
	free(buf);
	return (inv);
}

static int
count_rows(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int		 n = -1;

	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	ck_assert(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return (n);
}

static int
count_host(void *arg, const struct store_host_meta *m, const char *json)
{
	int	*n = arg;

	ck_assert_str_eq(m->host, "compute-17.example.org");
	ck_assert_str_eq(json, "{\"doc\":3}");
	(*n)++;
	return (0);
}

static void
setup(void)
{
	int	 fd;

	snprintf(dbpath, sizeof(dbpath), "/tmp/vc-store-XXXXXX");
	ck_assert((fd = mkstemp(dbpath)) != -1);
	close(fd);
	unlink(dbpath);
}

static void
teardown(void)
{
	char	 p[300];

	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
}

START_TEST(test_put_get)
{
	struct inventory	*inv = load_sample();
	struct store		*st;
	struct store_host_meta	 meta;
	char			*err, *json, d[65];
	int64_t			 gen;
	bool			 changed;
	int			 n = 0;

	st = store_open(dbpath, &err);
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(store_schema_version(st), LATEST_SCHEMA);
	ck_assert_int_eq(inventory_digest(inv, d), 0);

	ck_assert_int_eq(store_put(st, inv, "{\"doc\":1}", d, 100, &gen,
	    &changed), 0);
	ck_assert_int_eq(gen, 1);
	ck_assert(changed);
	/* Same digest: a heartbeat, not a change. */
	ck_assert_int_eq(store_put(st, inv, "{\"doc\":2}", d, 160, &gen,
	    &changed), 0);
	ck_assert_int_eq(gen, 1);
	ck_assert(!changed);
	ck_assert_int_eq(store_get(st, inv->host, &json, &meta), 0);
	ck_assert_str_eq(json, "{\"doc\":2}");
	ck_assert_int_eq(meta.received_at, 160);
	ck_assert_int_eq(meta.generation, 1);
	free(json);

	inv->devices[0].types[0].available_instances = 3;
	ck_assert_int_eq(inventory_digest(inv, d), 0);
	ck_assert_int_eq(store_put(st, inv, "{\"doc\":3}", d, 200, &gen,
	    &changed), 0);
	ck_assert_int_eq(gen, 2);
	ck_assert(changed);

	ck_assert_int_eq(store_foreach(st, count_host, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_get(st, "nope", &json, &meta), 1);
	ck_assert_int_eq(store_ping(st), 0);
	store_close(st);

	/* One table, hosts: the projection went with schema 3. */
	ck_assert_int_eq(count_rows(dbpath, "SELECT count(*) FROM "
	    "sqlite_master WHERE type = 'table'"), 1);

	/* Reopening migrates nothing and keeps the data. */
	st = store_open(dbpath, &err);
	ck_assert(st != NULL);
	ck_assert_int_eq(store_schema_version(st), LATEST_SCHEMA);
	ck_assert_int_eq(store_delete(st, inv->host), 0);
	ck_assert_int_eq(store_delete(st, inv->host), 1);
	store_close(st);
	ck_assert_int_eq(count_rows(dbpath, "SELECT count(*) FROM hosts"), 0);
	inventory_free(inv);
}
END_TEST

START_TEST(test_failed_write_keeps_previous)
{
	struct inventory	*inv = load_sample();
	struct store		*st;
	struct store_host_meta	 meta;
	sqlite3			*db;
	char			*err, *json, d[65];
	int64_t			 gen;
	bool			 changed;

	st = store_open(dbpath, &err);
	ck_assert(st != NULL);
	ck_assert_int_eq(inventory_digest(inv, d), 0);
	ck_assert_int_eq(store_put(st, inv, "{\"old\":1}", d, 1, &gen,
	    &changed), 0);

	/* Fail the write half-way: after the old row went, at the new. */
	ck_assert(sqlite3_open(dbpath, &db) == SQLITE_OK);
	ck_assert(sqlite3_exec(db, "CREATE TRIGGER boom BEFORE INSERT ON "
	    "hosts BEGIN SELECT RAISE(ABORT, 'injected'); END", NULL, NULL,
	    NULL) == SQLITE_OK);
	sqlite3_close(db);

	inv->devices[0].types[0].available_instances = 1;
	ck_assert_int_eq(inventory_digest(inv, d), 0);
	ck_assert_int_eq(store_put(st, inv, "{\"new\":1}", d, 2, &gen,
	    &changed), -1);
	ck_assert(strstr(store_error(st), "injected") != NULL);

	ck_assert_int_eq(store_get(st, inv->host, &json, &meta), 0);
	ck_assert_str_eq(json, "{\"old\":1}");
	ck_assert_int_eq(meta.generation, 1);
	free(json);
	store_close(st);
	inventory_free(inv);
}
END_TEST

/*
 * A database written by schema 1 (hosts WITHOUT ROWID) with one host in
 * it: opening it runs 002, which rebuilds the parent table, and 003,
 * which drops the projection. The host must survive, as a rowid table,
 * and be the only table left.
 */
START_TEST(test_upgrade_from_1)
{
	char		*sql, *err = NULL, *json;
	struct store	*st;
	struct store_host_meta meta;
	sqlite3		*db;

	sql = fixture_read("schema/sqlite/001_initial.sql", NULL);
	ck_assert(sqlite3_open(dbpath, &db) == SQLITE_OK);
	ck_assert(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	free(sql);
	ck_assert(sqlite3_exec(db, "PRAGMA user_version = 1;"
	    "INSERT INTO hosts VALUES ('h1', 3, 'd', "
	    "'2026-11-22T10:00:00Z', 100, '{\"v\":1}');"
	    "INSERT INTO devices (host, address, migration_capable) "
	    "VALUES ('h1', '0000:3b:00.0', 1);"
	    "INSERT INTO types (host, parent, kind, type_id) "
	    "VALUES ('h1', '0000:3b:00.0', 'mdev', 'nvidia-222');",
	    NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);

	st = store_open(dbpath, &err);
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(store_schema_version(st), LATEST_SCHEMA);
	ck_assert_int_eq(store_get(st, "h1", &json, &meta), 0);
	ck_assert_str_eq(json, "{\"v\":1}");
	ck_assert_int_eq(meta.generation, 3);
	free(json);
	ck_assert_int_eq(store_delete(st, "h1"), 0);
	store_close(st);
	ck_assert_int_eq(count_rows(dbpath, "SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'hosts' AND sql LIKE "
	    "'%WITHOUT ROWID%'"), 0);
	ck_assert_int_eq(count_rows(dbpath, "SELECT count(*) FROM "
	    "sqlite_master WHERE type = 'table'"), 1);
}
END_TEST

START_TEST(test_open_errors)
{
	char	*err = NULL;

	ck_assert(store_open("/nonexistent-dir/x.db", &err) == NULL);
	ck_assert(err != NULL && strstr(err, "/nonexistent-dir") != NULL);
	free(err);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc = tcase_create("sqlite");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_put_get);
	tcase_add_test(tc, test_failed_write_keeps_previous);
	tcase_add_test(tc, test_upgrade_from_1);
	tcase_add_test(tc, test_open_errors);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
