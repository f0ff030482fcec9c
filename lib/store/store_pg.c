/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_pg.c -- the PostgreSQL engine behind store.h, on libpq.
 *
 * Several vfio-compatd replicas share one database. Each write (PUT,
 * heartbeat, DELETE) is one transaction that first increments the
 * single row of change_feed: that row lock is held until commit, so
 * writes commit in feed order, and the new position is stamped on the
 * host row (or on a tombstone for a delete) and announced with NOTIFY,
 * which PostgreSQL delivers at commit. A replica follows the feed over
 * a connection of its own (store_changes, store_wait, one thread).
 *
 * A write is two round trips in libpq's pipeline mode, not one per
 * statement: each round trip costs the replica a send, a wait and a
 * receive. The first sends BEGIN, the bump and the statement that decides
 * the rest (the host's meta, or the DELETE) and waits for their
 * answers; the second sends the writes, the NOTIFY and the COMMIT (or
 * the ROLLBACK) at once. After a failure the server skips the rest of
 * its round trip, so nothing after it applies, and the first failure
 * is the one reported. The answers are a few short rows, never enough
 * to fill a socket buffer, so a blocking connection cannot deadlock
 * sending while the server waits to send.
 *
 * Requests take a connection from a small pool, so a check or a read
 * never queues behind another request's write. A connection found
 * broken is reopened when next taken; after a failed attempt further
 * attempts wait out a backoff (doubling, capped) and fail at once
 * meanwhile, so a database that is down costs a request nothing but an
 * immediate 503. The first statement of an operation is retried once
 * on a fresh connection when its connection turns out to be dead
 * (nothing before it was answered, nothing can be applied twice; a
 * write's first round trip commits nothing, so it is all sent again);
 * a failure after that is reported, never retried: a COMMIT lost with
 * its connection may or may not have applied, and the caller must not
 * acknowledge it.
 *
 * Every statement is prepared on each connection when it opens. The
 * migrations are the exception: schema/postgresql/NNN_*.sql scripts run
 * as they are, in one transaction under an advisory lock, so replicas
 * starting together migrate once and the others wait for it.
 *
 * Errors are kept per thread: the pool serves many threads at once and
 * each reads the message of its own failure right after it.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "model/inventory.h"
#include "store/store.h"
#include "store/store_engine.h"
#include "store/store_migrations.h"
#include "util/xmalloc.h"

#define POOL_SIZE	4	/* request connections; the follower has
				   its own */
#define CHANGES_BATCH	"500"	/* feed rows per round trip */
#define BATCH_MAX	8	/* statements in one pipeline round trip */
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	2000
/* pg_advisory_xact_lock key for migrations: "vfiocomp" in ASCII. */
#define MIGRATE_LOCK	"8531315668386385264"

enum stmt_id {
	PS_BEGIN,
	PS_BEGIN_SNAPSHOT,
	PS_COMMIT,
	PS_ROLLBACK,
	PS_BUMP,
	PS_NOTIFY,
	PS_META,
	PS_UPSERT,
	PS_UNTOMB,
	PS_SEEN,
	PS_DELETE,
	PS_TOMB,
	PS_GET,
	PS_ALL,
	PS_SEQ,
	PS_CHANGES,
	PS_LISTEN,
	PS_VERSION,
	PS_COUNT
};

#define HOST_COLS "host, collected_at, received_at, generation, digest, " \
	"document, seq"

static const char *const stmt_sql[PS_COUNT] = {
	[PS_BEGIN] = "BEGIN",
	[PS_BEGIN_SNAPSHOT] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	[PS_COMMIT] = "COMMIT",
	[PS_ROLLBACK] = "ROLLBACK",
	[PS_BUMP] = "UPDATE change_feed SET seq = seq + 1 RETURNING seq",
	[PS_NOTIFY] = "SELECT pg_notify('vfio_compat_changes', $1)",
	[PS_META] = "SELECT generation, digest, collected_at FROM hosts "
	    "WHERE host = $1 FOR UPDATE",
	[PS_UPSERT] = "INSERT INTO hosts (host, generation, digest, "
	    "collected_at, received_at, document, seq, document_seq) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
	    "ON CONFLICT (host) DO UPDATE "
	    "SET generation = EXCLUDED.generation, digest = EXCLUDED.digest, "
	    "collected_at = EXCLUDED.collected_at, "
	    "received_at = EXCLUDED.received_at, "
	    "document = EXCLUDED.document, seq = EXCLUDED.seq, "
	    "document_seq = EXCLUDED.seq",
	[PS_UNTOMB] = "DELETE FROM deleted_hosts WHERE host = $1",
	[PS_SEEN] = "UPDATE hosts SET received_at = $2, collected_at = $3, "
	    "document = coalesce($4, document), seq = $5 WHERE host = $1",
	[PS_DELETE] = "DELETE FROM hosts WHERE host = $1",
	[PS_TOMB] = "INSERT INTO deleted_hosts (host, seq) VALUES ($1, $2) "
	    "ON CONFLICT (host) DO UPDATE SET seq = EXCLUDED.seq",
	[PS_GET] = "SELECT " HOST_COLS " FROM hosts WHERE host = $1",
	[PS_ALL] = "SELECT " HOST_COLS " FROM hosts ORDER BY host",
	[PS_SEQ] = "SELECT seq FROM change_feed",
	/* A host is in one table or the other: a PUT removes its
	 * tombstone, a DELETE its row. A document that has not changed
	 * since $1 is not sent: the follower holds it (a heartbeat). */
	[PS_CHANGES] = "SELECT host, collected_at, received_at, generation, "
	    "digest, CASE WHEN document_seq > $1 THEN document END, seq "
	    "FROM hosts WHERE seq > $1 "
	    "UNION ALL SELECT host, NULL, NULL, NULL, NULL, NULL, seq "
	    "FROM deleted_hosts WHERE seq > $1 ORDER BY seq "
	    "LIMIT " CHANGES_BATCH,
	[PS_LISTEN] = "LISTEN vfio_compat_changes",
	[PS_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
};

struct pg_conn {
	PGconn		*c;
	bool		 busy;
};

struct pg_store {
	char		*uri;
	pthread_mutex_t	 lock;		/* the pool and its backoff */
	pthread_cond_t	 cond;		/* a connection came back */
	struct pg_conn	 pool[POOL_SIZE];
	int64_t		 retry_at;	/* ms, monotonic: no attempt before */
	int		 backoff;	/* ms; 0 after a success */
	struct pg_conn	 feed;		/* the follower's, LISTENing */
};

/* A statement sent in pipeline mode, its answer not read yet. */
struct pg_sent {
	enum stmt_id	 id;
	ExecStatusType	 want;
	PGresult	**keep;		/* its answer, or NULL: not needed */
};

struct store_txn {
	struct pg_store	*st;
	struct pg_conn	*pc;
	int64_t		 seq;		/* 0 until the first round trip */
	char		 seqtxt[24];
	struct pg_sent	 sent[BATCH_MAX];
	int		 nsent;
	int		 answered;	/* of the last round trip, in order */
	bool		 broken;	/* a send or an answer went wrong:
					   nothing more goes */
};

static _Thread_local char	pg_error[512];
static _Thread_local bool	pg_lost;
static _Thread_local int64_t	pg_last_seq;	/* of this thread's last
						   committed write */

static void	*pg_open(const char *, unsigned int, char **);
static void	 pg_close(void *);
static const char *pg_errmsg(const void *);
static bool	 pg_unavailable(const void *);
static int	 pg_schema_version(void *);
static struct store_txn *pg_begin(void *);
static int	 pg_meta(struct store_txn *, const char *,
		    struct store_host_meta *);
static int	 pg_replace(struct store_txn *, const struct inventory *,
		    const char *, const char *, int64_t, int64_t);
static int	 pg_seen(struct store_txn *, const char *, const char *,
		    const char *, int64_t);
static int	 pg_commit(struct store_txn *);
static void	 pg_rollback(struct store_txn *);
static int	 pg_get(void *, const char *, char **,
		    struct store_host_meta *);
static int	 pg_remove(void *, const char *);
static int	 pg_foreach(void *, int (*)(void *,
		    const struct store_host_meta *, const char *), void *,
		    int64_t *);
static int	 pg_ping(void *);
static int	 pg_sequence(void *, int64_t *);
static int	 pg_changes(void *, int64_t, int (*)(void *,
		    const struct store_host_meta *, const char *), void *,
		    int64_t *);
static int	 pg_wait(void *, int, int);
static int64_t	 pg_last(const void *);
static void	 stmt_name(enum stmt_id, char *, size_t);
static int	 set_error(PGconn *, const PGresult *, const char *);
static void	 quiet(void *, const char *);
static int64_t	 now_ms(void);
static PGconn	*conn_open(struct pg_store *);
static int	 conn_prepare(PGconn *);
static int	 conn_reopen(struct pg_store *, struct pg_conn *, bool);
static bool	 conn_ok(const struct pg_conn *);
static struct pg_conn *acquire(struct pg_store *);
static void	 release(struct pg_store *, struct pg_conn *);
static PGresult	*run(struct pg_conn *, enum stmt_id, int,
		    const char *const *, ExecStatusType);
static PGresult	*run_first(struct pg_store *, struct pg_conn *, enum stmt_id,
		    int, const char *const *, ExecStatusType, bool);
static int	 run_ok(struct pg_conn *, enum stmt_id, int,
		    const char *const *);
static int	 seq_of(PGresult *, int64_t *);
static int	 query_number(struct pg_store *, enum stmt_id, int64_t *);
static int	 migrate(PGconn *);
static int	 exec_ok(PGconn *, const char *, const char *);
static void	 read_meta(const PGresult *, int, struct store_host_meta *);
static int	 txn_send(struct store_txn *, enum stmt_id, int,
		    const char *const *, ExecStatusType, PGresult **);
static int	 txn_sync(struct store_txn *);
static int	 txn_first(struct store_txn *, enum stmt_id, const char *,
		    ExecStatusType, PGresult **, PGresult **);
static int	 txn_start(struct store_txn *, enum stmt_id, const char *,
		    ExecStatusType, PGresult **);
static int	 txn_ready(struct store_txn *);
static int	 txn_end(struct store_txn *, enum stmt_id);
static void	 txn_free(struct store_txn *);

/*
 * Record a failure: the server's message, else the connection's; a
 * connection that is gone, or a server that is shutting down or not
 * accepting (SQLSTATE classes 08 and 57P), makes it "unavailable".
 */
static int
set_error(PGconn *c, const PGresult *r, const char *where)
{
	const char	*msg = NULL, *state = NULL;
	size_t		 n;

	if (r != NULL) {
		msg = PQresultErrorMessage(r);
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	}
	if ((msg == NULL || *msg == '\0') && c != NULL)
		msg = PQerrorMessage(c);
	if (msg == NULL || *msg == '\0')
		msg = "no answer from the database";
	snprintf(pg_error, sizeof(pg_error), "%s: %s", where, msg);
	/* libpq's messages end in a newline. */
	n = strlen(pg_error);
	while (n > 0 && (pg_error[n - 1] == '\n' || pg_error[n - 1] == ' '))
		pg_error[--n] = '\0';
	pg_lost = c == NULL || PQstatus(c) != CONNECTION_OK ||
	    (state != NULL && (strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0));
	return (-1);
}

static const char *
pg_errmsg(const void *engine)
{
	return (pg_error);
}

static bool
pg_unavailable(const void *engine)
{
	return (pg_lost);
}

/* The name a statement is prepared under on every connection. */
static void
stmt_name(enum stmt_id id, char *buf, size_t len)
{
	snprintf(buf, len, "vc%d", (int)id);
}

/* NOTICEs (CREATE ... IF NOT EXISTS) are not for stderr. */
static void
quiet(void *arg, const char *msg)
{
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * A new connection, or NULL with the reason recorded. Our defaults go
 * before the URI, so that anything the URI says (connect_timeout too)
 * wins; keepalives notice a database that vanished without a word.
 */
static PGconn *
conn_open(struct pg_store *st)
{
	static const char *const kw[] = { "connect_timeout",
	    "application_name", "keepalives", "keepalives_idle",
	    "keepalives_interval", "keepalives_count", "dbname", NULL };
	const char	*val[] = { "5", "vfio-compatd", "1", "10", "3", "3",
			    st->uri, NULL };
	PGconn		*c;

	if ((c = PQconnectdbParams(kw, val, 1)) == NULL) {
		snprintf(pg_error, sizeof(pg_error), "connect: out of memory");
		pg_lost = true;
		return (NULL);
	}
	if (PQstatus(c) != CONNECTION_OK) {
		set_error(c, NULL, "connect");
		pg_lost = true;
		PQfinish(c);
		return (NULL);
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	return (c);
}

static int
conn_prepare(PGconn *c)
{
	PGresult	*r;
	char		 name[16];
	int		 i;

	for (i = 0; i < PS_COUNT; i++) {
		stmt_name(i, name, sizeof(name));
		r = PQprepare(c, name, stmt_sql[i], 0, NULL);
		if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
			set_error(c, r, "prepare");
			PQclear(r);
			return (-1);
		}
		PQclear(r);
	}
	return (0);
}

/* Replace pc's connection with a new, prepared one (LISTENing for the
 * follower's). */
static int
conn_reopen(struct pg_store *st, struct pg_conn *pc, bool listen)
{
	PQfinish(pc->c);
	pc->c = NULL;
	if ((pc->c = conn_open(st)) == NULL)
		return (-1);
	if (conn_prepare(pc->c) == -1 ||
	    (listen && run_ok(pc, PS_LISTEN, 0, NULL) == -1)) {
		PQfinish(pc->c);
		pc->c = NULL;
		return (-1);
	}
	return (0);
}

static bool
conn_ok(const struct pg_conn *pc)
{
	return (pc->c != NULL && PQstatus(pc->c) == CONNECTION_OK);
}

/*
 * A pool connection for one operation, waiting for one to be free; a
 * broken one is reopened, unless an attempt failed less than a backoff
 * ago. NULL with the error recorded.
 */
static struct pg_conn *
acquire(struct pg_store *st)
{
	struct pg_conn	*pc = NULL;
	int64_t		 now;
	int		 i, rc;

	pg_lost = false;	/* this operation's failure, if any, says */
	pthread_mutex_lock(&st->lock);
	for (;;) {
		for (i = 0; i < POOL_SIZE && pc == NULL; i++)
			if (!st->pool[i].busy)
				pc = &st->pool[i];
		if (pc != NULL)
			break;
		pthread_cond_wait(&st->cond, &st->lock);
	}
	pc->busy = true;
	if (conn_ok(pc)) {
		pthread_mutex_unlock(&st->lock);
		return (pc);
	}
	now = now_ms();
	if (now < st->retry_at) {
		snprintf(pg_error, sizeof(pg_error), "the database does not "
		    "answer; next attempt in %" PRId64 " ms",
		    st->retry_at - now);
		pg_lost = true;
		pc->busy = false;
		pthread_cond_signal(&st->cond);
		pthread_mutex_unlock(&st->lock);
		return (NULL);
	}
	pthread_mutex_unlock(&st->lock);
	rc = conn_reopen(st, pc, false);
	pthread_mutex_lock(&st->lock);
	if (rc == -1) {
		st->backoff = st->backoff == 0 ? BACKOFF_MIN_MS :
		    st->backoff * 2;
		if (st->backoff > BACKOFF_MAX_MS)
			st->backoff = BACKOFF_MAX_MS;
		st->retry_at = now_ms() + st->backoff;
		pc->busy = false;
		pthread_cond_signal(&st->cond);
		pc = NULL;
	} else {
		st->backoff = 0;
		st->retry_at = 0;
	}
	pthread_mutex_unlock(&st->lock);
	return (pc);
}

/* Back to the pool; a connection left inside a transaction (a failure
 * between BEGIN and COMMIT) is rolled back first, a dead one closed,
 * and so is one that cannot leave pipeline mode: answers unread would
 * be taken for the next operation's. */
static void
release(struct pg_store *st, struct pg_conn *pc)
{
	char	name[16];

	if (pc->c != NULL && PQpipelineStatus(pc->c) != PQ_PIPELINE_OFF &&
	    !PQexitPipelineMode(pc->c)) {
		PQfinish(pc->c);
		pc->c = NULL;
	}
	if (conn_ok(pc) && PQtransactionStatus(pc->c) != PQTRANS_IDLE) {
		stmt_name(PS_ROLLBACK, name, sizeof(name));
		PQclear(PQexecPrepared(pc->c, name, 0, NULL, NULL, NULL, 0));
	}
	if (pc->c != NULL && !conn_ok(pc)) {
		PQfinish(pc->c);
		pc->c = NULL;
	}
	pthread_mutex_lock(&st->lock);
	pc->busy = false;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

/* Run a prepared statement; the result if it has status want, else
 * NULL with the error recorded. */
static PGresult *
run(struct pg_conn *pc, enum stmt_id id, int n, const char *const *vals,
    ExecStatusType want)
{
	PGresult	*r;
	char		 name[16];

	stmt_name(id, name, sizeof(name));
	r = PQexecPrepared(pc->c, name, n, vals, NULL, NULL, 0);
	if (r == NULL || PQresultStatus(r) != want) {
		set_error(pc->c, r, stmt_sql[id]);
		PQclear(r);
		return (NULL);
	}
	return (r);
}

/* The first statement of an operation: a connection that died while
 * idle in the pool (the server restarted) is reopened and the
 * statement sent once more. */
static PGresult *
run_first(struct pg_store *st, struct pg_conn *pc, enum stmt_id id, int n,
    const char *const *vals, ExecStatusType want, bool listen)
{
	PGresult	*r;

	if ((r = run(pc, id, n, vals, want)) != NULL || conn_ok(pc))
		return (r);
	if (conn_reopen(st, pc, listen) == -1)
		return (NULL);
	return (run(pc, id, n, vals, want));
}

static int
run_ok(struct pg_conn *pc, enum stmt_id id, int n, const char *const *vals)
{
	PGresult	*r;

	if ((r = run(pc, id, n, vals, PGRES_COMMAND_OK)) == NULL)
		return (-1);
	PQclear(r);
	return (0);
}

/* The one number of a one-row result; clears r. */
static int
seq_of(PGresult *r, int64_t *v)
{
	int	ok = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);

	if (ok)
		*v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		snprintf(pg_error, sizeof(pg_error), "expected one number");
	PQclear(r);
	return (ok ? 0 : -1);
}

static int
exec_ok(PGconn *c, const char *sql, const char *where)
{
	PGresult	*r = PQexec(c, sql);
	ExecStatusType	 s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		set_error(c, r, where);
		PQclear(r);
		return (-1);
	}
	PQclear(r);
	return (0);
}

/*
 * Bring the schema to the newest embedded migration: one transaction
 * under an advisory lock, so that of several replicas starting at once
 * one migrates and the others, waiting on the lock, find it done.
 * DDL is transactional in PostgreSQL: a failing migration leaves the
 * schema as it was.
 */
static int
migrate(PGconn *c)
{
	const struct store_migration	*m;
	const char			*vals[2];
	PGresult			*r;
	char				 ver[16];
	int				 current;

	if (exec_ok(c, "BEGIN", "migrate") == -1)
		return (-1);
	if (exec_ok(c, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")",
	    "migration lock") == -1 ||
	    exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_version ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())",
	    "schema_version") == -1)
		goto fail;
	r = PQexec(c, "SELECT coalesce(max(version), 0) FROM schema_version");
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
		set_error(c, r, "schema version");
		PQclear(r);
		goto fail;
	}
	current = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	for (m = store_pg_migrations; m->name != NULL; m++) {
		if (m->version <= current)
			continue;
		if (exec_ok(c, m->sql, m->name) == -1)
			goto fail;
		snprintf(ver, sizeof(ver), "%d", m->version);
		vals[0] = ver;
		vals[1] = m->name;
		r = PQexecParams(c, "INSERT INTO schema_version (version, "
		    "name) VALUES ($1, $2)", 2, NULL, vals, NULL, NULL, 0);
		if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
			set_error(c, r, m->name);
			PQclear(r);
			goto fail;
		}
		PQclear(r);
	}
	return (exec_ok(c, "COMMIT", "migrate"));

