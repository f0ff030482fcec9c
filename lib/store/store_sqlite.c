/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_sqlite.c -- the SQLite engine behind store.h.
 *
 * WAL mode so the server's readers never wait for a writer; every host
 * write is one IMMEDIATE transaction that replaces the host's row
 * (its document is the whole inventory), so a failure anywhere rolls
 * back to the previous inventory, never half of one. Statements are prepared once per connection and reused. One
 * mutex serialises use of the connection: the server calls in from its
 * thread pool, and SQLite's own locking would otherwise turn contention
 * into SQLITE_BUSY for the losers.
 *
 * A server opens its store exclusively (an flock on the file, which
 * SQLite's own fcntl locks do not see): two servers on one file would
 * each answer from their own memory and diverge. It checks the file
 * with PRAGMA quick_check before using it, and remembers the file's
 * device and inode: once the path names something else (the file was
 * deleted or replaced under it) every write fails instead of being
 * acknowledged into a file nobody will open again. A reserve file beside
 * the database keeps room for a DELETE on a full disk.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "model/inventory.h"
#include "store/store.h"
#include "store/store_engine.h"
#include "store/store_migrations.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum stmt_id {
	ST_GET_META,
	ST_UPDATE_SEEN,
	ST_DELETE_HOST,
	ST_INSERT_HOST,
	ST_GET,
	ST_ALL,
	ST_PING,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_GET_META] = "SELECT generation, digest, collected_at FROM hosts "
	    "WHERE host = ?1",
	[ST_UPDATE_SEEN] = "UPDATE hosts SET received_at = ?2, "
	    "collected_at = ?3, document = coalesce(?4, document) "
	    "WHERE host = ?1",
	[ST_DELETE_HOST] = "DELETE FROM hosts WHERE host = ?1",
	[ST_INSERT_HOST] = "INSERT INTO hosts (host, generation, digest, "
	    "collected_at, received_at, document) VALUES (?1,?2,?3,?4,?5,?6)",
	[ST_GET] = "SELECT host, collected_at, received_at, generation, "
	    "digest, document FROM hosts WHERE host = ?1",
	[ST_ALL] = "SELECT host, collected_at, received_at, generation, "
	    "digest, document FROM hosts ORDER BY host",
	[ST_PING] = "SELECT count(*) FROM hosts",
};

#define STORE_RESERVE	(16 * 1024 * 1024)	/* room for a DELETE */

struct sqlite_store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[ST_COUNT];
	pthread_mutex_t	 lock;
	char		 error[512];
	char		*path;
	char		*reserve;	/* NULL: none kept */
	int		 lockfd;
	bool		 tracked;	/* dev and ino are the open file's */
	dev_t		 dev;
	ino_t		 ino;
	bool		 write_failed;
};

static void	*sq_open(const char *, unsigned int, char **);
static void	 sq_close(void *);
static const char *sq_error(const void *);
static int	 sq_schema_version(void *);
static struct store_txn *sq_begin(void *);
static int	 sq_meta(struct store_txn *, const char *,
		    struct store_host_meta *);
static int	 sq_replace(struct store_txn *, const struct inventory *,
		    const char *, const char *, int64_t, int64_t);
static int	 sq_seen(struct store_txn *, const char *, const char *,
		    const char *, int64_t);
static int	 sq_commit(struct store_txn *);
static void	 sq_rollback(struct store_txn *);
static int	 sq_get(void *, const char *, char **,
		    struct store_host_meta *);
static int	 sq_remove(void *, const char *);
static int	 sq_foreach(void *, int (*)(void *,
		    const struct store_host_meta *, const char *), void *,
		    int64_t *);
static int	 sq_ping(void *);
static int	 sq_writable(void *);
static bool	 sq_unavailable(const void *);
static int	 sq_sequence(void *, int64_t *);
static int	 sq_changes(void *, int64_t, int (*)(void *,
		    const struct store_host_meta *, const char *), void *,
		    int64_t *);
