/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hosts.c -- the host resources: PUT/GET/DELETE of one host's
 * inventory, the fleet listing with its filters, and readiness.
 *
 * An inventory is validated in full by the codec before anything is
 * written; then it goes to the store in one transaction and into the
 * in-memory fleet. ingest_lock keeps the two in the same order when two
 * reports for a host race, so the fleet never holds an older generation
 * than the store. Reads are served from the fleet under its read lock.
 *
 * On a shared store a replica also applies the writes of the others,
 * which its follower (replica.c) reads from the change feed, through
 * the same staging and commit as its own PUTs and DELETEs. Which feed
 * position each host's fleet entry reflects is remembered (applied,
 * under ingest_lock), own writes included, so that the follower never
 * puts back an older state: its read of the feed and a PUT on this
 * replica can race.
 *
 * A heartbeat (the host's last body again with a new collected_at, as
 * collector/watch.c sends it) is recognised by the body's fingerprint
 * (codec/fingerprint.h) before anything is parsed: only its collected_at
 * is validated, and only the times move, in the store and the fleet.
 * The body is hashed at the offset its host's last body had collected_at
 * at, so a heartbeat is not even scanned. Any other body takes the full
 * path. On a store that takes heartbeats behind (SQLite, one writer:
 * store_seen_later) the late retry is judged against the fleet, which
 * holds what this server stored, and the times reach the file within
 * STORE_SEEN_DELAY_MS.
 */
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet/fleet.h"
#include "http.h"
#include "model/inventory.h"
#include "codec/fingerprint.h"
#include "codec/inventory_json.h"
#include "metrics_fleet.h"
#include "server.h"
#include "store/store.h"
#include "util/digest.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

/* One feed position a host's fleet entry reflects (srv->applied). */
struct applied {
	char	*host;
	int64_t	 seq;
};

/* A host's new state, built outside every lock: its fleet index and
 * its part in the metrics. */
struct host_stage {
	struct fleet_prepared	*prep;
	struct metrics_host_prep *metrics;	/* NULL once committed */
};

static json_t	*host_summary(const struct server *,
		    const struct fleet_host *, int64_t);
static int	host_offers_type(const struct inventory *, const char *);
static int	host_has_vendor(const struct inventory *, const char *);
static int	check_host_param(char *, struct http_reply *);
static void	stage_host(struct server *, struct inventory *,
		    struct host_stage *);
static void	commit_host(struct server *, struct host_stage *,
		    const struct inventory *, int64_t, int64_t);
static void	forget_host(struct server *, const char *);
static int	seen_host(struct server *, const char *, int64_t,
		    const char *, int64_t);
static void	discard_stage(struct host_stage *, struct inventory *);
static int	applied_cmp(const void *, const void *);
static int64_t	applied_get(const struct server *, const char *);
static void	applied_set(struct server *, const char *, int64_t);
static void	applied_free(void *);
static const char *store_code(const struct server *);
static int	ingest_heartbeat(struct server *, const char *, int64_t,
		    const unsigned char *, const char *,
		    struct ingest_result *, struct http_reply *);
static int	known_cut(struct server *, const char *, size_t *);

int
hosts_ready(struct server *srv)
{
	return (store_ping(srv->store) == 0 ? 0 : -1);
}

static int
applied_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct applied *)a)->host,
	    ((const struct applied *)b)->host));
}

/* Under ingest_lock: the feed position host reflects, 0 if unknown. */
static int64_t
applied_get(const struct server *srv, const char *host)
{
	struct applied	 key = { .host = (char *)(uintptr_t)host };
	struct applied	*const *a;

	a = tfind(&key, &srv->applied, applied_cmp);
	return (a != NULL ? (*a)->seq : 0);
}