fail:
	PQclear(PQexec(c, "ROLLBACK"));
	return (-1);
}

static void *
pg_open(const char *uri, unsigned int flags, char **errp)
{
	struct pg_store	*st = xcalloc(1, sizeof(*st));
	PGconn		*c;

	*errp = NULL;
	st->uri = xstrdup(uri);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	/* STORE_EXCLUSIVE does not apply: replicas share the database.
	 * STORE_VERIFY neither: PostgreSQL checks its own pages. */
	if ((c = conn_open(st)) == NULL)
		goto fail;
	if (migrate(c) == -1 || conn_prepare(c) == -1) {
		PQfinish(c);
		goto fail;
	}
	st->pool[0].c = c;
	return (st);

fail:
	xasprintf(errp, "%s", pg_error);
	pg_close(st);
	return (NULL);
}

static void
pg_close(void *engine)
{
	struct pg_store	*st = engine;
	int		 i;

	if (st == NULL)
		return;
	for (i = 0; i < POOL_SIZE; i++)
		PQfinish(st->pool[i].c);
	PQfinish(st->feed.c);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	free(st->uri);
	free(st);
}

static int
pg_schema_version(void *engine)
{
	int64_t	v;

	return (query_number(engine, PS_VERSION, &v) == 0 ? (int)v : -1);
}