static int	 sq_wait(void *, int, int);
static int64_t	 sq_last_seq(const void *);
static struct sqlite_store *txn_store(struct store_txn *);
static int	 schema_version(struct sqlite_store *);
static int	 set_error(struct sqlite_store *, const char *, const char *);
static int	 exec(struct sqlite_store *, const char *);
static int	 migrate(struct sqlite_store *);
static int	 fk_check(struct sqlite_store *);
static sqlite3_stmt *stmt(struct sqlite_store *, enum stmt_id);
static int	 bind_text(sqlite3_stmt *, int, const char *);
static int	 bind_int(sqlite3_stmt *, int, int64_t);
static int	 step_done(struct sqlite_store *, sqlite3_stmt *, const char *);
static void	 read_meta(sqlite3_stmt *, struct store_host_meta *);
static int	 take_lock(struct sqlite_store *, const char *, char **);
static int	 verify(struct sqlite_store *);
static int	 path_ok(struct sqlite_store *);
static void	 reserve_make(struct sqlite_store *);
static int	 reserve_release(struct sqlite_store *);
static int	 write_probe(struct sqlite_store *);

static int
set_error(struct sqlite_store *st, const char *where, const char *msg)
{
	snprintf(st->error, sizeof(st->error), "%s: %s", where,
	    msg != NULL ? msg : sqlite3_errmsg(st->db));
	return (-1);
}

static const char *
sq_error(const void *engine)
{
	const struct sqlite_store	*st = engine;

	return (st->error);
}

static int
exec(struct sqlite_store *st, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_error(st, __func__, msg);
		sqlite3_free(msg);
		return (-1);
	}
	return (0);
}

/*
 * Apply every embedded migration newer than PRAGMA user_version, each in
 * its own transaction together with the version bump. Foreign keys are
 * off meanwhile (the pragma is a no-op inside a transaction) so that a
 * migration may rebuild a parent table without cascading deletes into
 * its children; foreign_key_check then proves nothing was orphaned
 * before the transaction commits.
 */
static int
migrate(struct sqlite_store *st)
{
	const struct store_migration	*m;
	int				 current;
	char				 bump[64];

	current = schema_version(st);
	if (current < 0)
		return (-1);
	for (m = store_migrations; m->name != NULL; m++) {
		if (m->version <= current)
			continue;
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d;",
		    m->version);
		if (exec(st, "BEGIN IMMEDIATE") == -1)
			return (-1);
		if (exec(st, m->sql) == -1 || fk_check(st) == -1 ||
		    exec(st, bump) == -1) {
			char	saved[sizeof(st->error)];

			memcpy(saved, st->error, sizeof(saved));
			exec(st, "ROLLBACK");
			snprintf(st->error, sizeof(st->error),
			    "migration %s: %s", m->name, saved);
			return (-1);
		}
		if (exec(st, "COMMIT") == -1)
			return (-1);
		current = m->version;
	}
	return (0);
}

