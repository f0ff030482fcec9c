/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c -- the engine-neutral half of the store.
 *
 * A --db value names its engine; everything after that goes through
 * struct store_ops. The one decision that must not differ between
 * engines lives here: a PUT whose digest equals the stored one keeps its
 * generation (a heartbeat: only the times and the document text move),
 * any other content takes the next generation, and a report collected
 * before the stored one is refused without a write. Both reads happen in
 * the same transaction as the write, so two writers for one host cannot
 * both take the same generation. store_copy() (vfio-compatd --import)
 * writes hosts as another store holds them, through the same engine
 * transactions.
 *
 * A store opened STORE_SEEN_LATER on an engine of one writer takes
 * heartbeats behind (store_seen_later): a tree of the newest pending
 * times per host, written by a flusher thread in one transaction every
 * STORE_SEEN_DELAY_MS, and by store_close(). later_lock serialises
 * every write of such a store with the flush, and store_put() first
 * writes its host's pending times in its own transaction, so that each
 * transaction sees the state a write at once would have left: a late
 * retry behind a pending heartbeat is refused, and a flush never puts
 * older times over a newer write (it re-checks generation and
 * collected_at). What a crash loses is at most that delay of
 * heartbeats: the host reads older, never fresher, than it was.
 */
#include <pthread.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/inventory.h"
#include "store/store.h"
#include "store/store_engine.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* A heartbeat written behind: a host's newest times not yet stored. */
struct seen_later {
	char	*host;
	char	 collected_at[32];
	int64_t	 generation;
	int64_t	 received_at;
};

struct store {
	const struct store_ops	*ops;
	void			*engine;
	/* STORE_SEEN_LATER: */
	bool			 later_on;
	pthread_mutex_t		 later_lock;
	pthread_cond_t		 later_cv;
	void			*later;		/* tree of struct seen_later */
	size_t			 nlater;
	bool			 later_stop;
	bool			 later_failed;	/* the last flush */
	pthread_t		 flusher;
};

/*
 * A message of store.c's own (a late retry, a copy that stopped) rather
 * than the engine's, for the store named and the calling thread only:
 * a shared store serves many request threads at once, and each reads
 * the error of its own call right after it (the engines keep theirs
 * per thread likewise, or under their lock).
 */
static _Thread_local char			 own_msg[512];
static _Thread_local const struct store	*own_of;

static const struct store_ops	*engine_for(const char *, char **);
static int	 copy_host(void *, const struct store_host_meta *,
		    const char *);

/* What store_copy carries through store_foreach. */
struct copy_state {
	struct store	*dst;
	size_t		 copied, kept;
	int		 failed;
};
static int	 refuse_older(struct store *, const struct store_host_meta *,
		    const char *);
static int	 later_start(struct store *);
static int	 later_cmp(const void *, const void *);
static struct seen_later *later_find(struct store *, const char *);
static void	 later_drop(struct store *, const char *);
static int	 later_write(struct store_txn *, const struct store_ops *,
		    const struct seen_later *);
static void	 later_write_each(const void *, VISIT, void *);
static void	 later_flush(struct store *);
static void	 later_free(void *);
static int	 put_txn(struct store *, const struct inventory *,
		    const char *, const char *, int64_t, int64_t *, bool *);
static int	 seen_txn(struct store *, const char *, const char *, int64_t,
		    int64_t);
static void	*later_main(void *);

/* What later_write_each carries through twalk_r. */
struct later_walk {
	struct store_txn	*txn;
	const struct store_ops	*ops;
	int			 failed;
};

/* A late retry of an older report must not win: 1 (and the stored time
 * in st's error) when collected_at is before the stored one. Fixed-width
 * UTC timestamps: text order is time order. */
static int
refuse_older(struct store *st, const struct store_host_meta *meta,
    const char *collected_at)
{
	if (collected_at == NULL || meta->collected_at[0] == '\0' ||
	    strcmp(meta->collected_at, collected_at) <= 0)
		return (0);
	snprintf(own_msg, sizeof(own_msg), "%s", meta->collected_at);
	own_of = st;
	return (1);
}