/* A statement that answers one number, on a pool connection. */
static int
query_number(struct pg_store *st, enum stmt_id id, int64_t *v)
{
	struct pg_conn	*pc;
	PGresult	*r;
	int		 ret = -1;

	if ((pc = acquire(st)) == NULL)
		return (-1);
	if ((r = run_first(st, pc, id, 0, NULL, PGRES_TUPLES_OK,
	    false)) != NULL)
		ret = seq_of(r, v);
	release(st, pc);
	return (ret);
}

/*
 * Queue a statement on txn's pipeline; its answer is read by the next
 * txn_sync(), into *keep when keep is not NULL. Once a send failed,
 * what the connection holds is unknown: nothing more is sent on it,
 * and release() closes it when answers are still owed.
 */
static int
txn_send(struct store_txn *txn, enum stmt_id id, int n,
    const char *const *vals, ExecStatusType want, PGresult **keep)
{
	struct pg_sent	*s;
	char		 name[16];

	if (txn->broken)
		return (-1);
	if (txn->nsent == BATCH_MAX) {
		snprintf(pg_error, sizeof(pg_error), "%s: more than %d "
		    "statements in one round trip", __func__, BATCH_MAX);
		txn->broken = true;
		return (-1);
	}
	stmt_name(id, name, sizeof(name));
	if (!PQsendQueryPrepared(txn->pc->c, name, n, vals, NULL, NULL, 0)) {
		txn->broken = true;
		return (set_error(txn->pc->c, NULL, stmt_sql[id]));
	}
	s = &txn->sent[txn->nsent++];
	s->id = id;
	s->want = want;
	s->keep = keep;
	return (0);
}