/* Under ingest_lock, after a store write or a feed change applied. */
static void
applied_set(struct server *srv, const char *host, int64_t seq)
{
	struct applied	 key = { .host = (char *)(uintptr_t)host };
	struct applied	**a, *n;

	if (seq <= 0)
		return;		/* no feed */
	if ((a = tfind(&key, &srv->applied, applied_cmp)) != NULL) {
		if ((*a)->seq < seq)
			(*a)->seq = seq;
		return;
	}
	n = xmalloc(sizeof(*n));
	n->host = xstrdup(host);
	n->seq = seq;
	if (tsearch(n, &srv->applied, applied_cmp) == NULL) {
		/* Out of memory, like xmalloc. */
		log_errorx("%s: out of memory", __func__);
		abort();
	}
}

static void
applied_free(void *p)
{
	struct applied	*a = p;

	free(a->host);
	free(a);
}

void
hosts_free(struct server *srv)
{
	tdestroy(srv->applied, applied_free);
	srv->applied = NULL;
}

/* Indexes and metrics of inv, built before any lock: the write lock,
 * which every check waits behind, and ingest_lock, which every write
 * waits behind, are then held for swaps only. */
static void
stage_host(struct server *srv, struct inventory *inv, struct host_stage *hs)
{
	hs->prep = fleet_prepare(srv->fleet, inv);
	hs->metrics = metrics_host_prepare(inv);
}

/*
 * A stored state into the fleet and the metrics, under ingest_lock: the
 * one path for a replica's own PUT and for a change its follower read.
 * hs->prep is left holding what it replaced; inv (staged in hs) is the
 * fleet's now, and stays while ingest_lock is held.
 */
static void
commit_host(struct server *srv, struct host_stage *hs,
    const struct inventory *inv, int64_t received_at, int64_t generation)
{
	fleet_wrlock(srv->fleet);
	hs->prep = fleet_commit(srv->fleet, hs->prep, received_at, generation);
	fleet_unlock(srv->fleet);
	metrics_host_commit(inv->host, hs->metrics, received_at);
	hs->metrics = NULL;
}

/* A host deleted from the store, out of the fleet: under ingest_lock. */
static void
forget_host(struct server *srv, const char *host)
{
	fleet_wrlock(srv->fleet);
	fleet_delete(srv->fleet, host);
	fleet_unlock(srv->fleet);
	metrics_host_removed(host);
}

/* After the locks: what a commit replaced (inv NULL: it went into the
 * fleet), or the unused stage (inv with it; inv alone when nothing was
 * staged). */
static void
discard_stage(struct host_stage *hs, struct inventory *inv)
{
	metrics_host_discard(hs->metrics);
	hs->metrics = NULL;
	if (hs->prep != NULL)
		fleet_discard(hs->prep);
	else
		inventory_free(inv);
}

/*
 * A host's new report times over the document the fleet holds, of
 * generation gen: -1 when the fleet holds another (or none, or a demo
 * host's). Under ingest_lock.
 */
static int
seen_host(struct server *srv, const char *host, int64_t gen,
    const char *collected_at, int64_t received_at)
{
	const struct fleet_host	*fh;
	int			 rc = -1;

	fleet_wrlock(srv->fleet);
	fh = fleet_get(srv->fleet, host);
	if (fh != NULL && !fh->pinned && fh->generation == gen)
		rc = fleet_seen(srv->fleet, host, collected_at, received_at);
	fleet_unlock(srv->fleet);
	if (rc == 0)
		metrics_host_changed(host, NULL, received_at);
	return (rc);
}

/* 503's code: the database cut off, or a write it refused. */
static const char *
store_code(const struct server *srv)
{
	return (store_unavailable(srv->store) ? "STORE_UNAVAILABLE" :
	    "STORE_FAILED");
}

