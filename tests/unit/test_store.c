/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store.c -- the store: migrations, generations, atomic
 * replacement, and that a failed write leaves the previous host intact
 * (SQLite), and what every engine must do alike (the "engine" case):
 * generations, heartbeats, late retries, deletes, the change feed and
 * the copy between stores. The engine case runs against the store
 * $VC_TEST_DB names (tests/pg/store.sh passes a PostgreSQL URI), else
 * a SQLite file.
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
static void		 make_path(char *, size_t);
static void		 remove_db(const char *);
static int		 count_rows(const char *, const char *);
static int		 count_host(void *, const struct store_host_meta *,
			    const char *);
static int		 count_any(void *, const struct store_host_meta *,
			    const char *);
static struct store	*open_target(void);
static void		 row_at(const char *, char *, size_t);
static void		 wait_row(const char *, const char *);
static int		 note_change(void *, const struct store_host_meta *,
			    const char *);

/* What note_change saw of the feed. */
struct feed_seen {
	int		n;
	char		host[2][256];
	int64_t		generation[2], received_at[2], seq[2];
	int		deleted[2], has_doc[2];
};

/* The newest schema/sqlite/NNN_*.sql. */
#define LATEST_SCHEMA	3

static char	dbpath[256];
static char	dbpath2[256];

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
count_any(void *arg, const struct store_host_meta *m, const char *json)
{
	int	*n = arg;

	(*n)++;
	return (0);
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

/* The store the engine case runs against, emptied of its hosts. */
static struct store *
open_target(void)
{
	const char	*target = getenv("VC_TEST_DB");
	struct store	*st;
	char		*err = NULL;

	if (target == NULL || *target == '\0')
		target = dbpath2;
	st = store_open(target, &err);
	ck_assert_msg(st != NULL, "%s: %s", target, err);
	ck_assert_int_ne(store_delete(st, "compute-17.example.org"), -1);
	ck_assert_int_ne(store_delete(st, "feed-b.example.org"), -1);
	return (st);
}

static int
note_change(void *arg, const struct store_host_meta *m, const char *json)
{
	struct feed_seen	*fs = arg;

	ck_assert_int_lt(fs->n, 2);
	snprintf(fs->host[fs->n], sizeof(fs->host[0]), "%s", m->host);
	fs->generation[fs->n] = m->generation;
	fs->received_at[fs->n] = m->received_at;
	fs->seq[fs->n] = m->seq;
	fs->deleted[fs->n] = m->deleted;
	fs->has_doc[fs->n] = json != NULL;
	ck_assert(!m->deleted || json == NULL);
	fs->n++;
	return (0);
}

static void
make_path(char *buf, size_t len)
{
	int	 fd;

	snprintf(buf, len, "/tmp/vc-store-XXXXXX");
	ck_assert((fd = mkstemp(buf)) != -1);
	close(fd);
	unlink(buf);
}

static void
remove_db(const char *path)
{
	char	 p[300];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static void
setup(void)
{
	make_path(dbpath, sizeof(dbpath));
	make_path(dbpath2, sizeof(dbpath2));
}

static void
teardown(void)
{
	remove_db(dbpath);
	remove_db(dbpath2);
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

	inv->devices[0].avail[0] = 3;
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

/* The row's collected_at as the file holds it, read past the store. */
static void
row_at(const char *path, char *out, size_t len)
{
	sqlite3		*db;
	sqlite3_stmt	*s;

	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	ck_assert(sqlite3_prepare_v2(db, "SELECT collected_at || ' ' || "
	    "received_at || ' ' || generation FROM hosts", -1, &s, NULL) ==
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* Polls of 100 ms before a write behind counts as lost: 5 s, five times
 * the delay, for a loaded machine. */
#define WAIT_TRIES	50

/* The row becomes want within WAIT_TRIES polls. */
static void
wait_row(const char *path, const char *want)
{
	char	 row[96];
	int	 i;

	for (i = 0;; i++) {
		row_at(path, row, sizeof(row));
		if (strcmp(row, want) == 0)
			return;
		ck_assert_msg(i < WAIT_TRIES, "row %s, wanted %s", row, want);
		usleep(100 * 1000);
	}
}

/*
 * STORE_SEEN_LATER: a heartbeat reaches the file within the delay, not
 * at once; store_get() shows it meanwhile; a late retry behind a
 * pending heartbeat is refused as if it were written; a pending
 * heartbeat of an older generation is dropped, not written over; close
 * writes what is pending.
 */
START_TEST(test_seen_later)
{
	struct inventory	*inv = load_sample();
	struct store		*st;
	struct store_host_meta	 meta;
	char			*err, *json, d[65], row[96], moved[300];
	int64_t			 gen;
	bool			 changed;
	int			 i;

	st = store_open_opts(dbpath, STORE_SEEN_LATER, &err);
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert(store_seen_behind(st));
	ck_assert_int_eq(inventory_digest(inv, d), 0);
	ck_assert_int_eq(store_put(st, inv, "{\"doc\":1}", d, 100, &gen,
	    &changed), 0);
	ck_assert_int_eq(store_seen_later(st, inv->host,
	    "2026-11-22T10:05:00Z", 1, 400), 0);
	row_at(dbpath, row, sizeof(row));
	ck_assert_str_eq(row, "2026-11-22T10:00:00Z 100 1");
	ck_assert_int_eq(store_get(st, inv->host, &json, &meta), 0);
	ck_assert_str_eq(meta.collected_at, "2026-11-22T10:05:00Z");
	ck_assert_int_eq(meta.received_at, 400);
	free(json);
	wait_row(dbpath, "2026-11-22T10:05:00Z 400 1");

	/* Pending 10:09; a retry collected at 10:07 is late. */
	ck_assert_int_eq(store_seen_later(st, inv->host,
	    "2026-11-22T10:09:00Z", 1, 500), 0);
	inv_set_collected_at(inv, "2026-11-22T10:07:00Z");
	ck_assert_int_eq(store_put(st, inv, "{\"doc\":2}", d, 450, &gen,
	    &changed), 1);
	ck_assert_str_eq(store_error(st), "2026-11-22T10:09:00Z");
	wait_row(dbpath, "2026-11-22T10:09:00Z 500 1");
	/* A generation the host is not at: dropped by the write. */
	ck_assert_int_eq(store_seen_later(st, inv->host,
	    "2026-11-22T10:10:00Z", 7, 600), 0);
	usleep(2 * STORE_SEEN_DELAY_MS * 1000);
	row_at(dbpath, row, sizeof(row));
	ck_assert_str_eq(row, "2026-11-22T10:09:00Z 500 1");

	ck_assert_int_eq(store_seen_later(st, inv->host,
	    "2026-11-22T10:11:00Z", 1, 700), 0);
	store_close(st);
	row_at(dbpath, row, sizeof(row));
	ck_assert_str_eq(row, "2026-11-22T10:11:00Z 700 1");

	/* Without the flag every heartbeat is store_seen()'s. */
	st = store_open(dbpath, &err);
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert(!store_seen_behind(st));
	ck_assert_int_eq(store_seen_later(st, inv->host,
	    "2026-11-22T10:12:00Z", 1, 800), -1);
	store_close(st);
	row_at(dbpath, row, sizeof(row));
	ck_assert_str_eq(row, "2026-11-22T10:11:00Z 700 1");

	/* A write behind that fails (the file moved away): heartbeats are
	 * written at once, and fail as writes do, until one succeeds. */
	st = store_open_opts(dbpath, STORE_SEEN_LATER, &err);
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(store_seen_later(st, inv->host,
	    "2026-11-22T10:13:00Z", 1, 900), 0);
	snprintf(moved, sizeof(moved), "%s.moved", dbpath);
	ck_assert_int_eq(rename(dbpath, moved), 0);
	for (i = 0; store_seen_later(st, inv->host, "2026-11-22T10:14:00Z",
	    1, 950) == 0; i++) {
		ck_assert_int_lt(i, WAIT_TRIES);
		usleep(100 * 1000);
	}
	ck_assert_int_eq(store_seen(st, inv->host, "2026-11-22T10:14:00Z", 1,
	    950), -1);
	ck_assert_int_eq(rename(moved, dbpath), 0);
	for (i = 0; store_seen_later(st, inv->host, "2026-11-22T10:15:00Z",
	    1, 1000) == -1; i++) {
		ck_assert_int_lt(i, WAIT_TRIES);
		usleep(100 * 1000);
	}
	store_close(st);
	row_at(dbpath, row, sizeof(row));
	ck_assert_str_eq(row, "2026-11-22T10:15:00Z 1000 1");
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

	inv->devices[0].avail[0] = 1;
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

/*
 * Generations, heartbeats and late retries as store.c decides them, on
 * the engine under test; the feed reports each host's last write in
 * commit order, a deletion as a tombstone, and the position of a scan's
 * snapshot is the feed's.
 */
START_TEST(test_engine_feed)
{
	struct inventory	*inv = load_sample();
	struct store		*st = open_target();
	struct store_host_meta	 meta;
	struct feed_seen	 fs;
	const char		*host = inv->host, *collected = inv->collected_at;
	char			*json, d[65];
	int64_t			 gen, seq0, seq1, seq2, last;
	bool			 changed;
	int			 n = 0;

	ck_assert_int_eq(inventory_digest(inv, d), 0);
	ck_assert_int_eq(store_sequence(st, &seq0), 0);
	ck_assert_int_eq(store_put(st, inv, "{\"doc\":1}", d, 100, &gen,
	    &changed), 0);
	ck_assert(gen == 1 && changed);
	ck_assert_int_eq(store_put(st, inv, "{\"doc\":2}", d, 160, &gen,
	    &changed), 0);
	ck_assert(gen == 1 && !changed);
	/* A late retry: refused, nothing written, no feed position. */
	ck_assert_int_eq(store_sequence(st, &seq1), 0);
	inv->collected_at = "2000-01-01T00:00:00Z";
	ck_assert_int_eq(store_put(st, inv, "{\"doc\":0}", d, 170, &gen,
	    &changed), 1);
	ck_assert_int_eq(store_sequence(st, &seq2), 0);
	ck_assert(seq1 == seq2);
	ck_assert_int_eq(store_get(st, inv->host, &json, &meta), 0);
	ck_assert_str_eq(json, "{\"doc\":2}");
	ck_assert_int_eq(meta.received_at, 160);
	ck_assert_int_eq(meta.generation, 1);
	ck_assert(meta.seq == seq1);
	free(json);

	inv->host = "feed-b.example.org";
	inv->collected_at = "2026-11-22T10:00:00Z";
	ck_assert_int_eq(store_put(st, inv, "{\"doc\":3}", d, 200, &gen,
	    &changed), 0);
	ck_assert_int_eq(store_delete(st, "feed-b.example.org"), 0);
	ck_assert_int_eq(store_delete(st, "feed-b.example.org"), 1);
	ck_assert_int_eq(store_foreach_seq(st, count_any, &n, &seq2), 0);
	ck_assert_int_ge(n, 1);

	memset(&fs, 0, sizeof(fs));
	ck_assert_int_eq(store_changes(st, seq0, note_change, &fs, &last), 0);
	if (!store_shared(st)) {
		/* One server per file: no feed, valid calls. */
		ck_assert(seq0 == 0 && seq2 == 0 && last == seq0);
		ck_assert_int_eq(fs.n, 0);
		ck_assert_int_eq(store_wait(st, -1, 10), 0);
	} else {
		/* PUT, heartbeat, PUT, DELETE: four positions. */
		ck_assert(seq2 == seq0 + 4);
		ck_assert_int_eq(fs.n, 2);
		ck_assert_str_eq(fs.host[0], "compute-17.example.org");
		ck_assert(fs.generation[0] == 1 && fs.received_at[0] == 160);
		ck_assert(fs.seq[0] == seq0 + 2 && !fs.deleted[0]);
		/* Changed at seq0 + 1, after seq0: sent. */
		ck_assert(fs.has_doc[0]);
		ck_assert_str_eq(fs.host[1], "feed-b.example.org");
		ck_assert(fs.deleted[1] && fs.seq[1] == seq0 + 4);
		ck_assert(last == seq2);
		/* From seq0 + 1 on, compute-17 had a heartbeat only: its
		 * times, not the document the follower holds. */
		memset(&fs, 0, sizeof(fs));
		ck_assert_int_eq(store_changes(st, seq0 + 1, note_change, &fs,
		    &last), 0);
		ck_assert_int_eq(fs.n, 2);
		ck_assert_str_eq(fs.host[0], "compute-17.example.org");
		ck_assert(!fs.deleted[0] && !fs.has_doc[0]);
		ck_assert(fs.generation[0] == 1 && fs.received_at[0] == 160);
		/* Nothing after the end. */
		memset(&fs, 0, sizeof(fs));
		ck_assert_int_eq(store_changes(st, last, note_change, &fs,
		    &last), 0);
		ck_assert(fs.n == 0 && last == seq2);
	}
	inv->host = host;	/* the inventory's own, to be freed */
	inv->collected_at = collected;
	store_close(st);
	inventory_free(inv);
}
END_TEST

/*
 * The one-shot copy from SQLite into the engine under test keeps
 * generation, digest, times and document; run again, it keeps what
 * the target has.
 */
START_TEST(test_engine_copy)
{
	struct inventory	*inv = load_sample();
	struct store		*src, *dst;
	struct store_host_meta	 meta;
	char			*err, *json, *doc, d[65];
	size_t			 len, copied, kept;
	int64_t			 gen;
	bool			 changed;

	doc = fixture_read("tests/unit/data/sample.json", &len);
	src = store_open(dbpath, &err);
	ck_assert_msg(src != NULL, "%s", err);
	ck_assert_int_eq(inventory_digest(inv, d), 0);
	ck_assert_int_eq(store_put(src, inv, doc, "digest-1", 100, &gen,
	    &changed), 0);
	ck_assert_int_eq(store_put(src, inv, doc, d, 150, &gen, &changed), 0);
	ck_assert_int_eq(gen, 2);

	dst = open_target();
	ck_assert_int_eq(store_copy(dst, src, &copied, &kept), 0);
	ck_assert(copied == 1 && kept == 0);
	ck_assert_int_eq(store_get(dst, inv->host, &json, &meta), 0);
	ck_assert_str_eq(json, doc);
	ck_assert_int_eq(meta.generation, 2);
	ck_assert_int_eq(meta.received_at, 150);
	ck_assert_str_eq(meta.digest, d);
	ck_assert_str_eq(meta.collected_at, inv->collected_at);
	free(json);
	ck_assert_int_eq(store_copy(dst, src, &copied, &kept), 0);
	ck_assert(copied == 0 && kept == 1);
	ck_assert_int_eq(store_delete(dst, inv->host), 0);
	store_close(dst);
	store_close(src);
	free(doc);
	inventory_free(inv);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc = tcase_create("sqlite");
	TCase	*te = tcase_create("engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_put_get);
	tcase_add_test(tc, test_failed_write_keeps_previous);
	tcase_add_test(tc, test_upgrade_from_1);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_seen_later);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(te, setup, teardown);
	tcase_add_test(te, test_engine_feed);
	tcase_add_test(te, test_engine_copy);
	suite_add_tcase(s, te);
	return (check_run(s));
}