/*
 * One round trip: the Sync after what is queued, then every answer in
 * order; each ends with a NULL, the last is the Sync's. After a failure
 * the server skips the rest to the Sync (PGRES_PIPELINE_ABORTED). The
 * first failure is recorded once all is read, so that the connection's
 * state it reports is the one left, as a synchronous call sees it. On
 * success the kept answers are the caller's; on failure none is.
 */
static int
txn_sync(struct store_txn *txn)
{
	PGconn		*c = txn->pc->c;
	PGresult	*r = NULL, *bad = NULL;
	const char	*where = NULL;
	int		 i, n = txn->nsent;

	txn->nsent = 0;
	txn->answered = 0;
	if (txn->broken)
		return (-1);
	if (!PQpipelineSync(c)) {
		txn->broken = true;
		return (set_error(c, NULL, "pipeline sync"));
	}
	for (i = 0; i < n && (r = PQgetResult(c)) != NULL; i++) {
		if (where == NULL && PQresultStatus(r) != txn->sent[i].want) {
			where = stmt_sql[txn->sent[i].id];
			bad = r;
		} else if (where == NULL && txn->sent[i].keep != NULL) {
			*txn->sent[i].keep = r;
			txn->answered++;
		} else {
			if (where == NULL)
				txn->answered++;
			PQclear(r);
		}
		while ((r = PQgetResult(c)) != NULL)
			PQclear(r);
	}
	if (i < n) {
		/* No answer at all: the connection is gone. */
		txn->broken = true;
		if (where == NULL)
			where = stmt_sql[txn->sent[i].id];
	} else if ((r = PQgetResult(c)) == NULL ||
	    PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		/* The server closed instead (the first failure says why),
		 * or answers this side cannot place follow. */
		txn->broken = true;
		if (where == NULL) {
			where = "pipeline sync";
			bad = r;
			r = NULL;
		}
	}
	PQclear(r);
	if (where == NULL)
		return (0);
	set_error(c, bad, where);
	PQclear(bad);
	for (i = 0; i < txn->answered; i++)
		if (txn->sent[i].keep != NULL) {
			PQclear(*txn->sent[i].keep);
			*txn->sent[i].keep = NULL;
		}
	return (-1);
}

