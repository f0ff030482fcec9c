/*
 * store_sqlite.c -- the SQLite engine behind store.h.
 *
 * WAL mode so the server's readers never wait for a writer; every host
 * write is one IMMEDIATE transaction that deletes the host's old rows
 * (cascading to the projection tables) and inserts the new ones, so a
 * failure anywhere rolls back to the previous inventory, never half of
 * one. Statements are prepared once per connection and reused. One
 * mutex serialises use of the connection: the server calls in from its
 * thread pool, and SQLite's own locking would otherwise turn contention
 * into SQLITE_BUSY for the losers.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "model/inventory.h"
#include "store/store.h"
#include "store/store_migrations.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum stmt_id {
	ST_GET_META,
	ST_UPDATE_SEEN,
	ST_DELETE_HOST,
	ST_INSERT_HOST,
	ST_INSERT_DEVICE,
	ST_INSERT_TYPE,
	ST_INSERT_INSTANCE,
	ST_INSERT_VM,
	ST_INSERT_VM_DEVICE,
	ST_GET,
	ST_ALL,
	ST_PING,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_GET_META] = "SELECT generation, digest FROM hosts WHERE host = ?1",
	[ST_UPDATE_SEEN] = "UPDATE hosts SET received_at = ?2, "
	    "collected_at = ?3, document = ?4 WHERE host = ?1",
	[ST_DELETE_HOST] = "DELETE FROM hosts WHERE host = ?1",
	[ST_INSERT_HOST] = "INSERT INTO hosts (host, generation, digest, "
	    "collected_at, received_at, document) VALUES (?1,?2,?3,?4,?5,?6)",
	[ST_INSERT_DEVICE] = "INSERT INTO devices (host, address, vendor_id, "
	    "device_id, subsystem_vendor_id, subsystem_device_id, class, "
	    "driver, driver_version, physfn, migration_capable) "
	    "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
	[ST_INSERT_TYPE] = "INSERT INTO types (host, parent, kind, type_id, "
	    "name, device_api, available_instances, migration_version) "
	    "VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
	[ST_INSERT_INSTANCE] = "INSERT INTO instances (host, id, kind, "
	    "type_id, parent) VALUES (?1,?2,?3,?4,?5)",
	[ST_INSERT_VM] = "INSERT INTO vms (host, uuid, name, pid) "
	    "VALUES (?1,?2,?3,?4)",
	[ST_INSERT_VM_DEVICE] = "INSERT INTO vm_devices (host, uuid, device) "
	    "VALUES (?1,?2,?3)",
	[ST_GET] = "SELECT host, collected_at, received_at, generation, "
	    "digest, document FROM hosts WHERE host = ?1",
	[ST_ALL] = "SELECT host, collected_at, received_at, generation, "
	    "digest, document FROM hosts ORDER BY host",
	[ST_PING] = "SELECT count(*) FROM hosts",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[ST_COUNT];
	pthread_mutex_t	 lock;
	char		 error[512];
};

static int	 set_error(struct store *, const char *, const char *);
static int	 exec(struct store *, const char *);
static int	 migrate(struct store *);
static int	 fk_check(struct store *);
static sqlite3_stmt *stmt(struct store *, enum stmt_id);
static int	 bind_text(sqlite3_stmt *, int, const char *);
static int	 bind_int(sqlite3_stmt *, int, int64_t);
static int	 step_done(struct store *, sqlite3_stmt *, const char *);
static int	 insert_rows(struct store *, const struct inventory *);
static void	 read_meta(sqlite3_stmt *, struct store_host_meta *);

static int
set_error(struct store *st, const char *where, const char *msg)
{
	snprintf(st->error, sizeof(st->error), "%s: %s", where,
	    msg != NULL ? msg : sqlite3_errmsg(st->db));
	return (-1);
}

const char *
store_error(const struct store *st)
{
	return (st->error);
}

static int
exec(struct store *st, const char *sql)
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
migrate(struct store *st)
{
	const struct store_migration	*m;
	int				 current;
	char				 bump[64];

	current = store_schema_version(st);
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
fk_check(struct store *st)
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

int
store_schema_version(struct store *st)
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

struct store *
store_open(const char *path, char **errp)
{
	struct store	*st = xcalloc(1, sizeof(*st));
	int		 flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX;

	*errp = NULL;
	pthread_mutex_init(&st->lock, NULL);
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		xasprintf(errp, "%s: %s", path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* A writer in another process (collector --db next to a server)
	 * gets a few seconds rather than an instant SQLITE_BUSY. */
	sqlite3_busy_timeout(st->db, 5000);
	if (exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	    " PRAGMA foreign_keys = OFF;") == -1 || migrate(st) == -1 ||
	    exec(st, "PRAGMA foreign_keys = ON;") == -1) {
		xasprintf(errp, "%s: %s", path, st->error);
		goto fail;
	}
	return (st);

