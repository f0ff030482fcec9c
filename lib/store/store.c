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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "store/store.h"
#include "store/store_engine.h"
#include "util/xmalloc.h"

struct store {
	const struct store_ops	*ops;
	void			*engine;
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
	return (st);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->ops->close(st->engine);
	free(st);
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
	const struct store_ops	*ops = st->ops;
	struct store_host_meta	 meta;
	struct store_txn	*txn;
	int64_t			 gen = 0;
	bool			 same = false;
	int			 rc;

	own_of = NULL;
	if ((txn = ops->begin(st->engine)) == NULL)
		return (-1);
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
	const struct store_ops	*ops = st->ops;
	struct store_host_meta	 meta;
	struct store_txn	*txn;
	int			 rc;

	own_of = NULL;
	if ((txn = ops->begin(st->engine)) == NULL)
		return (-1);
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
	return (ops->commit(txn) == -1 ? -1 : 0);

fail:
	ops->rollback(txn);
	return (-1);
}

int
store_get(struct store *st, const char *host, char **json,
    struct store_host_meta *meta)
{
	own_of = NULL;
	return (st->ops->get(st->engine, host, json, meta));
}

int
store_delete(struct store *st, const char *host)
{
	own_of = NULL;
	return (st->ops->remove(st->engine, host));
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
