/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limits.c -- request deadlines, the body budget and a rate-limited log
 * for libmicrohttpd's messages (see limits.h).
 *
 * Every connection is on one list under one mutex. The sweeper wakes a
 * few times a second and shuts down, with shutdown(2) and never close(2),
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
	struct limits_conn	*prev, *next;
	int			 fd;
	bool			 armed;
	bool			 killed;
	int			 eofs;		/* sweeps in a row seeing EOF */
	struct timespec		 deadline;
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
static int	 ts_after(const struct timespec *, const struct timespec *);
static int	 ratelimit_allow(struct ratelimit *, unsigned long *);

static struct ratelimit	mhd_rl = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 };

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

static int
ts_after(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec > b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec));
}

/* Called with the mutex held. */
static void
arm(struct limits *l, struct limits_conn *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += l->secs;
	c->armed = true;
	c->eofs = 0;
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
	struct timespec		 now, wake;
	unsigned long		 n, gone, dropped;

	pthread_mutex_lock(&l->mtx);
	while (!l->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		n = gone = 0;
		for (c = l->conns; c != NULL; c = c->next) {
			if (!c->armed || c->killed)
				continue;
			if (!ts_after(&now, &c->deadline)) {
				if (peer_gone(c->fd))
					c->eofs++;
				else
					c->eofs = 0;
				if (c->eofs < 2)
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
			if (ratelimit_allow(&mhd_rl, &dropped))
				log_warnx("%s: closed %lu connections past the "
				    "%u s request deadline (%lu lines "
				    "suppressed)", __func__, n, l->secs,
				    dropped);
		}
		wake = now;
		wake.tv_nsec += SWEEP_MS * 1000000L;
		if (wake.tv_nsec >= 1000000000L) {
			wake.tv_sec++;
			wake.tv_nsec -= 1000000000L;
		}
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
	pthread_mutex_lock(&l->mtx);
	arm(l, c);
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
	pthread_mutex_lock(&l->mtx);
	c->armed = false;
	pthread_mutex_unlock(&l->mtx);
}

void
limits_conn_rearm(struct limits *l, struct limits_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&l->mtx);
	arm(l, c);
	pthread_mutex_unlock(&l->mtx);
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
