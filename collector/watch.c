/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch.c -- --watch: keep the inventory current wherever it goes.
 *
 * One loop, one thread. A udev monitor (the "udev" group, after udevd
 * has processed each event) wakes it for pci, mdev, mdev_bus and vfio
 * devices; a burst of uevents (creating an mdev makes several) is
 * debounced: the rescan runs after WATCH_QUIET_MS without another event,
 * or WATCH_BURST_MS after the first one, whichever comes first. A full
 * rescan also runs every interval whatever happened, since not every
 * change is announced (available_instances of the other types, a driver
 * reload udev was not running for).
 *
 * Every scan rewrites --textfile; --output and --db are written when the
 * inventory's digest (which leaves out collected_at) differs from the
 * last one written. A push is due when the digest differs from the last
 * one the server accepted, and at every interval rescan (the heartbeat
 * that keeps the server's received_at fresh). A push is one attempt with
 * its own timeout; after a failure the loop keeps scanning and handling
 * uevents and tries again after a capped, jittered exponential backoff,
 * always with the newest document, so when the server comes back the
 * last state reaches it and nothing older can overtake it.
 *
 * SIGTERM and SIGINT end the loop at its next turn, so a push under way
 * is finished (within its timeout) and the exit status is 0. The signal
 * handler writes to a pipe the loop polls, so no wakeup is lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include "collector.h"

#define WATCH_QUIET_MS		200
#define WATCH_BURST_MS		1000
#define WATCH_MAX_EVENTS	1024	/* read per wakeup */
#define WATCH_BACKOFF_MAX_MS	30000
#define WATCH_PUSH_TIMEOUT	10L	/* seconds, one attempt */
#define WATCH_RCVBUF		(4 * 1024 * 1024)

static const char *const watch_subsystems[] = {
	"pci", "mdev", "mdev_bus", "vfio", "vfio-dev"
};

struct watch {
	const struct collect_options	*o;
	const char			*host;
	struct udev			*udev;
	struct udev_monitor		*mon;
	int				 monfd;
	char				 written[65];	/* --output, --db */
	char				 pushed[65];	/* accepted */
	char				 current[65];
	char				*json;		/* newest, compact */
	char				 json_digest[65];
	struct inventory		*inv;		/* newest */
	struct textfile_stats		 stats;
	int				 push_due;
	int				 failures;	/* in a row */
	long long			 retry_at;	/* ms, 0: now */
	long long			 tick_at;	/* next full rescan */
	long long			 first_event;	/* 0: no burst */
	long long			 last_event;
};

static int			 sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t	 sig_quit;

static void	 on_signal(int);
static int	 setup_signals(void);
static long long now_ms(void);
static double	 wall_seconds(void);
static void	 monitor_open(struct watch *);
static int	 monitor_drain(struct watch *, short);
static void	 scan(struct watch *, int);
static void	 try_push(struct watch *);
static void	 write_textfile(struct watch *);
static int	 poll_timeout(const struct watch *, long long);

static void
on_signal(int sig)
{
	int	 saved = errno;
	char	 c = (char)sig;

	sig_quit = 1;
	if (sig_pipe[1] != -1 && write(sig_pipe[1], &c, 1) == -1)
		sig_quit = 1;	/* full pipe: a wakeup is already queued */
	errno = saved;
}

static int
setup_signals(void)
{
	struct sigaction	 sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("%s: pipe2", __func__);
		return (-1);
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1) {
		log_warn("%s: sigaction", __func__);
		return (-1);
	}
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		log_warn("%s: sigaction", __func__);
		return (-1);
	}
	return (0);
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static double
wall_seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Without a monitor (no netlink in a container, say) the interval
 * rescans still run; the loop only loses its quick reaction. */