/* The engine a --db value names: a libpq URI or else a file path. */
static const struct store_ops *
engine_for(const char *target, char **errp)
{
	*errp = NULL;
	if (strncmp(target, "postgresql://", 13) == 0 ||
	    strncmp(target, "postgres://", 11) == 0)
		return (&store_pg_ops);
	return (&store_sqlite_ops);
}

struct store *
store_open(const char *target, char **errp)
{
	return (store_open_opts(target, 0, errp));
}

struct store *
store_open_opts(const char *target, unsigned int flags, char **errp)
{
	const struct store_ops	*ops;
	struct store		*st;
	void			*engine;

	*errp = NULL;
	if ((ops = engine_for(target, errp)) == NULL)
		return (NULL);
	if ((engine = ops->open(target, flags, errp)) == NULL)
		return (NULL);
	st = xcalloc(1, sizeof(*st));
	st->ops = ops;
	st->engine = engine;
	/* A feed must carry each heartbeat to the other replicas now. */
	if ((flags & STORE_SEEN_LATER) && !ops->shared &&
	    ops->writable != NULL && later_start(st) == -1) {
		xasprintf(errp, "cannot start the heartbeat writer");
		ops->close(engine);
		free(st);
		return (NULL);
	}
	return (st);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->later_on) {
		pthread_mutex_lock(&st->later_lock);
		st->later_stop = true;
		pthread_cond_signal(&st->later_cv);
		pthread_mutex_unlock(&st->later_lock);
		pthread_join(st->flusher, NULL);	/* it flushes last */
		pthread_cond_destroy(&st->later_cv);
		pthread_mutex_destroy(&st->later_lock);
	}
	st->ops->close(st->engine);
	free(st);
}

/* The flusher thread and its lock, on a monotonic clock: a clock set
 * back must not stretch the delay. */
static int
later_start(struct store *st)
{
	pthread_condattr_t	 ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&st->later_lock, NULL);
	pthread_cond_init(&st->later_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&st->flusher, NULL, later_main, st) != 0) {
		pthread_cond_destroy(&st->later_cv);
		pthread_mutex_destroy(&st->later_lock);
		return (-1);
	}
	st->later_on = true;
	return (0);
}

static int
later_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct seen_later *)a)->host,
	    ((const struct seen_later *)b)->host));
}

/* Under later_lock: host's pending heartbeat, or NULL. */
static struct seen_later *
later_find(struct store *st, const char *host)
{
	struct seen_later	 key = { .host = (char *)(uintptr_t)host };
	struct seen_later	*const *p;

	p = tfind(&key, &st->later, later_cmp);
	return (p != NULL ? *p : NULL);
}

/* Under later_lock: forget host's pending heartbeat (stored, or its
 * host deleted). */
static void
later_drop(struct store *st, const char *host)
{
	struct seen_later	*e;

	if ((e = later_find(st, host)) == NULL)
		return;
	tdelete(e, &st->later, later_cmp);
	st->nlater--;
	later_free(e);
}

static void
later_free(void *p)
{
	struct seen_later	*e = p;

	free(e->host);
	free(e);
}

/* One pending heartbeat into txn, unless the stored host moved on (a
 * new generation, a newer report, or deleted): 0, -1 on failure. */
static int
later_write(struct store_txn *txn, const struct store_ops *ops,
    const struct seen_later *e)
{
	struct store_host_meta	 meta;
	int			 rc;

	if ((rc = ops->meta(txn, e->host, &meta)) != 0)
		return (rc == 1 ? 0 : -1);
	if (meta.generation != e->generation ||
	    strcmp(meta.collected_at, e->collected_at) > 0)
		return (0);
	return (ops->seen(txn, e->host, e->collected_at, NULL,
	    e->received_at));
}

static void
later_write_each(const void *node, VISIT v, void *arg)
{
	struct later_walk	*w = arg;

	if ((v == postorder || v == leaf) && !w->failed &&
	    later_write(w->txn, w->ops, *(struct seen_later *const *)node) ==
	    -1)
		w->failed = 1;
}

/* Under later_lock: every pending heartbeat in one transaction. On a
 * failure they stay pending, for the next flush or the host's next
 * store_put(), and the store reads older meanwhile. */