static int
fk_check(struct sqlite_store *st)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s,
	    NULL) != SQLITE_OK)
		return (set_error(st, __func__, NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (set_error(st, __func__,
		    "migration left rows without their parent"));
	return (rc == SQLITE_DONE ? 0 : set_error(st, __func__, NULL));
}

static int
schema_version(struct sqlite_store *st)
{
	sqlite3_stmt	*s;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return (set_error(st, __func__, NULL));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return (v);
}

/* The exclusive lock, taken on a descriptor of our own that stays open
 * as long as the store (closing any descriptor of the file would drop
 * SQLite's fcntl locks). */
static int
take_lock(struct sqlite_store *st, const char *path, char **errp)
{
	struct stat	sb;

	st->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0644);
	if (st->lockfd == -1) {
		xasprintf(errp, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			xasprintf(errp, "%s: in use by another vfio-compatd "
			    "(a SQLite store belongs to one server; replicas "
			    "share a PostgreSQL --db)", path);
		else
			xasprintf(errp, "%s: flock: %s", path,
			    strerror(errno));
		return (-1);
	}
	if (fstat(st->lockfd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		xasprintf(errp, "%s: not a regular file", path);
		return (-1);
	}
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->tracked = true;
	return (0);
}

/* PRAGMA quick_check: "ok", or the first problem it names. */
static int
verify(struct sqlite_store *st)
{
	sqlite3_stmt	*s;
	const char	*v;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s,
	    NULL) != SQLITE_OK)
		return (set_error(st, "quick_check", NULL));
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		set_error(st, "quick_check", NULL);
		sqlite3_finalize(s);
		return (-1);
	}
	v = (const char *)sqlite3_column_text(s, 0);
	if (v == NULL || strcmp(v, "ok") != 0) {
		snprintf(st->error, sizeof(st->error), "damaged (quick_check: "
		    "%.300s); restore a backup or move the file aside",
		    v != NULL ? v : "no answer");
		sqlite3_finalize(s);
		return (-1);
	}
	sqlite3_finalize(s);
	return (0);
}

static void *
sq_open(const char *path, unsigned int oflags, char **errp)
{
	struct sqlite_store	*st = xcalloc(1, sizeof(*st));
	struct stat	 sb;
	int		 flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX;

	*errp = NULL;
	st->lockfd = -1;
	pthread_mutex_init(&st->lock, NULL);
	st->path = xstrdup(path);
	if ((oflags & STORE_EXCLUSIVE) && take_lock(st, path, errp) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		xasprintf(errp, "%s: %s", path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* A writer in another process (collector --db next to a server)
	 * gets a few seconds rather than an instant SQLITE_BUSY. */
	sqlite3_busy_timeout(st->db, 5000);
	/* Damage is found before a migration or a write makes it worse. */
	if ((oflags & STORE_VERIFY) && verify(st) == -1) {
		xasprintf(errp, "%s: %s", path, st->error);
		goto fail;
	}
	if (exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	    " PRAGMA foreign_keys = OFF;") == -1 || migrate(st) == -1 ||
	    exec(st, "PRAGMA foreign_keys = ON;") == -1) {
		xasprintf(errp, "%s: %s", path, st->error);
		goto fail;
	}
	if (!st->tracked && stat(path, &sb) == 0) {
		st->dev = sb.st_dev;
		st->ino = sb.st_ino;
		st->tracked = true;
	}
	if (oflags & STORE_EXCLUSIVE) {
		xasprintf(&st->reserve, "%s-reserve", path);
		reserve_make(st);
	}
	return (st);

fail:
	sq_close(st);
	return (NULL);
}

/* The path still names the file we opened. */
static int
path_ok(struct sqlite_store *st)
{
	struct stat	sb;

	if (!st->tracked)
		return (0);
	if (stat(st->path, &sb) == -1 || sb.st_dev != st->dev ||
	    sb.st_ino != st->ino) {
		snprintf(st->error, sizeof(st->error), "%s: the database file "
		    "was removed or replaced while open; restart the server",
		    st->path);
		return (-1);
	}
	return (0);
}

/* Keep STORE_RESERVE bytes allocated beside the database, if there is
 * room; a DELETE on a full disk gives them up. */
static void
reserve_make(struct sqlite_store *st)
{
	struct stat	sb;
	int		fd;

	if (st->reserve == NULL || (stat(st->reserve, &sb) == 0 &&
	    sb.st_size >= STORE_RESERVE))
		return;
	fd = open(st->reserve, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1)
		return;
	if (posix_fallocate(fd, 0, STORE_RESERVE) != 0) {
		close(fd);
		unlink(st->reserve);
		return;
	}
	close(fd);
}

/* 0 when the reserve was there and is now free space. */
static int
reserve_release(struct sqlite_store *st)
{
	if (st->reserve == NULL || unlink(st->reserve) == -1)
		return (-1);
	log_warnx("%s: %s: the disk is full; released %d MiB reserved for "
	    "deletions", __func__, st->path, STORE_RESERVE / (1024 * 1024));
	return (0);
}

/* After a failed write: does one commit now? Rewriting user_version
 * with its own value is the smallest write that must reach the disk. */
static int
write_probe(struct sqlite_store *st)
{
	char	sql[96];
	int	v;

	if ((v = schema_version(st)) < 0)
		return (-1);
	snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; PRAGMA user_version = "
	    "%d; COMMIT;", v);
	if (exec(st, sql) == -1) {
		exec(st, "ROLLBACK");
		return (-1);
	}
	return (0);
}