static void
monitor_open(struct watch *w)
{
	size_t	 i;

	w->monfd = -1;
	if ((w->udev = udev_new()) == NULL) {
		log_warnx("%s: udev_new failed; rescanning every %llds only",
		    __func__, w->o->interval);
		return;
	}
	if ((w->mon = udev_monitor_new_from_netlink(w->udev, "udev")) ==
	    NULL) {
		log_warnx("%s: no udev monitor; rescanning every %llds only",
		    __func__, w->o->interval);
		return;
	}
	for (i = 0; i < sizeof(watch_subsystems) / sizeof(*watch_subsystems);
	    i++) {
		if (udev_monitor_filter_add_match_subsystem_devtype(w->mon,
		    watch_subsystems[i], NULL) < 0)
			log_warnx("%s: cannot filter on %s", __func__,
			    watch_subsystems[i]);
	}
	/* Best effort: a bigger buffer survives a burst during a push. */
	(void)udev_monitor_set_receive_buffer_size(w->mon, WATCH_RCVBUF);
	if (udev_monitor_enable_receiving(w->mon) < 0 ||
	    (w->monfd = udev_monitor_get_fd(w->mon)) < 0) {
		log_warnx("%s: cannot receive uevents; rescanning every "
		    "%llds only", __func__, w->o->interval);
		udev_monitor_unref(w->mon);
		w->mon = NULL;
		w->monfd = -1;
	}
}

/* Read what is queued (at most WATCH_MAX_EVENTS); 1 if any passed the
 * filters, or if some were lost (the socket's buffer overflowed). */
static int
monitor_drain(struct watch *w, short revents)
{
	struct udev_device	*dev;
	const char		*action, *subsystem, *devpath;
	int			 n = 0;

	while (n < WATCH_MAX_EVENTS &&
	    (dev = udev_monitor_receive_device(w->mon)) != NULL) {
		action = udev_device_get_action(dev);
		subsystem = udev_device_get_subsystem(dev);
		devpath = udev_device_get_devpath(dev);
		log_debug("uevent %s %s %s", action != NULL ? action : "?",
		    subsystem != NULL ? subsystem : "?",
		    devpath != NULL ? devpath : "?");
		udev_device_unref(dev);
		n++;
	}
	if (n == 0 && (revents & POLLERR)) {
		log_warnx("%s: uevents lost, rescanning", __func__);
		return (1);
	}
	if (revents & (POLLNVAL | POLLHUP)) {
		log_warnx("%s: udev monitor closed; rescanning every %llds "
		    "only", __func__, w->o->interval);
		udev_monitor_unref(w->mon);
		w->mon = NULL;
		w->monfd = -1;
	}
	return (n > 0);
}

/* Scan, write what changed, decide whether a push is due. */
static void
scan(struct watch *w, int heartbeat)
{
	const struct collect_options	*o = w->o;
	struct collect_options		 po;
	struct inventory		*inv;
	char				 digest[65], err[1024], *json;
	double				 start;

	w->first_event = w->last_event = 0;
	w->stats.scan_time = wall_seconds();
	start = (double)now_ms();
	inv = collect_scan(o, w->host);
	w->stats.scan_seconds = ((double)now_ms() - start) / 1000.0;
	if (inventory_digest(inv, digest) == -1) {
		log_warnx("%s: cannot compute the inventory digest", __func__);
		inventory_free(inv);
		return;
	}
	inventory_free(w->inv);
	w->inv = inv;
	log_debug("scanned in %.3fs, digest %.12s%s", w->stats.scan_seconds,
	    digest, strcmp(digest, w->current) == 0 ? " (unchanged)" : "");
	memcpy(w->current, digest, sizeof(w->current));

	/* A failed write is tried again after the next scan. */
	po = *o;
	po.push = NULL;
	if ((po.output != NULL || po.db != NULL) &&
	    strcmp(digest, w->written) != 0) {
		if (collect_emit(&po, inv, &json, err, sizeof(err)) == -1)
			log_warnx("%s: %s", __func__, err);
		else
			memcpy(w->written, digest, sizeof(w->written));
		free(json);
	}
	if (o->push == NULL)
		return;

	/* Every scan's document replaces the one waiting to be pushed (a
	 * heartbeat carries the new collected_at). */
	po = *o;
	po.output = po.db = NULL;
	if (collect_emit(&po, inv, &json, err, sizeof(err)) == -1) {
		log_warnx("%s: %s", __func__, err);
		return;
	}
	free(w->json);
	w->json = json;
	memcpy(w->json_digest, digest, sizeof(w->json_digest));
	if (heartbeat || strcmp(digest, w->pushed) != 0)
		w->push_due = 1;
}