/* One attempt at a write's first round trip: BEGIN, the bump that
 * takes the feed's row lock until commit, and id (one parameter)
 * unless it is PS_COUNT. */
static int
txn_first(struct store_txn *txn, enum stmt_id id, const char *arg,
    ExecStatusType want, PGresult **seq, PGresult **r)
{
	const char	*vals[1] = { arg };

	if (!PQenterPipelineMode(txn->pc->c))
		return (set_error(txn->pc->c, NULL, "pipeline mode"));
	if (txn_send(txn, PS_BEGIN, 0, NULL, PGRES_COMMAND_OK, NULL) == -1 ||
	    txn_send(txn, PS_BUMP, 0, NULL, PGRES_TUPLES_OK, seq) == -1 ||
	    (id != PS_COUNT && txn_send(txn, id, 1, vals, want, r) == -1))
		return (-1);
	return (txn_sync(txn));
}

/*
 * A write's first round trip, with id's answer in *r. Nothing in it
 * commits: when BEGIN finds the connection dead (it died idle in the
 * pool) it is all sent once more on a fresh one, as run_first() does.
 */
static int
txn_start(struct store_txn *txn, enum stmt_id id, const char *arg,
    ExecStatusType want, PGresult **r)
{
	PGresult	*seq = NULL;

	if (txn_first(txn, id, arg, want, &seq, r) == -1) {
		if (txn->answered > 0 || conn_ok(txn->pc) ||
		    conn_reopen(txn->st, txn->pc, false) == -1)
			return (-1);
		/* What was queued went with the dead connection. */
		txn->nsent = 0;
		txn->broken = false;
		if (txn_first(txn, id, arg, want, &seq, r) == -1)
			return (-1);
	}
	if (seq_of(seq, &txn->seq) == -1) {
		if (r != NULL) {
			PQclear(*r);
			*r = NULL;
		}
		return (-1);
	}
	snprintf(txn->seqtxt, sizeof(txn->seqtxt), "%" PRId64, txn->seq);
	return (0);
}

