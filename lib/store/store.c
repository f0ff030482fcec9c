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
 * both take the same generation.
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
	char			 error[512];	/* ours, when set */
	bool			 own_error;
};

static const struct store_ops	*engine_for(const char *, char **);
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
	snprintf(st->error, sizeof(st->error), "%s", meta->collected_at);
	st->own_error = true;
	return (1);
}

/* The engine a --db value names: a libpq URI or else a file path. */
static const struct store_ops *
engine_for(const char *target, char **errp)
{
	if (strncmp(target, "postgresql://", 13) == 0 ||
	    strncmp(target, "postgres://", 11) == 0) {
		xasprintf(errp, "%s: PostgreSQL stores are not available in "
		    "this build", "--db");
		return (NULL);
	}
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
	return (st->own_error ? st->error : st->ops->error(st->engine));
}

const char *
store_engine_name(const struct store *st)
{
	return (st->ops->name);
}

int
store_schema_version(struct store *st)
{
	st->own_error = false;
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

	st->own_error = false;
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

	st->own_error = false;
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
	st->own_error = false;
	return (st->ops->get(st->engine, host, json, meta));
}

int
store_delete(struct store *st, const char *host)
{
	st->own_error = false;
	return (st->ops->remove(st->engine, host));
}

int
store_foreach(struct store *st,
    int (*fn)(void *, const struct store_host_meta *, const char *),
    void *arg)
{
	st->own_error = false;
	return (st->ops->foreach(st->engine, fn, arg));
}

int
store_ping(struct store *st)
{
	st->own_error = false;
	return (st->ops->ping(st->engine));
}