int
hosts_apply_change(struct server *srv, const struct store_host_meta *meta,
    const char *json)
{
	struct host_stage	 hs = { NULL };
	struct store_host_meta	 stored;
	struct inventory	*inv;
	struct inv_error	 err;
	char			*doc = NULL;
	int64_t			 known;

	pthread_mutex_lock(&srv->ingest_lock);
	known = applied_get(srv, meta->host);
	/* This replica's own write, or one it has seen a newer state of. */
	if (known >= meta->seq) {
		pthread_mutex_unlock(&srv->ingest_lock);
		return (0);
	}
	if (meta->deleted) {
		forget_host(srv, meta->host);
		applied_set(srv, meta->host, meta->seq);
		metrics_replica_change("delete");
		pthread_mutex_unlock(&srv->ingest_lock);
		return (0);
	}
	/* A heartbeat elsewhere: the document held here, new times. */
	if (json == NULL && seen_host(srv, meta->host, meta->generation,
	    meta->collected_at, meta->received_at) == 0) {
		applied_set(srv, meta->host, meta->seq);
		metrics_replica_change("report_time");
		pthread_mutex_unlock(&srv->ingest_lock);
		return (0);
	}
	pthread_mutex_unlock(&srv->ingest_lock);
	if (json == NULL) {
		/* Not held after all (it failed to apply, or a writer of
		 * an older schema changed it without saying): read it. */
		switch (store_get(srv->store, meta->host, &doc, &stored)) {
		case 0:
			break;
		case 1:		/* gone since: its tombstone follows */
			return (0);
		default:
			log_warnx("%s: %s: %s", __func__, meta->host,
			    store_error(srv->store));
			return (-1);	/* read again from this change */
		}
		meta = &stored;
		json = doc;
	}
	memset(&err, 0, sizeof(err));
	if ((inv = inventory_parse(json, strlen(json), fleet_pool(srv->fleet),
	    &err)) == NULL) {
		log_warnx("%s: %s: stored inventory skipped: %s: %s", __func__,
		    meta->host, err.field, err.message);
		free(doc);
		return (0);
	}
	free(doc);
	inventory_sort(inv);
	stage_host(srv, inv, &hs);
	pthread_mutex_lock(&srv->ingest_lock);
	/* A PUT here may have stored a newer state while we parsed. */
	if (applied_get(srv, meta->host) < meta->seq) {
		/* Counted before it shows, for whoever reads both. */
		metrics_replica_change("document");
		commit_host(srv, &hs, inv, meta->received_at, meta->generation);
		applied_set(srv, meta->host, meta->seq);
		inv = NULL;	/* the fleet's now */
	}
	pthread_mutex_unlock(&srv->ingest_lock);
	discard_stage(&hs, inv);
	return (0);
}

/* Validate a path's host name and fold it to lower case in place. */
static int
check_host_param(char *host, struct http_reply *rep)
{
	if (str_host_fold(host, host, HTTP_MAX_PARAM) == -1) {
		http_reply_error(rep, 400, "INVALID_HOST", "host",
		    "not a valid host name");
		return (-1);
	}
	return (0);
}

/* Where host's last body had its collected_at value, so that a
 * heartbeat is hashed there without a scan (inv_fingerprint_at()): 0,
 * or -1 when the fleet keeps no fingerprint for host. The offset may be
 * stale by the time the hash is compared; the hash covers it, so a
 * stale one only fails to match. */
static int
known_cut(struct server *srv, const char *host, size_t *cut)
{
	const struct fleet_host	*fh;
	int			 rc = -1;

	fleet_rdlock(srv->fleet);
	if ((fh = fleet_get(srv->fleet, host)) != NULL &&
	    fh->inv->has_fingerprint) {
		*cut = fh->inv->fingerprint_cut;
		rc = 0;
	}
	fleet_unlock(srv->fleet);
	return (rc);
}

/*
 * The fast path of hosts_ingest(): 0 when the body was host's last
 * document with a new collected_at at, stored as a heartbeat; -1 with
 * the reply set when that heartbeat is refused; 1 when the body is
 * anything else and must be parsed.
 */
static int
ingest_heartbeat(struct server *srv, const char *host, int64_t received_at,
    const unsigned char *fp, const char *at, struct ingest_result *res,
    struct http_reply *rep)
{
	const struct fleet_host	*fh;
	int64_t			 gen = 0;
	char			 stored[INV_FP_TIME_MAX] = "";
	bool			 match;
	int			 rc;