static void
sq_close(void *engine)
{
	struct sqlite_store	*st = engine;
	size_t			 i;

	if (st == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	/* After SQLite's close: closing it earlier would drop its locks. */
	if (st->lockfd != -1)
		close(st->lockfd);
	pthread_mutex_destroy(&st->lock);
	free(st->reserve);
	free(st->path);
	free(st);
}

static sqlite3_stmt *
stmt(struct sqlite_store *st, enum stmt_id id)
{
	if (st->stmt[id] == NULL && sqlite3_prepare_v3(st->db, stmt_sql[id],
	    -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL) != SQLITE_OK) {
		set_error(st, "prepare", NULL);
		return (NULL);
	}
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
	return (st->stmt[id]);
}

static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return (sqlite3_bind_null(s, i));
	return (sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC));
}

static int
bind_int(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == INV_NULL)
		return (sqlite3_bind_null(s, i));
	return (sqlite3_bind_int64(s, i, v));
}

static int
step_done(struct sqlite_store *st, sqlite3_stmt *s, const char *where)
{
	int	 rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return (set_error(st, where, NULL));
	return (0);
}

/* The transaction is the store itself, its mutex held until the end. */
static struct sqlite_store *
txn_store(struct store_txn *txn)
{
	return ((struct sqlite_store *)(void *)txn);
}

static struct store_txn *
sq_begin(void *engine)
{
	struct sqlite_store	*st = engine;

	pthread_mutex_lock(&st->lock);
	if (path_ok(st) == -1 || exec(st, "BEGIN IMMEDIATE") == -1) {
		st->write_failed = true;
		pthread_mutex_unlock(&st->lock);
		return (NULL);
	}
	return ((struct store_txn *)(void *)st);
}

static int
sq_meta(struct store_txn *txn, const char *host, struct store_host_meta *meta)
{
	struct sqlite_store	*st = txn_store(txn);
	sqlite3_stmt		*s;
	const unsigned char	*v;
	int			 rc;

	memset(meta, 0, sizeof(*meta));
	if ((s = stmt(st, ST_GET_META)) == NULL)
		return (-1);
	bind_text(s, 1, host);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(meta->host, sizeof(meta->host), "%s", host);
		meta->generation = sqlite3_column_int64(s, 0);
		v = sqlite3_column_text(s, 1);
		snprintf(meta->digest, sizeof(meta->digest), "%s",
		    v != NULL ? (const char *)v : "");
		v = sqlite3_column_text(s, 2);
		snprintf(meta->collected_at, sizeof(meta->collected_at), "%s",
		    v != NULL ? (const char *)v : "");
		rc = 0;
	} else if (rc == SQLITE_DONE)
		rc = 1;
	else
		rc = set_error(st, "read generation", NULL);
	sqlite3_reset(s);
	return (rc);
}

