/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load.c -- the start-up load of the fleet, behind an open port.
 *
 * One loader thread opens the store and reads it in host order; each
 * document is copied into a bounded queue (the engine's row memory is
 * only valid during its callback, and a bound keeps a 10,000-host
 * store from being copied whole into memory first) and parsed by one of
 * the worker threads, which puts the host into the fleet the way a PUT
 * does (index built outside the lock, the write lock held for a swap).
 * The fleet is sorted by name whatever order the workers finish in, so
 * the result is the one a single thread would build. On a shared store
 * (PostgreSQL) the snapshot's feed position is where the replica's
 * follower starts, once the fleet holds that snapshot: changes the
 * others make meanwhile are in the feed after it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec/inventory_json.h"
#include "fleet/fleet.h"
#include "http.h"
#include "load.h"
#include "metrics_fleet.h"
#include "model/inventory.h"
#include "replica.h"
#include "server.h"
#include "store/store.h"
#include "util/strpool.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define LOAD_MAX_WORKERS	64
#define LOAD_QUEUE_PER_WORKER	8

/* One stored host on its way to a worker. */
struct job {
	struct job		*next;
	struct store_host_meta	 meta;
	size_t			 len;
	char			 json[];
};

struct loader {
	struct server		*srv;
	const char		*db;
	const char		*demo_dir;
	const char		*banner;
	unsigned int		 nworkers;
	pthread_t		 thread;
	pthread_t		 workers[LOAD_MAX_WORKERS];
	pthread_mutex_t		 lock;
	pthread_cond_t		 nonempty, nonfull;
	struct job		*head, *tail;
	size_t			 queued, qmax;
	bool			 eof;
	atomic_bool		 stop;
	atomic_size_t		 loaded, skipped;
	int64_t			 seq;		/* the snapshot's feed position */
	const char		*shown;		/* the store, as logged */
	int			 rv;
};

static void	*load_main(void *);
static void	*worker(void *);
static int	 enqueue(void *, const struct store_host_meta *,
		    const char *);
static void	 load_one(struct loader *, struct job *);
static int	 read_store(struct loader *);
static double	 now_mono(void);

static double
now_mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

struct loader *
load_start(struct server *srv, const struct load_config *cfg)
{
	struct loader	*ld = xcalloc(1, sizeof(*ld));
	long		 ncpu;

	ld->srv = srv;
	ld->db = cfg->db;
	ld->demo_dir = cfg->demo_dir;
	ld->banner = cfg->banner != NULL ? cfg->banner : "ready";
	ld->nworkers = cfg->workers;
	if (ld->nworkers == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		ld->nworkers = ncpu > 0 ? (unsigned int)ncpu : 1;
	}
	if (ld->nworkers > LOAD_MAX_WORKERS)
		ld->nworkers = LOAD_MAX_WORKERS;
	ld->qmax = ld->nworkers * LOAD_QUEUE_PER_WORKER;
	pthread_mutex_init(&ld->lock, NULL);
	pthread_cond_init(&ld->nonempty, NULL);
	pthread_cond_init(&ld->nonfull, NULL);
	atomic_init(&ld->stop, false);
	atomic_init(&ld->loaded, 0);
	atomic_init(&ld->skipped, 0);
	atomic_store(&srv->loading, true);
	if (pthread_create(&ld->thread, NULL, load_main, ld) != 0) {
		log_warnx("%s: cannot start the loader thread", __func__);
		pthread_cond_destroy(&ld->nonfull);
		pthread_cond_destroy(&ld->nonempty);
		pthread_mutex_destroy(&ld->lock);
		free(ld);
		return (NULL);
	}
	return (ld);
}

int
load_finish(struct loader *ld)
{
	int	 rv;

	if (ld == NULL)
		return (0);
	atomic_store(&ld->stop, true);
	pthread_mutex_lock(&ld->lock);
	pthread_cond_broadcast(&ld->nonfull);
	pthread_cond_broadcast(&ld->nonempty);
	pthread_mutex_unlock(&ld->lock);
	pthread_join(ld->thread, NULL);
	rv = ld->rv;
	pthread_cond_destroy(&ld->nonfull);
	pthread_cond_destroy(&ld->nonempty);
	pthread_mutex_destroy(&ld->lock);
	free(ld);
	return (rv);
}

int
load_gate(struct server *srv, struct http_reply *rep)
{
	if (!atomic_load(&srv->loading))
		return (0);
	http_reply_error(rep, 503, "LOADING", NULL, "the server is loading "
	    "its fleet from the store; retry in a few seconds");
	return (-1);
}

bool
load_done(const struct server *srv)
{
	return (!atomic_load(&srv->loading));
}