	/* A bad collected_at gets the full path's error. */
	if (!str_is_timestamp(at))
		return (1);
	pthread_mutex_lock(&srv->ingest_lock);
	fleet_rdlock(srv->fleet);
	fh = fleet_get(srv->fleet, host);
	match = fh != NULL && !fh->pinned && fh->inv->has_fingerprint &&
	    memcmp(fh->inv->fingerprint, fp, SHA256_LEN) == 0;
	if (match) {
		gen = fh->generation;
		if (fh->inv->collected_at != NULL)
			snprintf(stored, sizeof(stored), "%s",
			    fh->inv->collected_at);
	}
	fleet_unlock(srv->fleet);
	if (!match) {
		pthread_mutex_unlock(&srv->ingest_lock);
		return (1);
	}
	if (received_at == 0)
		received_at = server_now();
	/*
	 * A store written behind has one writer, this server, whose fleet
	 * holds what it stored (under ingest_lock): the late retry is
	 * refused here, as store_seen() would, against the fleet.
	 */
	rc = -1;
	if (store_seen_behind(srv->store)) {
		if (strcmp(stored, at) > 0) {
			http_reply_error(rep, 409, "OUT_OF_ORDER",
			    "collected_at", "collected at %s, before the "
			    "stored report (%s)", at, stored);
			goto fail;
		}
		rc = store_seen_later(srv->store, host, at, gen, received_at);
	}
	if (rc == -1)
		rc = store_seen(srv->store, host, at, gen, received_at);
	switch (rc) {
	case 0:
		break;
	case 2:		/* the store moved on: parse it */
		pthread_mutex_unlock(&srv->ingest_lock);
		return (1);
	case 1:
		http_reply_error(rep, 409, "OUT_OF_ORDER", "collected_at",
		    "collected at %s, before the stored report (%s)", at,
		    store_error(srv->store));
		goto fail;
	default:
		log_warnx("%s: %s: %s", __func__, host,
		    store_error(srv->store));
		http_reply_error(rep, 503, store_code(srv), NULL,
		    "the inventory could not be stored");
		goto fail;
	}
	/* gen is the fleet's: ingest_lock is held since it was read. */
	seen_host(srv, host, gen, at, received_at);
	applied_set(srv, host, store_last_seq(srv->store));
	pthread_mutex_unlock(&srv->ingest_lock);
	res->generation = gen;
	res->changed = false;
	metrics_update("unchanged");
	return (0);

fail:
	pthread_mutex_unlock(&srv->ingest_lock);
	metrics_update("rejected");
	return (-1);
}

int
hosts_ingest(struct server *srv, const char *buf, size_t len,
    const char *expect_host, int64_t received_at, struct ingest_result *res,
    struct http_reply *rep)
{
	struct inventory	*inv = NULL;
	struct inv_error	 err;
	char			*doc = NULL;
	char			 digest[SHA256_HEX_LEN + 1];
	struct host_stage	 hs = { NULL };
	unsigned char		 fp[SHA256_LEN];
	char			 at[INV_FP_TIME_MAX];
	size_t			 cut, hashed = SIZE_MAX;
	bool			 has_fp = false, not_json;
	int			 locked = 0;