/* A write queued before any meta (store.c reads it first) still needs
 * the transaction and its position. */
static int
txn_ready(struct store_txn *txn)
{
	return (txn->seq != 0 ? 0 : txn_start(txn, PS_COUNT, NULL, 0, NULL));
}

/* The last round trip: what is queued, then COMMIT or ROLLBACK. */
static int
txn_end(struct store_txn *txn, enum stmt_id id)
{
	if (txn_send(txn, id, 0, NULL, PGRES_COMMAND_OK, NULL) == -1)
		return (-1);
	return (txn_sync(txn));
}

static void
txn_free(struct store_txn *txn)
{
	release(txn->st, txn->pc);	/* rolls back what did not commit */
	free(txn);
}

/* Nothing is sent yet: the first statement goes with the meta. */
static struct store_txn *
pg_begin(void *engine)
{
	struct pg_store		*st = engine;
	struct store_txn	*txn;
	struct pg_conn		*pc;

	if ((pc = acquire(st)) == NULL)
		return (NULL);
	txn = xcalloc(1, sizeof(*txn));
	txn->st = st;
	txn->pc = pc;
	return (txn);
}

/* The transaction's first round trip (a later one when something was
 * queued before it). */
static int
pg_meta(struct store_txn *txn, const char *host, struct store_host_meta *meta)
{
	const char	*vals[1] = { host };
	PGresult	*r = NULL;
	int		 rc = 1;

	memset(meta, 0, sizeof(*meta));
	if (txn->seq == 0) {
		if (txn_start(txn, PS_META, host, PGRES_TUPLES_OK, &r) == -1)
			return (-1);
	} else if (txn_send(txn, PS_META, 1, vals, PGRES_TUPLES_OK,
	    &r) == -1 || txn_sync(txn) == -1)
		return (-1);
	if (PQntuples(r) == 1) {
		snprintf(meta->host, sizeof(meta->host), "%s", host);
		meta->generation = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		snprintf(meta->digest, sizeof(meta->digest), "%s",
		    PQgetvalue(r, 0, 1));
		snprintf(meta->collected_at, sizeof(meta->collected_at), "%s",
		    PQgetvalue(r, 0, 2));
		rc = 0;
	}
	PQclear(r);
	return (rc);
}

/* Queued: a failure is reported by the commit, the next round trip. */
static int
pg_replace(struct store_txn *txn, const struct inventory *inv,
    const char *json, const char *digest, int64_t generation,
    int64_t received_at)
{
	char		 gen[24], recv[24];
	const char	*vals[7] = { inv->host, gen, digest, inv->collected_at,
			    recv, json, txn->seqtxt };

	if (txn_ready(txn) == -1)
		return (-1);
	snprintf(gen, sizeof(gen), "%" PRId64, generation);
	snprintf(recv, sizeof(recv), "%" PRId64, received_at);
	if (txn_send(txn, PS_UPSERT, 7, vals, PGRES_COMMAND_OK, NULL) == -1)
		return (-1);
	return (txn_send(txn, PS_UNTOMB, 1, vals, PGRES_COMMAND_OK, NULL));
}