/* One attempt with the newest document; back off after a failure. */
static void
try_push(struct watch *w)
{
	const struct collect_options	*o = w->o;
	struct push_target		 pt;
	char				 err[1024], digest[65];
	long				 cap, ms;

	if (w->json == NULL) {
		w->push_due = 0;
		return;
	}
	memcpy(digest, w->json_digest, sizeof(digest));
	push_target_init(&pt, o, w->host);
	if (push_once(&pt, w->json, WATCH_PUSH_TIMEOUT, err,
	    sizeof(err)) == 0) {
		if (w->failures > 0)
			log_info("push to %s succeeded again after %d "
			    "failure%s", o->push, w->failures,
			    w->failures == 1 ? "" : "s");
		log_debug("pushed digest %.12s", digest);
		memcpy(w->pushed, digest, sizeof(w->pushed));
		w->push_due = 0;
		w->failures = 0;
		w->retry_at = 0;
		w->stats.push_ok_time = wall_seconds();
		return;
	}
	w->stats.push_failures++;
	cap = WATCH_BACKOFF_MAX_MS;
	if (cap > o->interval * 1000)
		cap = (long)o->interval * 1000;
	ms = push_backoff_ms(w->failures, cap);
	if (w->failures < 30)
		w->failures++;
	w->retry_at = now_ms() + ms;
	log_warnx("%s: %s; next try in %.1fs", __func__, err,
	    (double)ms / 1000.0);
}

static void
write_textfile(struct watch *w)
{
	char	 err[1024];

	if (w->o->textfile == NULL || w->inv == NULL)
		return;
	if (textfile_write(w->o->textfile, w->inv, &w->stats, err,
	    sizeof(err)) == -1)
		log_warnx("%s: --textfile %s", __func__, err);
}

/* Milliseconds until the nearest deadline: the interval rescan, the end
 * of a debounced burst, or the next push attempt. */
static int
poll_timeout(const struct watch *w, long long now)
{
	long long	 until = w->tick_at, t;

	if (w->first_event != 0) {
		t = w->last_event + WATCH_QUIET_MS;
		if (t > w->first_event + WATCH_BURST_MS)
			t = w->first_event + WATCH_BURST_MS;
		if (t < until)
			until = t;
	}
	if (w->push_due && w->retry_at < until)
		until = w->retry_at;
	if (until <= now)
		return (0);
	if (until - now > 3600 * 1000)
		return (3600 * 1000);
	return ((int)(until - now));
}

int
watch_run(const struct collect_options *o, const char *host)
{
	struct watch	 w;
	struct pollfd	 pfd[2];
	long long	 now, burst_end;
	char		 drain[64];
	nfds_t		 nfds;
	int		 wrote;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.host = host;
	w.stats.push = o->push != NULL;
	if (setup_signals() == -1)
		return (1);
	monitor_open(&w);
	log_debug("watching %s every %llds%s", host, o->interval,
	    w.mon != NULL ? " and on uevents" : "");

	scan(&w, 1);
	w.tick_at = now_ms() + o->interval * 1000;
	if (w.push_due)
		try_push(&w);
	write_textfile(&w);

	while (!sig_quit) {
		now = now_ms();
		nfds = 0;
		pfd[nfds].fd = sig_pipe[0];
		pfd[nfds++].events = POLLIN;
		if (w.monfd != -1) {
			pfd[nfds].fd = w.monfd;
			pfd[nfds++].events = POLLIN;
		}
		if (poll(pfd, nfds, poll_timeout(&w, now)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: poll", __func__);
			break;
		}
		if (pfd[0].revents != 0) {
			while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
				;
			break;
		}
		now = now_ms();
		if (nfds > 1 && pfd[1].revents != 0 &&
		    monitor_drain(&w, pfd[1].revents)) {
			if (w.first_event == 0)
				w.first_event = now;
			w.last_event = now;
		}

		wrote = 0;
		burst_end = w.last_event + WATCH_QUIET_MS;
		if (burst_end > w.first_event + WATCH_BURST_MS)
			burst_end = w.first_event + WATCH_BURST_MS;
		if (now >= w.tick_at) {
			scan(&w, 1);
			w.tick_at = now_ms() + o->interval * 1000;
			wrote = 1;
		} else if (w.first_event != 0 && now >= burst_end) {
			scan(&w, 0);
			wrote = 1;
		}
		if (w.push_due && now_ms() >= w.retry_at) {
			try_push(&w);
			wrote = 1;
		}
		if (wrote)
			write_textfile(&w);
	}

	log_debug("%s: exiting on a signal", __func__);
	free(w.json);
	inventory_free(w.inv);
	if (w.mon != NULL)
		udev_monitor_unref(w.mon);
	if (w.udev != NULL)
		udev_unref(w.udev);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	return (0);
}