/* The loader thread: store, workers, demo fleet, then ready. */
static void *
load_main(void *arg)
{
	struct loader	*ld = arg;
	struct server	*srv = ld->srv;
	char		*err = NULL;
	double		 t0 = now_mono();
	size_t		 nstrings, strbytes;

	ld->rv = -1;
	if ((srv->store = store_open_opts(ld->db, STORE_EXCLUSIVE |
	    STORE_VERIFY | STORE_SEEN_LATER, &err)) == NULL) {
		log_errorx("cannot open the database: %s", err);
		free(err);
		goto fail;
	}
	/* A URI may hold a password: only a file's name is logged. */
	ld->shown = store_shared(srv->store) ? store_engine_name(srv->store) :
	    ld->db;
	if (read_store(ld) == -1)
		goto fail;
	if (atomic_load(&ld->stop)) {
		ld->rv = 0;	/* shutdown asked for: not a failure */
		return (NULL);
	}
	if (ld->demo_dir != NULL && demo_load(srv, ld->demo_dir) == -1)
		goto fail;
	if (store_shared(srv->store) &&
	    (srv->replica = replica_start(srv, ld->seq)) == NULL) {
		log_errorx("cannot follow the store's changes");
		goto fail;
	}
	strpool_stats(fleet_pool(srv->fleet), &nstrings, &strbytes);
	log_info("%s, store %s (%s, schema version %d): %zu hosts loaded in "
	    "%.2f s by %u threads, %zu distinct strings in %zu KiB, %zu "
	    "device profiles%s",
	    ld->banner, ld->shown, store_engine_name(srv->store),
	    store_schema_version(srv->store), atomic_load(&ld->loaded),
	    now_mono() - t0, ld->nworkers, nstrings, strbytes / 1024,
	    fleet_profiles(srv->fleet),
	    atomic_load(&ld->skipped) > 0 ? ", some skipped (see above)" : "");
	ld->rv = 0;
	atomic_store(&srv->loading, false);
	return (NULL);

fail:
	/* main() waits in sigwait(): this is how it learns to stop. */
	if (!atomic_load(&ld->stop))
		kill(getpid(), SIGTERM);
	return (NULL);
}

/* Every stored host through the workers; -1 (logged) on a read error. */
static int
read_store(struct loader *ld)
{
	struct job	*j;
	unsigned int	 i, started;
	int		 rv;

	for (started = 0; started < ld->nworkers; started++)
		if (pthread_create(&ld->workers[started], NULL, worker,
		    ld) != 0)
			break;
	if (started == 0) {
		log_errorx("cannot start a thread to load the fleet");
		return (-1);
	}
	rv = store_foreach_seq(ld->srv->store, enqueue, ld, &ld->seq);
	pthread_mutex_lock(&ld->lock);
	ld->eof = true;
	pthread_cond_broadcast(&ld->nonempty);
	pthread_mutex_unlock(&ld->lock);
	for (i = 0; i < started; i++)
		pthread_join(ld->workers[i], NULL);
	/* Left by workers that saw stop: nobody parses them now. */
	while ((j = ld->head) != NULL) {
		ld->head = j->next;
		free(j);
	}
	if (rv == -1) {
		log_errorx("cannot read the database: %s: %s", ld->shown,
		    store_error(ld->srv->store));
		return (-1);
	}
	return (0);
}

/* store_foreach callback: copy the row for a worker, waiting for room. */
static int
enqueue(void *arg, const struct store_host_meta *meta, const char *json)
{
	struct loader	*ld = arg;
	struct job	*j;
	size_t		 len = strlen(json);

	j = xmalloc(sizeof(*j) + len + 1);
	j->next = NULL;
	j->meta = *meta;
	j->len = len;
	memcpy(j->json, json, len + 1);
	pthread_mutex_lock(&ld->lock);
	while (ld->queued >= ld->qmax && !atomic_load(&ld->stop))
		pthread_cond_wait(&ld->nonfull, &ld->lock);
	if (atomic_load(&ld->stop)) {
		pthread_mutex_unlock(&ld->lock);
		free(j);
		return (1);
	}
	if (ld->tail != NULL)
		ld->tail->next = j;
	else
		ld->head = j;
	ld->tail = j;
	ld->queued++;
	pthread_cond_signal(&ld->nonempty);
	pthread_mutex_unlock(&ld->lock);
	return (0);
}

static void *
worker(void *arg)
{
	struct loader	*ld = arg;
	struct job	*j;

	for (;;) {
		pthread_mutex_lock(&ld->lock);
		while (ld->head == NULL && !ld->eof &&
		    !atomic_load(&ld->stop))
			pthread_cond_wait(&ld->nonempty, &ld->lock);
		if ((j = ld->head) == NULL || atomic_load(&ld->stop)) {
			pthread_mutex_unlock(&ld->lock);
			return (NULL);
		}
		if ((ld->head = j->next) == NULL)
			ld->tail = NULL;
		ld->queued--;
		pthread_cond_signal(&ld->nonfull);
		pthread_mutex_unlock(&ld->lock);
		load_one(ld, j);
		free(j);
	}
}

/* One stored document into the fleet, as hosts_ingest() puts a PUT. */
static void
load_one(struct loader *ld, struct job *j)
{
	struct server		*srv = ld->srv;
	struct inventory	*inv;
	struct inv_error	 err;
	struct fleet_prepared	*prep;

	memset(&err, 0, sizeof(err));
	/* The job's copy of the row is this thread's: read in place. */
	inv = inventory_read_inplace(j->json, j->len, fleet_pool(srv->fleet),
	    NULL, &err);
	if (inv == NULL) {
		log_warnx("%s: %s: stored inventory skipped: %s: %s", __func__,
		    j->meta.host, err.field, err.message);
		atomic_fetch_add(&ld->skipped, 1);
		return;
	}
	/* A heartbeat taken without its document moved only the row's
	 * collected_at (store_seen()). */
	if (j->meta.collected_at[0] != '\0')
		inv_set_collected_at(inv, j->meta.collected_at);
	inventory_sort(inv);
	/* Before the commit: inv is still only this thread's. */
	metrics_host_changed(inv->host, inv, j->meta.received_at);
	prep = fleet_prepare(srv->fleet, inv);
	fleet_wrlock(srv->fleet);
	prep = fleet_commit(srv->fleet, prep, j->meta.received_at,
	    j->meta.generation);
	fleet_unlock(srv->fleet);
	fleet_discard(prep);
	atomic_fetch_add(&ld->loaded, 1);
}
