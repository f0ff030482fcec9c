/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limits.c -- request deadlines, the body budget and a rate-limited log
 * for libmicrohttpd's messages (see limits.h).
 *
 * Every connection is on one list under one mutex, taken when a
 * connection opens or closes and by the sweeper; a request arms and
 * disarms its own connection's deadline with atomic stores, so the
 * worker threads do not meet on the mutex three times per keep-alive
 * request. The sweeper wakes a few times a second and shuts down, with shutdown(2) and never close(2),
 * the sockets whose request is past its deadline: the descriptor stays
 * libmicrohttpd's, which sees end-of-file and closes it. The entry is
 * removed by the close notification, which libmicrohttpd sends before
 * it closes the descriptor, so the sweeper never touches a descriptor
 * that has been reused.
 *
 * The sweeper also shuts down a connection whose peer has gone (a
 * MSG_PEEK read sees end-of-file) while its request is still being
 * received: libmicrohttpd 0.9.75 misses that end-of-file once it has
 * read the last bytes before it, and would keep the connection until
 * the deadline. Two sweeps in a row must see it, so that a pipelined
 * request libmicrohttpd already holds has time to reach its handler.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "limits.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SWEEP_MS		200
#define LOG_BURST		5	/* lines per window */
#define LOG_WINDOW		10	/* seconds */

struct limits_conn {
	struct limits_conn	*prev, *next;	/* under the mutex */
	int			 fd;
	bool			 killed;	/* the sweeper's */
	/* Set by the connection's worker, read by the sweeper: the
	 * deadline (CLOCK_MONOTONIC, ms) is stored before armed. */
	atomic_bool		 armed;
	atomic_int		 eofs;		/* sweeps in a row seeing EOF */
	atomic_llong		 deadline;
};

struct limits {
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cv;
	pthread_t		 sweeper;
	bool			 stopping;
	struct limits_conn	*conns;
	unsigned int		 secs;
	size_t			 budget;
	atomic_size_t		 used;
};

struct ratelimit {
	pthread_mutex_t		 mtx;
	time_t			 window;
	unsigned int		 lines;
	unsigned long		 dropped;
};

static void	*sweep(void *);
static bool	 peer_gone(int);
static void	 arm(struct limits *, struct limits_conn *);
static long long now_ms(void);
static int	 ratelimit_allow(struct ratelimit *, unsigned long *);

/* Each source of lines has its own budget: a burst of libmicrohttpd's
 * closure notices must not hide the sweeper's report of a limit hit. */
static struct ratelimit	mhd_rl = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 };
static struct ratelimit	deadline_rl = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 };

struct limits *
limits_start(unsigned int deadline, size_t budget)
{
	struct limits		*l;
	pthread_condattr_t	 ca;

	l = xcalloc(1, sizeof(*l));
	l->secs = deadline;
	l->budget = budget;
	atomic_init(&l->used, 0);
	pthread_mutex_init(&l->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((errno = pthread_create(&l->sweeper, NULL, sweep, l)) != 0) {
		log_warn("%s: pthread_create", __func__);
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mtx);
		free(l);
		return (NULL);
	}
	return (l);
}

void
limits_stop(struct limits *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mtx);
	l->stopping = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mtx);
	pthread_join(l->sweeper, NULL);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mtx);
	free(l);
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* By the connection's own worker (or before it is on the list). */
static void
arm(struct limits *l, struct limits_conn *c)
{
	atomic_store_explicit(&c->deadline, now_ms() + 1000LL * l->secs,
	    memory_order_relaxed);
	atomic_store_explicit(&c->eofs, 0, memory_order_relaxed);
	atomic_store_explicit(&c->armed, true, memory_order_release);
}

/* End-of-file with nothing left to read: the peer will send no more. */
static bool
peer_gone(int fd)
{
	char	b;

	return (recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0);
}