static void
later_flush(struct store *st)
{
	struct later_walk	 w = { NULL, st->ops, 0 };

	st->later_failed = false;
	if (st->nlater == 0)
		return;
	st->later_failed = true;
	if ((w.txn = st->ops->begin(st->engine)) == NULL) {
		log_warnx("%s: %zu heartbeats not stored yet: %s", __func__,
		    st->nlater, st->ops->error(st->engine));
		return;
	}
	twalk_r(st->later, later_write_each, &w);
	if (w.failed) {
		log_warnx("%s: %zu heartbeats not stored yet: %s", __func__,
		    st->nlater, st->ops->error(st->engine));
		st->ops->rollback(w.txn);
		return;
	}
	if (st->ops->commit(w.txn) == -1) {
		log_warnx("%s: %zu heartbeats not stored yet: %s", __func__,
		    st->nlater, st->ops->error(st->engine));
		return;
	}
	tdestroy(st->later, later_free);
	st->later = NULL;
	st->nlater = 0;
	st->later_failed = false;
}

/* The flusher: every STORE_SEEN_DELAY_MS, and once more on close. */
static void *
later_main(void *arg)
{
	struct store	*st = arg;
	struct timespec	 until;

	pthread_mutex_lock(&st->later_lock);
	while (!st->later_stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += STORE_SEEN_DELAY_MS / 1000;
		until.tv_nsec += (STORE_SEEN_DELAY_MS % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!st->later_stop && pthread_cond_timedwait(
		    &st->later_cv, &st->later_lock, &until) == 0)
			;
		later_flush(st);
	}
	pthread_mutex_unlock(&st->later_lock);
	return (NULL);
}

const char *
store_error(const struct store *st)
{
	return (own_of == st ? own_msg : st->ops->error(st->engine));
}

const char *
store_engine_name(const struct store *st)
{
	return (st->ops->name);
}

bool
store_shared(const struct store *st)
{
	return (st->ops->shared);
}

bool
store_unavailable(const struct store *st)
{
	return (own_of != st && st->ops->unavailable(st->engine));
}

int
store_schema_version(struct store *st)
{
	own_of = NULL;
	return (st->ops->schema_version(st->engine));
}

int
store_put(struct store *st, const struct inventory *inv, const char *json,
    const char *digest, int64_t received_at, int64_t *generation,
    bool *changed)
{
	int	rc;

	if (!st->later_on)
		return (put_txn(st, inv, json, digest, received_at, generation,
		    changed));
	pthread_mutex_lock(&st->later_lock);
	rc = put_txn(st, inv, json, digest, received_at, generation, changed);
	pthread_mutex_unlock(&st->later_lock);
	return (rc);
}

/* store_put's transaction; with STORE_SEEN_LATER, under later_lock. */
static int
put_txn(struct store *st, const struct inventory *inv, const char *json,
    const char *digest, int64_t received_at, int64_t *generation,
    bool *changed)
{
	const struct store_ops	*ops = st->ops;
	struct store_host_meta	 meta;
	struct store_txn	*txn;
	struct seen_later	*pending = NULL;
	int64_t			 gen = 0;
	bool			 same = false;
	int			 rc;

	own_of = NULL;
	if ((txn = ops->begin(st->engine)) == NULL)
		return (-1);
	/* The host's heartbeat written behind comes first: the checks
	 * below see what a write at once would have left. */
	if (st->later_on && (pending = later_find(st, inv->host)) != NULL &&
	    later_write(txn, ops, pending) == -1)
		goto fail;
	if ((rc = ops->meta(txn, inv->host, &meta)) == -1)
		goto fail;
	if (rc == 0) {
		if (refuse_older(st, &meta, inv->collected_at)) {
			ops->rollback(txn);
			return (1);
		}
		gen = meta.generation;
		same = strcmp(meta.digest, digest) == 0;
	}
	if (same)
		rc = ops->seen(txn, inv->host, inv->collected_at, json,
		    received_at);
	else
		rc = ops->replace(txn, inv, json, digest, ++gen, received_at);
	if (rc == -1)
		goto fail;
	if (ops->commit(txn) == -1)
		return (-1);
	if (pending != NULL)
		later_drop(st, inv->host);
	*generation = gen;
	*changed = !same;
	return (0);

fail:
	ops->rollback(txn);
	return (-1);
}