static int
sq_replace(struct store_txn *txn, const struct inventory *inv,
    const char *json, const char *digest, int64_t generation,
    int64_t received_at)
{
	struct sqlite_store	*st = txn_store(txn);
	sqlite3_stmt		*s;

	if ((s = stmt(st, ST_DELETE_HOST)) == NULL)
		return (-1);
	bind_text(s, 1, inv->host);
	if (step_done(st, s, "delete host") == -1)
		return (-1);
	if ((s = stmt(st, ST_INSERT_HOST)) == NULL)
		return (-1);
	bind_text(s, 1, inv->host);
	bind_int(s, 2, generation);
	bind_text(s, 3, digest);
	bind_text(s, 4, inv->collected_at);
	bind_int(s, 5, received_at);
	bind_text(s, 6, json);
	return (step_done(st, s, "insert host"));
}

/* Same content: keep the generation, refresh the times and the
 * document (its collected_at moved), or keep the document when json is
 * NULL. */
static int
sq_seen(struct store_txn *txn, const char *host, const char *collected_at,
    const char *json, int64_t received_at)
{
	struct sqlite_store	*st = txn_store(txn);
	sqlite3_stmt		*s;

	if ((s = stmt(st, ST_UPDATE_SEEN)) == NULL)
		return (-1);
	bind_text(s, 1, host);
	bind_int(s, 2, received_at);
	bind_text(s, 3, collected_at);
	bind_text(s, 4, json);
	return (step_done(st, s, "update host"));
}

static int
sq_commit(struct store_txn *txn)
{
	struct sqlite_store	*st = txn_store(txn);

	if (exec(st, "COMMIT") == -1) {
		sq_rollback(txn);
		return (-1);
	}
	st->write_failed = false;
	reserve_make(st);
	pthread_mutex_unlock(&st->lock);
	return (0);
}

/* Also the end of a failed write: the error that caused it survives. */
static void
sq_rollback(struct store_txn *txn)
{
	struct sqlite_store	*st = txn_store(txn);
	char			 saved[sizeof(st->error)];

	memcpy(saved, st->error, sizeof(saved));
	exec(st, "ROLLBACK");
	memcpy(st->error, saved, sizeof(saved));
	st->write_failed = true;
	pthread_mutex_unlock(&st->lock);
}

static void
read_meta(sqlite3_stmt *s, struct store_host_meta *meta)
{
	const unsigned char	*v;

	memset(meta, 0, sizeof(*meta));
	snprintf(meta->host, sizeof(meta->host), "%s",
	    (const char *)sqlite3_column_text(s, 0));
	v = sqlite3_column_text(s, 1);
	snprintf(meta->collected_at, sizeof(meta->collected_at), "%s",
	    v != NULL ? (const char *)v : "");
	meta->received_at = sqlite3_column_int64(s, 2);
	meta->generation = sqlite3_column_int64(s, 3);
	v = sqlite3_column_text(s, 4);
	snprintf(meta->digest, sizeof(meta->digest), "%s",
	    v != NULL ? (const char *)v : "");
}

static int
sq_get(void *engine, const char *host, char **json,
    struct store_host_meta *meta)
{
	struct sqlite_store	*st = engine;
	sqlite3_stmt	*s;
	int		 rc, ret = -1;

	*json = NULL;
	pthread_mutex_lock(&st->lock);
	if ((s = stmt(st, ST_GET)) == NULL)
		goto out;
	bind_text(s, 1, host);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_meta(s, meta);
		*json = xstrdup((const char *)sqlite3_column_text(s, 5));
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	else
		set_error(st, __func__, NULL);
	sqlite3_reset(s);
out:
	pthread_mutex_unlock(&st->lock);
	return (ret);
}

static int
sq_remove(void *engine, const char *host)
{
	struct sqlite_store	*st = engine;
	sqlite3_stmt	*s;
	int		 ret = -1, tries;

	pthread_mutex_lock(&st->lock);
	if (path_ok(st) == -1)
		goto out;
	/* On a full disk the reserve is given up and the DELETE tried
	 * once more: deleting is how an operator makes room. */
	for (tries = 0; tries < 2; tries++) {
		if ((s = stmt(st, ST_DELETE_HOST)) == NULL)
			goto out;
		bind_text(s, 1, host);
		if (step_done(st, s, __func__) == 0) {
			ret = sqlite3_changes(st->db) > 0 ? 0 : 1;
			break;
		}
		if (sqlite3_extended_errcode(st->db) != SQLITE_FULL ||
		    reserve_release(st) == -1)
			break;
	}
out:
	st->write_failed = ret == -1;
	pthread_mutex_unlock(&st->lock);
	return (ret);
}