static void *
sweep(void *arg)
{
	struct limits		*l = arg;
	struct limits_conn	*c;
	struct timespec		 wake;
	long long		 now;
	unsigned long		 n, gone, dropped;

	pthread_mutex_lock(&l->mtx);
	while (!l->stopping) {
		now = now_ms();
		n = gone = 0;
		for (c = l->conns; c != NULL; c = c->next) {
			if (c->killed || !atomic_load_explicit(&c->armed,
			    memory_order_acquire))
				continue;
			if (now <= atomic_load_explicit(&c->deadline,
			    memory_order_relaxed)) {
				if (!peer_gone(c->fd)) {
					atomic_store_explicit(&c->eofs, 0,
					    memory_order_relaxed);
					continue;
				}
				if (atomic_fetch_add_explicit(&c->eofs, 1,
				    memory_order_relaxed) + 1 < 2)
					continue;
				gone++;
			} else
				n++;
			/* Wake libmicrohttpd's reader with end-of-file. */
			shutdown(c->fd, SHUT_RDWR);
			c->killed = true;
		}
		if (gone > 0)
			log_debug("%s: closed %lu connections their peers had "
			    "left", __func__, gone);
		if (n > 0) {
			if (ratelimit_allow(&deadline_rl, &dropped))
				log_warnx("%s: closed %lu connections past the "
				    "%u s request deadline (%lu lines "
				    "suppressed)", __func__, n, l->secs,
				    dropped);
		}
		wake.tv_sec = (now + SWEEP_MS) / 1000;
		wake.tv_nsec = (now + SWEEP_MS) % 1000 * 1000000L;
		pthread_cond_timedwait(&l->cv, &l->mtx, &wake);
	}
	pthread_mutex_unlock(&l->mtx);
	return (NULL);
}

struct limits_conn *
limits_conn_open(struct limits *l, int fd)
{
	struct limits_conn	*c;

	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	arm(l, c);
	pthread_mutex_lock(&l->mtx);
	c->next = l->conns;
	if (l->conns != NULL)
		l->conns->prev = c;
	l->conns = c;
	pthread_mutex_unlock(&l->mtx);
	return (c);
}

void
limits_conn_close(struct limits *l, struct limits_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&l->mtx);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&l->mtx);
	free(c);
}

void
limits_conn_answered(struct limits *l, struct limits_conn *c)
{
	if (c == NULL)
		return;
	atomic_store_explicit(&c->armed, false, memory_order_relaxed);
}

void
limits_conn_rearm(struct limits *l, struct limits_conn *c)
{
	if (c == NULL)
		return;
	arm(l, c);
}

int
limits_body_take(struct limits *l, size_t n)
{
	size_t	cur = atomic_load(&l->used);

	do {
		if (n > l->budget - cur)
			return (-1);
	} while (!atomic_compare_exchange_weak(&l->used, &cur, cur + n));
	return (0);
}

void
limits_body_give(struct limits *l, size_t n)
{
	/* Most requests have no body: no write to the shared counter. */
	if (n > 0)
		atomic_fetch_sub(&l->used, n);
}

/* LOG_BURST lines per LOG_WINDOW seconds; *dropped is what the window
 * before suppressed, reported once with the first line of a window. */
static int
ratelimit_allow(struct ratelimit *rl, unsigned long *dropped)
{
	struct timespec	now;
	int		ok;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&rl->mtx);
	*dropped = 0;
	if (now.tv_sec - rl->window >= LOG_WINDOW) {
		rl->window = now.tv_sec;
		rl->lines = 0;
		*dropped = rl->dropped;
		rl->dropped = 0;
	}
	ok = rl->lines < LOG_BURST;
	if (ok)
		rl->lines++;
	else
		rl->dropped++;
	pthread_mutex_unlock(&rl->mtx);
	return (ok);
}

void
limits_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char		 msg[512];
	unsigned long	 dropped;
	size_t		 len;

	if (!ratelimit_allow(&mhd_rl, &dropped))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		msg[--len] = '\0';
	if (dropped > 0)
		log_warnx("libmicrohttpd: %s (%lu lines suppressed before)",
		    msg, dropped);
	else
		log_warnx("libmicrohttpd: %s", msg);
}