int
store_seen(struct store *st, const char *host, const char *collected_at,
    int64_t generation, int64_t received_at)
{
	int	rc;

	if (!st->later_on)
		return (seen_txn(st, host, collected_at, generation,
		    received_at));
	pthread_mutex_lock(&st->later_lock);
	rc = seen_txn(st, host, collected_at, generation, received_at);
	pthread_mutex_unlock(&st->later_lock);
	return (rc);
}

/* store_seen's transaction; with STORE_SEEN_LATER, under later_lock,
 * and the host's pending heartbeat written first as in put_txn(). */
static int
seen_txn(struct store *st, const char *host, const char *collected_at,
    int64_t generation, int64_t received_at)
{
	const struct store_ops	*ops = st->ops;
	struct store_host_meta	 meta;
	struct store_txn	*txn;
	struct seen_later	*pending = NULL;
	int			 rc;

	own_of = NULL;
	if ((txn = ops->begin(st->engine)) == NULL)
		return (-1);
	if (st->later_on && (pending = later_find(st, host)) != NULL &&
	    later_write(txn, ops, pending) == -1)
		goto fail;
	if ((rc = ops->meta(txn, host, &meta)) == -1)
		goto fail;
	if (rc == 1 || meta.generation != generation) {
		ops->rollback(txn);
		return (2);
	}
	if (refuse_older(st, &meta, collected_at)) {
		ops->rollback(txn);
		return (1);
	}
	if (ops->seen(txn, host, collected_at, NULL, received_at) == -1)
		goto fail;
	if (ops->commit(txn) == -1)
		return (-1);
	if (pending != NULL)
		later_drop(st, host);
	return (0);

fail:
	ops->rollback(txn);
	return (-1);
}

bool
store_seen_behind(const struct store *st)
{
	return (st->later_on);
}

int
store_seen_later(struct store *st, const char *host, const char *collected_at,
    int64_t generation, int64_t received_at)
{
	struct seen_later	*e;

	if (!st->later_on)
		return (-1);
	if (strlen(collected_at) >= sizeof(e->collected_at))
		return (-1);	/* a timestamp is shorter: store_seen() */
	pthread_mutex_lock(&st->later_lock);
	/* While writes fail, or would, heartbeats are written at once,
	 * and refused as any write is, rather than acknowledged into
	 * memory alone. */
	if (st->later_failed || st->ops->writable(st->engine) == -1) {
		pthread_mutex_unlock(&st->later_lock);
		return (-1);
	}
	if ((e = later_find(st, host)) == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->host = xstrdup(host);
		if (tsearch(e, &st->later, later_cmp) == NULL) {
			/* Out of memory, like xmalloc. */
			log_errorx("%s: out of memory", __func__);
			abort();
		}
		st->nlater++;
	}
	snprintf(e->collected_at, sizeof(e->collected_at), "%s",
	    collected_at);
	e->generation = generation;
	e->received_at = received_at;
	pthread_mutex_unlock(&st->later_lock);
	return (0);
}

int
store_get(struct store *st, const char *host, char **json,
    struct store_host_meta *meta)
{
	struct seen_later	*e;
	int			 rc;

	own_of = NULL;
	if (!st->later_on)
		return (st->ops->get(st->engine, host, json, meta));
	/* The times a heartbeat written behind will leave. */
	pthread_mutex_lock(&st->later_lock);
	rc = st->ops->get(st->engine, host, json, meta);
	if (rc == 0 && (e = later_find(st, host)) != NULL &&
	    e->generation == meta->generation &&
	    strcmp(meta->collected_at, e->collected_at) <= 0) {
		snprintf(meta->collected_at, sizeof(meta->collected_at), "%s",
		    e->collected_at);
		meta->received_at = e->received_at;
	}
	pthread_mutex_unlock(&st->later_lock);
	return (rc);
}

int
store_delete(struct store *st, const char *host)
{
	int	 rc;

	own_of = NULL;
	if (!st->later_on)
		return (st->ops->remove(st->engine, host));
	pthread_mutex_lock(&st->later_lock);
	if ((rc = st->ops->remove(st->engine, host)) != -1)
		later_drop(st, host);
	pthread_mutex_unlock(&st->later_lock);
	return (rc);
}