fail:
	store_close(st);
	return (NULL);
}

void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static sqlite3_stmt *
stmt(struct store *st, enum stmt_id id)
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
step_done(struct store *st, sqlite3_stmt *s, const char *where)
{
	int	 rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return (set_error(st, where, NULL));
	return (0);
}

static int
insert_rows(struct store *st, const struct inventory *inv)
{
	sqlite3_stmt	*s;
	size_t		 i, j;

	for (i = 0; i < inv->ndevices; i++) {
		const struct inv_device	*d = &inv->devices[i];

		if ((s = stmt(st, ST_INSERT_DEVICE)) == NULL)
			return (-1);
		bind_text(s, 1, inv->host);
		bind_text(s, 2, d->address);
		bind_text(s, 3, d->vendor_id);
		bind_text(s, 4, d->device_id);
		bind_text(s, 5, d->subsystem_vendor_id);
		bind_text(s, 6, d->subsystem_device_id);
		bind_text(s, 7, d->class);
		bind_text(s, 8, d->driver);
		bind_text(s, 9, d->driver_version);
		bind_text(s, 10, d->physfn);
		bind_int(s, 11, d->migration.capable);
		if (step_done(st, s, "insert device") == -1)
			return (-1);
		for (j = 0; j < d->ntypes; j++) {
			const struct inv_type	*t = &d->types[j];

			if ((s = stmt(st, ST_INSERT_TYPE)) == NULL)
				return (-1);
			bind_text(s, 1, inv->host);
			bind_text(s, 2, d->address);
			bind_text(s, 3, inv_kind_name(t->kind));
			bind_text(s, 4, t->id);
			bind_text(s, 5, t->name);
			bind_text(s, 6, t->device_api);
			bind_int(s, 7, t->available_instances);
			bind_text(s, 8, t->migration_version);
			if (step_done(st, s, "insert type") == -1)
				return (-1);
		}
	}
	for (i = 0; i < inv->ninstances; i++) {
		const struct inv_instance	*in = &inv->instances[i];

		if ((s = stmt(st, ST_INSERT_INSTANCE)) == NULL)
			return (-1);
		bind_text(s, 1, inv->host);
		bind_text(s, 2, in->id);
		bind_text(s, 3, inv_kind_name(in->kind));
		bind_text(s, 4, in->type);
		bind_text(s, 5, in->parent);
		if (step_done(st, s, "insert instance") == -1)
			return (-1);
	}
	for (i = 0; i < inv->nvms; i++) {
		const struct inv_vm	*vm = &inv->vms[i];

		if ((s = stmt(st, ST_INSERT_VM)) == NULL)
			return (-1);
		bind_text(s, 1, inv->host);
		bind_text(s, 2, vm->uuid);
		bind_text(s, 3, vm->name);
		bind_int(s, 4, vm->pid);
		if (step_done(st, s, "insert vm") == -1)
			return (-1);
		for (j = 0; j < vm->ndevices; j++) {
			if ((s = stmt(st, ST_INSERT_VM_DEVICE)) == NULL)
				return (-1);
			bind_text(s, 1, inv->host);
			bind_text(s, 2, vm->uuid);
			bind_text(s, 3, vm->devices[j]);
			if (step_done(st, s, "insert vm device") == -1)
				return (-1);
		}
	}
	return (0);
}

