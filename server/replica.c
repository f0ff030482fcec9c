/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replica.c -- the follower of a shared store's change feed.
 *
 * One thread per server, its own database connection (inside the
 * store): read the feed after the last applied position, apply each
 * change through hosts_apply_change(), then wait for a NOTIFY, the
 * stop pipe, or one second, whichever comes first. The one-second poll
 * is the fallback for a notification lost with a connection. Reads that
 * fail mark the replica cut off (/readyz answers 503) and are retried
 * after a backoff of 100 ms doubling to 2 s; the position survives, so
 * the first read that succeeds catches up on everything missed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replica.h"
#include "server.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define POLL_MS		1000
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	2000

struct replica {
	struct server	*srv;
	pthread_t	 thread;
	int		 stop[2];	/* a byte written: stop */
	atomic_bool	 stopping;
	atomic_bool	 connected;
	int64_t		 seq;		/* the follower thread's only */
};

static void	*follow(void *);
static int	 apply(void *, const struct store_host_meta *, const char *);

static int
apply(void *arg, const struct store_host_meta *meta, const char *json)
{
	struct replica	*r = arg;

	return (hosts_apply_change(r->srv, meta, json));
}

static void *
follow(void *arg)
{
	struct replica	*r = arg;
	struct store	*st = r->srv->store;
	struct pollfd	 pfd = { .fd = r->stop[0], .events = POLLIN };
	int64_t		 last;
	int		 backoff = 0;

	while (!atomic_load(&r->stopping)) {
		if (store_changes(st, r->seq, apply, r, &last) == -1) {
			r->seq = last;	/* what was applied before it failed */
			if (atomic_exchange(&r->connected, false))
				log_warnx("%s: cut off from the store at "
				    "position %" PRId64 ": %s", __func__,
				    r->seq, store_error(st));
			backoff = backoff == 0 ? BACKOFF_MIN_MS :
			    backoff * 2;
			if (backoff > BACKOFF_MAX_MS)
				backoff = BACKOFF_MAX_MS;
			poll(&pfd, 1, backoff);
			continue;
		}
		r->seq = last;
		backoff = 0;
		if (!atomic_exchange(&r->connected, true))
			log_info("store: following changes from position %"
			    PRId64, r->seq);
		/* -1 (the connection went): the next read reopens it. */
		store_wait(st, r->stop[0], POLL_MS);
	}
	return (NULL);
}

struct replica *
replica_start(struct server *srv, int64_t seq)
{
	struct replica	*r = xcalloc(1, sizeof(*r));
	int		 rc;

	r->srv = srv;
	r->seq = seq;
	atomic_init(&r->stopping, false);
	/* Not connected until the first read: /readyz waits for it. */
	atomic_init(&r->connected, false);
	if (pipe2(r->stop, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", __func__);
		free(r);
		return (NULL);
	}
	if ((rc = pthread_create(&r->thread, NULL, follow, r)) != 0) {
		log_warnx("%s: pthread_create: %s", __func__, strerror(rc));
		close(r->stop[0]);
		close(r->stop[1]);
		free(r);
		return (NULL);
	}
	return (r);
}

void
replica_stop(struct replica *r)
{
	ssize_t	n;

	if (r == NULL)
		return;
	atomic_store(&r->stopping, true);
	do
		n = write(r->stop[1], "x", 1);
	while (n == -1 && errno == EINTR);
	pthread_join(r->thread, NULL);
	close(r->stop[0]);
	close(r->stop[1]);
	free(r);
}

bool
replica_connected(const struct replica *r)
{
	return (atomic_load(&r->connected));
}