int
store_foreach(struct store *st,
    int (*fn)(void *, const struct store_host_meta *, const char *),
    void *arg)
{
	return (store_foreach_seq(st, fn, arg, NULL));
}

int
store_foreach_seq(struct store *st,
    int (*fn)(void *, const struct store_host_meta *, const char *),
    void *arg, int64_t *seq)
{
	own_of = NULL;
	return (st->ops->foreach(st->engine, fn, arg, seq));
}

int64_t
store_last_seq(const struct store *st)
{
	return (st->ops->last_seq(st->engine));
}

int
store_sequence(struct store *st, int64_t *seq)
{
	own_of = NULL;
	return (st->ops->sequence(st->engine, seq));
}

int
store_changes(struct store *st, int64_t since, store_change_fn fn, void *arg,
    int64_t *last)
{
	own_of = NULL;
	return (st->ops->changes(st->engine, since, fn, arg, last));
}

int
store_wait(struct store *st, int stopfd, int timeout_ms)
{
	return (st->ops->wait(st->engine, stopfd, timeout_ms));
}

/* store_foreach callback of store_copy: one host, unless dst has it. */
static int
copy_host(void *arg, const struct store_host_meta *meta, const char *json)
{
	struct copy_state	*cs = arg;
	struct store		*dst = cs->dst;
	const struct store_ops	*ops = dst->ops;
	struct store_host_meta	 have;
	struct store_txn	*txn;
	struct inventory	*inv;
	struct inv_error	 err;
	int			 rc;

	memset(&err, 0, sizeof(err));
	/* Parsed, so that a damaged row is refused rather than copied,
	 * and for the engine's replace(), which takes an inventory. */
	if ((inv = inventory_parse(json, strlen(json), NULL, &err)) == NULL) {
		snprintf(own_msg, sizeof(own_msg), "%.200s: stored document "
		    "does not parse: %.100s: %.150s", meta->host, err.field,
		    err.message);
		goto fail;
	}
	if (strcmp(inv->host, meta->host) != 0) {
		snprintf(own_msg, sizeof(own_msg), "%.200s: stored document "
		    "names host %.200s", meta->host, inv->host);
		goto fail;
	}
	/* A heartbeat taken without its document moved only the row's
	 * collected_at (store_seen()): the row's is the one to keep. */
	if (meta->collected_at[0] != '\0')
		inv_set_collected_at(inv, meta->collected_at);
	if ((txn = ops->begin(dst->engine)) == NULL)
		goto engine_fail;
	if ((rc = ops->meta(txn, meta->host, &have)) == -1) {
		ops->rollback(txn);
		goto engine_fail;
	}
	if (rc == 0) {
		ops->rollback(txn);
		cs->kept++;
		inventory_free(inv);
		return (0);
	}
	if (ops->replace(txn, inv, json, meta->digest, meta->generation,
	    meta->received_at) == -1) {
		ops->rollback(txn);
		goto engine_fail;
	}
	if (ops->commit(txn) == -1)
		goto engine_fail;
	cs->copied++;
	inventory_free(inv);
	return (0);

engine_fail:
	snprintf(own_msg, sizeof(own_msg), "%.200s: %.300s",
	    meta->host, ops->error(dst->engine));
fail:
	own_of = dst;
	cs->failed = 1;
	inventory_free(inv);
	return (1);
}

int
store_copy(struct store *dst, struct store *src, size_t *copied,
    size_t *kept)
{
	struct copy_state	cs;

	memset(&cs, 0, sizeof(cs));
	cs.dst = dst;
	own_of = NULL;
	if (store_foreach(src, copy_host, &cs) == -1) {
		snprintf(own_msg, sizeof(own_msg), "reading the source: "
		    "%.400s", store_error(src));
		own_of = dst;
		cs.failed = 1;
	}
	*copied = cs.copied;
	*kept = cs.kept;
	return (cs.failed ? -1 : 0);
}

int
store_ping(struct store *st)
{
	own_of = NULL;
	return (st->ops->ping(st->engine));
}