/* Same content: a heartbeat. Its new position tells the followers that
 * received_at moved, which keeps the host fresh on every replica. */
static int
pg_seen(struct store_txn *txn, const char *host, const char *collected_at,
    const char *json, int64_t received_at)
{
	char		 recv[24];
	const char	*vals[5] = { host, recv, collected_at, json,
			    txn->seqtxt };

	if (txn_ready(txn) == -1)
		return (-1);
	snprintf(recv, sizeof(recv), "%" PRId64, received_at);
	return (txn_send(txn, PS_SEEN, 5, vals, PGRES_COMMAND_OK, NULL));
}

/* The NOTIFY tells the followers, at commit: it is transactional. */
static int
pg_commit(struct store_txn *txn)
{
	const char	*vals[1] = { txn->seqtxt };
	int		 rc = -1;

	if (txn_ready(txn) == 0 &&
	    txn_send(txn, PS_NOTIFY, 1, vals, PGRES_TUPLES_OK, NULL) == 0 &&
	    txn_end(txn, PS_COMMIT) == 0) {
		pg_last_seq = txn->seq;
		rc = 0;
	}
	txn_free(txn);
	return (rc);
}

/* Also the end of a failed write: the error that caused it survives. */
static void
pg_rollback(struct store_txn *txn)
{
	char	saved[sizeof(pg_error)];
	bool	lost = pg_lost;

	memcpy(saved, pg_error, sizeof(saved));
	if (conn_ok(txn->pc) && PQtransactionStatus(txn->pc->c) !=
	    PQTRANS_IDLE)
		txn_end(txn, PS_ROLLBACK);
	memcpy(pg_error, saved, sizeof(saved));
	pg_lost = lost;
	txn_free(txn);
}

/* One row of HOST_COLS; the NULLs of a tombstone read as empty, and
 * its generation, never NULL in hosts, says it is one. */
static void
read_meta(const PGresult *r, int row, struct store_host_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	meta->deleted = PQgetisnull(r, row, 3);
	snprintf(meta->host, sizeof(meta->host), "%s",
	    PQgetvalue(r, row, 0));
	snprintf(meta->collected_at, sizeof(meta->collected_at), "%s",
	    PQgetvalue(r, row, 1));
	meta->received_at = strtoll(PQgetvalue(r, row, 2), NULL, 10);
	meta->generation = strtoll(PQgetvalue(r, row, 3), NULL, 10);
	snprintf(meta->digest, sizeof(meta->digest), "%s",
	    PQgetvalue(r, row, 4));
	meta->seq = strtoll(PQgetvalue(r, row, 6), NULL, 10);
}

static int
pg_get(void *engine, const char *host, char **json,
    struct store_host_meta *meta)
{
	struct pg_store	*st = engine;
	struct pg_conn	*pc;
	const char	*vals[1] = { host };
	PGresult	*r;
	int		 ret = -1;

	*json = NULL;
	if ((pc = acquire(st)) == NULL)
		return (-1);
	if ((r = run_first(st, pc, PS_GET, 1, vals, PGRES_TUPLES_OK,
	    false)) != NULL) {
		ret = 1;
		if (PQntuples(r) == 1) {
			read_meta(r, 0, meta);
			*json = xstrdup(PQgetvalue(r, 0, 5));
			ret = 0;
		}
		PQclear(r);
	}
	release(st, pc);
	return (ret);
}

/* Two round trips as a PUT's: the DELETE's count decides the second. */
static int
pg_remove(void *engine, const char *host)
{
	struct store_txn	*txn;
	PGresult		*r;
	const char		*vals[2] = { host, NULL };
	int			 ret = -1;

	if ((txn = pg_begin(engine)) == NULL)
		return (-1);
	if (txn_start(txn, PS_DELETE, host, PGRES_COMMAND_OK, &r) == -1)
		goto out;
	if (strcmp(PQcmdTuples(r), "0") == 0) {
		/* Nothing to forget: no tombstone, no position spent. */
		PQclear(r);
		ret = txn_end(txn, PS_ROLLBACK) == 0 ? 1 : -1;
		goto out;
	}
	PQclear(r);
	vals[1] = txn->seqtxt;
	if (txn_send(txn, PS_TOMB, 2, vals, PGRES_COMMAND_OK, NULL) == -1)
		goto out;
	return (pg_commit(txn));
out:
	txn_free(txn);
	return (ret);
}

/*
 * Every host in one REPEATABLE READ snapshot, together with the feed
 * position of that snapshot. The rows stream (single-row mode): the
 * whole fleet is hundreds of megabytes of documents, never held at
 * once.
 */