static int
sq_foreach(void *engine,
    int (*fn)(void *, const struct store_host_meta *, const char *),
    void *arg, int64_t *seq)
{
	struct sqlite_store	*st = engine;
	struct store_host_meta	 meta;
	sqlite3_stmt		*s;
	int			 rc, ret = -1;

	if (seq != NULL)
		*seq = 0;	/* no feed: one server owns the file */
	pthread_mutex_lock(&st->lock);
	if ((s = stmt(st, ST_ALL)) == NULL)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_meta(s, &meta);
		if (fn(arg, &meta, (const char *)sqlite3_column_text(s, 5))
		    != 0)
			break;
	}
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		ret = 0;
	else
		set_error(st, __func__, NULL);
	sqlite3_reset(s);
out:
	pthread_mutex_unlock(&st->lock);
	return (ret);
}

static int
sq_ping(void *engine)
{
	struct sqlite_store	*st = engine;
	sqlite3_stmt	*s;
	int		 ret = -1;

	pthread_mutex_lock(&st->lock);
	if (path_ok(st) == -1)
		goto out;
	if ((s = stmt(st, ST_PING)) != NULL) {
		if (sqlite3_step(s) == SQLITE_ROW)
			ret = 0;
		else
			set_error(st, __func__, NULL);
		sqlite3_reset(s);
	}
	/* Not ready while writes fail, until one commits again. */
	if (ret == 0 && st->write_failed) {
		if (write_probe(st) == 0)
			st->write_failed = false;
		else
			ret = -1;
	}
out:
	pthread_mutex_unlock(&st->lock);
	return (ret);
}

static int
sq_writable(void *engine)
{
	struct sqlite_store	*st = engine;
	int			 rc;

	pthread_mutex_lock(&st->lock);
	rc = st->write_failed || path_ok(st) == -1 ? -1 : 0;
	pthread_mutex_unlock(&st->lock);
	return (rc);
}

static int
sq_schema_version(void *engine)
{
	return (schema_version(engine));
}

/* A file on this host is there or it is not: a failure is the write's. */
static bool
sq_unavailable(const void *engine)
{
	return (false);
}

/* One server per file (STORE_EXCLUSIVE): nobody else writes, so there
 * is no feed to follow; the calls are valid and report nothing. */
static int
sq_sequence(void *engine, int64_t *seq)
{
	*seq = 0;
	return (0);
}

static int64_t
sq_last_seq(const void *engine)
{
	return (0);
}

static int
sq_changes(void *engine, int64_t since,
    int (*fn)(void *, const struct store_host_meta *, const char *),
    void *arg, int64_t *last)
{
	*last = since;
	return (0);
}

static int
sq_wait(void *engine, int stopfd, int timeout_ms)
{
	struct pollfd	pfd = { .fd = stopfd, .events = POLLIN };

	return (poll(&pfd, stopfd >= 0 ? 1 : 0, timeout_ms) > 0 ? 1 : 0);
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.shared = false,
	.open = sq_open,
	.close = sq_close,
	.error = sq_error,
	.schema_version = sq_schema_version,
	.begin = sq_begin,
	.meta = sq_meta,
	.replace = sq_replace,
	.seen = sq_seen,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.get = sq_get,
	.remove = sq_remove,
	.foreach = sq_foreach,
	.ping = sq_ping,
	.writable = sq_writable,
	.unavailable = sq_unavailable,
	.sequence = sq_sequence,
	.last_seq = sq_last_seq,
	.changes = sq_changes,
	.wait = sq_wait,
};