	memset(&err, 0, sizeof(err));
	if (len == 0) {
		http_reply_error(rep, 400, "INVALID_JSON", "(document)",
		    "the request body is empty");
		goto fail;
	}
	/* A heartbeat matches only at its host's last offset: the
	 * fingerprint covers it. */
	if (expect_host != NULL && known_cut(srv, expect_host, &cut) == 0 &&
	    inv_fingerprint_at(buf, len, cut, fp, at) == 0) {
		hashed = cut;
		switch (ingest_heartbeat(srv, expect_host, received_at, fp,
		    at, res, rep)) {
		case 0:
			return (0);
		case -1:
			return (-1);
		}
	}
	/* The body's own fingerprint, for the next heartbeat: the hash
	 * above when the scan puts collected_at where it was taken. */
	if (expect_host != NULL && inv_fingerprint_cut(buf, len, &cut) == 0 &&
	    (cut == hashed || inv_fingerprint_at(buf, len, cut, fp, at) == 0))
		has_fp = true;
	/* One scan of the text into the model: no tree in between. */
	if ((inv = inventory_read(buf, len, fleet_pool(srv->fleet), &not_json,
	    &err)) == NULL) {
		if (not_json)
			http_reply_error(rep, 400, "INVALID_JSON", "(document)",
			    "%s", err.message);
		else
			http_reply_error(rep, 400, "VALIDATION_FAILED",
			    err.field, "%s: %s", err.field, err.message);
		goto fail;
	}
	if (expect_host != NULL && strcmp(inv->host, expect_host) != 0) {
		http_reply_error(rep, 400, "HOST_MISMATCH", "host",
		    "the document is for %s, the path names %s", inv->host,
		    expect_host);
		goto fail;
	}
	if (has_fp) {
		memcpy(inv->fingerprint, fp, SHA256_LEN);
		inv->has_fingerprint = true;
		inv->fingerprint_cut = cut;
	}
	inventory_sort(inv);
	if (inventory_encode(inv, &doc, NULL, digest) == -1) {
		http_reply_error(rep, 500, "INTERNAL", NULL,
		    "cannot encode the inventory");
		goto fail;
	}
	stage_host(srv, inv, &hs);
	pthread_mutex_lock(&srv->ingest_lock);
	locked = 1;
	/* 0: now, taken under the lock, so that received_at follows the
	 * order in which reports are stored. */
	if (received_at == 0)
		received_at = server_now();
	switch (store_put(srv->store, inv, doc, digest, received_at,
	    &res->generation, &res->changed)) {
	case 0:
		break;
	case 1:
		http_reply_error(rep, 409, "OUT_OF_ORDER", "collected_at",
		    "collected at %s, before the stored report (%s)",
		    inv->collected_at, store_error(srv->store));
		goto fail;
	default:
		log_warnx("%s: %s: %s", __func__, inv->host,
		    store_error(srv->store));
		http_reply_error(rep, 503, store_code(srv), NULL,
		    "the inventory could not be stored");
		goto fail;
	}
	commit_host(srv, &hs, inv, received_at, res->generation);
	applied_set(srv, inv->host, store_last_seq(srv->store));
	pthread_mutex_unlock(&srv->ingest_lock);
	discard_stage(&hs, NULL);	/* what it replaced */
	free(doc);
	metrics_update(res->changed ? "changed" : "unchanged");
	return (0);

fail:
	if (locked)
		pthread_mutex_unlock(&srv->ingest_lock);
	metrics_update("rejected");
	free(doc);
	discard_stage(&hs, inv);
	return (-1);
}

int
hosts_put(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	struct ingest_result	 res;
	char			*host = req->param[0];

	if (check_host_param(host, rep) == -1) {
		metrics_update("rejected");
		return (0);
	}
	if (hosts_ingest(srv, req->body, req->bodylen, host, 0,
	    &res, rep) == -1)
		return (0);
	return (http_reply_json(rep, 200, json_pack("{s:s,s:I,s:b}",
	    "host", host, "generation", (json_int_t)res.generation,
	    "changed", res.changed)));
}

int
hosts_get(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	const struct fleet_host	*fh;
	char			*host = req->param[0];
	json_t			*doc = NULL;
	char			 ts[32];
	int64_t			 now = server_now();

	if (check_host_param(host, rep) == -1)
		return (0);
	fleet_rdlock(srv->fleet);
	if ((fh = fleet_get(srv->fleet, host)) != NULL) {
		doc = inventory_to_json(fh->inv);
		if (doc != NULL) {
			server_fmt_time(fh->received_at, ts, sizeof(ts));
			json_object_set_new(doc, "received_at",
			    json_string(ts));
			json_object_set_new(doc, "stale", json_boolean(
			    server_is_stale(srv, fh, now)));
			json_object_set_new(doc, "generation",
			    json_integer(fh->generation));
		}
	}
	fleet_unlock(srv->fleet);
	if (fh == NULL)
		return (http_reply_error(rep, 404, "HOST_NOT_FOUND", "host",
		    "no inventory for %s", host));
	if (doc == NULL)
		return (-1);
	return (http_reply_json(rep, 200, doc));
}