static int
pg_foreach(void *engine,
    int (*fn)(void *, const struct store_host_meta *, const char *),
    void *arg, int64_t *seq)
{
	struct pg_store		*st = engine;
	struct store_host_meta	 meta;
	struct pg_conn		*pc;
	PGresult		*r;
	int64_t			 pos;
	char			 name[16];
	int			 ret = -1, stop = 0, done = 0;

	if ((pc = acquire(st)) == NULL)
		return (-1);
	if ((r = run_first(st, pc, PS_BEGIN_SNAPSHOT, 0, NULL,
	    PGRES_COMMAND_OK, false)) == NULL)
		goto out;
	PQclear(r);
	if ((r = run(pc, PS_SEQ, 0, NULL, PGRES_TUPLES_OK)) == NULL ||
	    seq_of(r, &pos) == -1)
		goto out;
	stmt_name(PS_ALL, name, sizeof(name));
	if (!PQsendQueryPrepared(pc->c, name, 0, NULL, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(pc->c)) {
		set_error(pc->c, NULL, "read hosts");
		goto out;
	}
	/* Drained to the end even after fn stops: the connection must be
	 * idle before it goes back. */
	while ((r = PQgetResult(pc->c)) != NULL) {
		switch (PQresultStatus(r)) {
		case PGRES_SINGLE_TUPLE:
			if (!stop) {
				read_meta(r, 0, &meta);
				stop = fn(arg, &meta, PQgetvalue(r, 0, 5));
			}
			break;
		case PGRES_TUPLES_OK:
			done = 1;
			break;
		default:
			set_error(pc->c, r, "read hosts");
			done = -1;
			break;
		}
		PQclear(r);
	}
	if (done != 1) {
		if (done == 0)
			set_error(pc->c, NULL, "read hosts");
		goto out;
	}
	if (run_ok(pc, PS_COMMIT, 0, NULL) == -1)
		goto out;
	if (seq != NULL)
		*seq = pos;
	ret = 0;
out:
	release(st, pc);
	return (ret);
}

static int64_t
pg_last(const void *engine)
{
	return (pg_last_seq);
}

static int
pg_ping(void *engine)
{
	int64_t	seq;

	return (pg_sequence(engine, &seq));
}

static int
pg_sequence(void *engine, int64_t *seq)
{
	return (query_number(engine, PS_SEQ, seq));
}

/*
 * The follower's read of the feed, on its own connection (opened, or
 * reopened after a loss, here; it LISTENs before it reads, so a write
 * committed meanwhile is either in this read or announced after it).
 */
static int
pg_changes(void *engine, int64_t since,
    int (*fn)(void *, const struct store_host_meta *, const char *),
    void *arg, int64_t *last)
{
	struct pg_store		*st = engine;
	struct pg_conn		*pc = &st->feed;
	struct store_host_meta	 meta;
	PGresult		*r;
	char			 from[24];
	const char		*vals[1] = { from };
	int			 i, n;

	*last = since;
	pg_lost = false;
	if (!conn_ok(pc) && conn_reopen(st, pc, true) == -1)
		return (-1);
	do {
		snprintf(from, sizeof(from), "%" PRId64, *last);
		if ((r = run_first(st, pc, PS_CHANGES, 1, vals,
		    PGRES_TUPLES_OK, true)) == NULL)
			return (-1);
		n = PQntuples(r);
		for (i = 0; i < n; i++) {
			read_meta(r, i, &meta);
			if (fn(arg, &meta, PQgetisnull(r, i, 5) ? NULL :
			    PQgetvalue(r, i, 5)) != 0) {
				PQclear(r);
				return (0);
			}
			*last = meta.seq;
		}
		PQclear(r);
	} while (n == atoi(CHANGES_BATCH));
	return (0);
}

static int
pg_wait(void *engine, int stopfd, int timeout_ms)
{
	struct pg_store	*st = engine;
	PGconn		*c = st->feed.c;
	PGnotify	*note;
	struct pollfd	 pfd[2];
	int		 woken = 0;

	if (!conn_ok(&st->feed))
		return (-1);
	/* What arrived while the last read ran counts at once. */
	while ((note = PQnotifies(c)) != NULL) {
		PQfreemem(note);
		woken = 1;
	}
	if (woken)
		return (1);
	pfd[0].fd = PQsocket(c);
	pfd[0].events = POLLIN;
	pfd[1].fd = stopfd;
	pfd[1].events = POLLIN;
	if (poll(pfd, stopfd >= 0 ? 2 : 1, timeout_ms) <= 0)
		return (0);
	if (stopfd >= 0 && (pfd[1].revents & POLLIN))
		return (1);
	if (!PQconsumeInput(c) || !conn_ok(&st->feed))
		return (set_error(c, NULL, "feed"));
	while ((note = PQnotifies(c)) != NULL) {
		PQfreemem(note);
		woken = 1;
	}
	return (woken);
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.shared = true,
	.open = pg_open,
	.close = pg_close,
	.error = pg_errmsg,
	.unavailable = pg_unavailable,
	.schema_version = pg_schema_version,
	.begin = pg_begin,
	.meta = pg_meta,
	.replace = pg_replace,
	.seen = pg_seen,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.get = pg_get,
	.remove = pg_remove,
	.foreach = pg_foreach,
	.ping = pg_ping,
	.sequence = pg_sequence,
	.last_seq = pg_last,
	.changes = pg_changes,
	.wait = pg_wait,
};