int
store_put(struct store *st, const struct inventory *inv, const char *json,
    const char *digest, int64_t received_at, int64_t *generation,
    bool *changed)
{
	sqlite3_stmt	*s;
	int64_t		 gen = 0;
	bool		 same = false;
	int		 rc;

	pthread_mutex_lock(&st->lock);
	if (exec(st, "BEGIN IMMEDIATE") == -1)
		goto out_unlock;
	if ((s = stmt(st, ST_GET_META)) == NULL)
		goto fail;
	bind_text(s, 1, inv->host);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		gen = sqlite3_column_int64(s, 0);
		same = strcmp((const char *)sqlite3_column_text(s, 1),
		    digest) == 0;
	} else if (rc != SQLITE_DONE) {
		set_error(st, "read generation", NULL);
		goto fail;
	}
	sqlite3_reset(s);

	if (same) {
		/* Same content: keep generation and projection, refresh the
		 * times and the document (its collected_at moved). */
		if ((s = stmt(st, ST_UPDATE_SEEN)) == NULL)
			goto fail;
		bind_text(s, 1, inv->host);
		bind_int(s, 2, received_at);
		bind_text(s, 3, inv->collected_at);
		bind_text(s, 4, json);
		if (step_done(st, s, "update host") == -1)
			goto fail;
	} else {
		gen++;
		if ((s = stmt(st, ST_DELETE_HOST)) == NULL)
			goto fail;
		bind_text(s, 1, inv->host);
		if (step_done(st, s, "delete host") == -1)
			goto fail;
		if ((s = stmt(st, ST_INSERT_HOST)) == NULL)
			goto fail;
		bind_text(s, 1, inv->host);
		bind_int(s, 2, gen);
		bind_text(s, 3, digest);
		bind_text(s, 4, inv->collected_at);
		bind_int(s, 5, received_at);
		bind_text(s, 6, json);
		if (step_done(st, s, "insert host") == -1 ||
		    insert_rows(st, inv) == -1)
			goto fail;
	}
	if (exec(st, "COMMIT") == -1)
		goto fail;
	*generation = gen;
	*changed = !same;
	pthread_mutex_unlock(&st->lock);
	return (0);

fail:
	{
		char	saved[sizeof(st->error)];

		memcpy(saved, st->error, sizeof(saved));
		exec(st, "ROLLBACK");
		memcpy(st->error, saved, sizeof(saved));
	}
out_unlock:
	pthread_mutex_unlock(&st->lock);
	return (-1);
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

int
store_get(struct store *st, const char *host, char **json,
    struct store_host_meta *meta)
{
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

int
store_delete(struct store *st, const char *host)
{
	sqlite3_stmt	*s;
	int		 ret = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = stmt(st, ST_DELETE_HOST)) == NULL)
		goto out;
	bind_text(s, 1, host);
	if (step_done(st, s, __func__) == 0)
		ret = sqlite3_changes(st->db) > 0 ? 0 : 1;
out:
	pthread_mutex_unlock(&st->lock);
	return (ret);
}

int
store_foreach(struct store *st,
    int (*fn)(void *, const struct store_host_meta *, const char *),
    void *arg)
{
	struct store_host_meta	 meta;
	sqlite3_stmt		*s;
	int			 rc, ret = -1;

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

int
store_ping(struct store *st)
{
	sqlite3_stmt	*s;
	int		 ret = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = stmt(st, ST_PING)) != NULL) {
		if (sqlite3_step(s) == SQLITE_ROW)
			ret = 0;
		else
			set_error(st, __func__, NULL);
		sqlite3_reset(s);
	}
	pthread_mutex_unlock(&st->lock);
	return (ret);
}