int
hosts_delete(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	char		*host = req->param[0];
	int		 rv;

	if (check_host_param(host, rep) == -1)
		return (0);
	pthread_mutex_lock(&srv->ingest_lock);
	rv = store_delete(srv->store, host);
	if (rv == 0) {
		forget_host(srv, host);
		applied_set(srv, host, store_last_seq(srv->store));
	}
	pthread_mutex_unlock(&srv->ingest_lock);
	if (rv == -1) {
		log_warnx("%s: %s: %s", __func__, host,
		    store_error(srv->store));
		return (http_reply_error(rep, 503, store_code(srv), NULL,
		    "the host could not be deleted"));
	}
	if (rv == 1)
		return (http_reply_error(rep, 404, "HOST_NOT_FOUND", "host",
		    "no inventory for %s", host));
	free(rep->body);
	rep->status = 204;
	rep->body = xstrdup("");
	rep->len = 0;
	return (0);
}

static int
host_offers_type(const struct inventory *inv, const char *type)
{
	size_t	 d, t;

	for (d = 0; d < inv->ndevices; d++)
		for (t = 0; t < inv->devices[d].p->ntypes; t++)
			if (strcmp(inv->devices[d].p->types[t].id, type) == 0)
				return (1);
	return (0);
}

static int
host_has_vendor(const struct inventory *inv, const char *vendor)
{
	size_t	 d;

	for (d = 0; d < inv->ndevices; d++)
		if (inv->devices[d].p->vendor_id != NULL &&
		    strcmp(inv->devices[d].p->vendor_id, vendor) == 0)
			return (1);
	return (0);
}

static json_t *
host_summary(const struct server *srv, const struct fleet_host *fh,
    int64_t now)
{
	const struct inventory	*inv = fh->inv;
	char			 ts[32];

	server_fmt_time(fh->received_at, ts, sizeof(ts));
	return (json_pack("{s:s,s:s?,s:s,s:b,s:I,s:I,s:I,s:I}",
	    "host", inv->host,
	    "collected_at", inv->collected_at,
	    "received_at", ts,
	    "stale", server_is_stale(srv, fh, now),
	    "generation", (json_int_t)fh->generation,
	    "devices", (json_int_t)inv->ndevices,
	    "instances", (json_int_t)inv->ninstances,
	    "vms", (json_int_t)inv->nvms));
}

int
hosts_list(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	static const char *const keys[] = { "type", "vendor_id", "stale" };
	const char		*v[3];
	const struct fleet_host	*fh;
	json_t			*list, *item;
	size_t			 i, n;
	int64_t			 now = server_now();
	int			 want_stale = -1, stale;

	if (http_query(req, keys, v, 3, rep) == -1)
		return (0);
	if (v[0] != NULL && !str_is_device_id(v[0]))
		return (http_reply_error(rep, 400, "INVALID_PARAMETER", "type",
		    "not a valid type id"));
	if (v[1] != NULL && !str_is_lhex(v[1], 4))
		return (http_reply_error(rep, 400, "INVALID_PARAMETER",
		    "vendor_id", "must be 4 lower-case hex digits"));
	if (v[2] != NULL) {
		if (strcmp(v[2], "true") == 0)
			want_stale = 1;
		else if (strcmp(v[2], "false") == 0)
			want_stale = 0;
		else
			return (http_reply_error(rep, 400, "INVALID_PARAMETER",
			    "stale", "must be true or false"));
	}
	list = json_array();
	fleet_rdlock(srv->fleet);
	n = fleet_count(srv->fleet);
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		stale = server_is_stale(srv, fh, now);
		if (want_stale != -1 && stale != want_stale)
			continue;
		if (v[0] != NULL && !host_offers_type(fh->inv, v[0]))
			continue;
		if (v[1] != NULL && !host_has_vendor(fh->inv, v[1]))
			continue;
		if ((item = host_summary(srv, fh, now)) != NULL)
			json_array_append_new(list, item);
	}
	fleet_unlock(srv->fleet);
	return (http_reply_json(rep, 200, json_pack("{s:o}", "hosts", list)));
}
