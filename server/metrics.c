/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c -- GET /metrics in the Prometheus text format (SPEC 8).
 *
 * Request counters and latency histograms are lock-free atomics bumped
 * by the HTTP layer as each answer is queued; the fleet series come
 * from metrics_fleet.c, kept up to date by the writers, so a scrape
 * never takes the fleet's lock: with a writer-preferring lock, a PUT
 * queued behind a scrape would have held up every check. The process
 * series are read from /proc/self at each scrape, as Prometheus client
 * libraries do. The text itself is built by lib/promtext.
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "metrics/promtext.h"
#include "metrics_fleet.h"
#include "server.h"
#include "store/store.h"

#define MAX_ROUTES	16
#define MIN_STATUS	100
#define NSTATUS		500	/* 100..599 */
#define PREFIX		"vfio_compat_"
#define CT_METRICS	"text/plain; version=0.0.4; charset=utf-8"

static const double buckets[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10
};
#define NBUCKETS	(sizeof(buckets) / sizeof(buckets[0]))

static const char *const verdicts[] = {
	"compatible", "incompatible", "unknown"
};
/* http_requests_total's methods; anything else counts as "other". */
static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"
};
#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))
static const char *const update_results[] = {
	"changed", "unchanged", "rejected"
};
/* check_requests_total's modes; anything else counts as "invalid". */
static const char *const modes[] = { "live", "cold", "cpr", "invalid" };
#define NMODES		(sizeof(modes) / sizeof(modes[0]))

static atomic_uint_fast64_t	req_total[MAX_ROUTES][NMETHODS][NSTATUS];
static atomic_uint_fast64_t	req_bucket[MAX_ROUTES][NBUCKETS + 1];
static atomic_uint_fast64_t	req_count[MAX_ROUTES];
static atomic_uint_fast64_t	req_sum_ns[MAX_ROUTES];
static atomic_uint_fast64_t	checks[3];
static atomic_uint_fast64_t	check_req[NMODES][NSTATUS];
static atomic_uint_fast64_t	updates[3];
/* Changes a replica applied from the shared store's feed, by kind. */
static const char *const replica_kinds[] = {
	"document", "report_time", "delete"
};
static atomic_uint_fast64_t	replica_changes[3];

static int64_t			process_start;	/* unix seconds, or -1 */
static pthread_once_t		process_once = PTHREAD_ONCE_INIT;

static void	count_named(const char *const *, atomic_uint_fast64_t *,
		    size_t, const char *);
static void	http_series(struct promtext *);
static void	process_start_init(void);
static void	process_series(struct promtext *);

void
metrics_http(size_t route, const char *method, unsigned int status,
    double seconds)
{
	size_t	 b, m;

	if (route >= MAX_ROUTES)
		route = MAX_ROUTES - 1;
	for (m = 0; m < NMETHODS - 1; m++)
		if (method != NULL && strcmp(method, methods[m]) == 0)
			break;
	if (status >= MIN_STATUS && status < MIN_STATUS + NSTATUS)
		atomic_fetch_add(&req_total[route][m][status - MIN_STATUS], 1);
	for (b = 0; b < NBUCKETS && seconds > buckets[b]; b++)
		;
	atomic_fetch_add(&req_bucket[route][b], 1);
	atomic_fetch_add(&req_count[route], 1);
	atomic_fetch_add(&req_sum_ns[route], (uint64_t)(seconds * 1e9));
}

void
metrics_checks(size_t compatible, size_t incompatible, size_t unknown)
{
	atomic_fetch_add(&checks[0], compatible);
	atomic_fetch_add(&checks[1], incompatible);
	atomic_fetch_add(&checks[2], unknown);
}

void
metrics_check_request(const char *mode, unsigned int status)
{
	size_t	 m;

	if (mode == NULL)
		mode = "live";
	for (m = 0; m < NMODES - 1; m++)
		if (strcmp(mode, modes[m]) == 0)
			break;
	if (status >= MIN_STATUS && status < MIN_STATUS + NSTATUS)
		atomic_fetch_add(&check_req[m][status - MIN_STATUS], 1);
}

/* One more in the counter of names[] that name is. */
static void
count_named(const char *const *names, atomic_uint_fast64_t *counters,
    size_t n, const char *name)
{
	size_t	 k;

	for (k = 0; k < n; k++)
		if (strcmp(name, names[k]) == 0)
			atomic_fetch_add(&counters[k], 1);
}

void
metrics_update(const char *result)
{
	count_named(update_results, updates, 3, result);
}

void
metrics_replica_change(const char *kind)
{
	count_named(replica_kinds, replica_changes, 3, kind);
}

static void
http_series(struct promtext *b)
{
	size_t		 r, m, s, k, nr = http_nroutes() + 1;
	uint64_t	 v, cum;

	if (nr > MAX_ROUTES)
		nr = MAX_ROUTES;
	prom_header(b, "http_requests_total", "counter",
	    "HTTP requests answered, by route template, method and status "
	    "code.");
	for (r = 0; r < nr; r++) {
		for (m = 0; m < NMETHODS; m++) {
			for (s = 0; s < NSTATUS; s++) {
				v = atomic_load(&req_total[r][m][s]);
				if (v == 0)
					continue;
				prom_printf(b, PREFIX "http_requests_total{");
				prom_label(b, "route", http_route_name(r), true);
				prom_printf(b, ",method=\"%s\",code=\"%zu\"} "
				    "%llu\n", methods[m], s + MIN_STATUS,
				    (unsigned long long)v);
			}
		}
	}
	prom_header(b, "http_request_duration_seconds", "histogram",
	    "Time from request start to answer queued, by route template.");
	for (r = 0; r < nr; r++) {
		if (atomic_load(&req_count[r]) == 0)
			continue;
		cum = 0;
		for (k = 0; k <= NBUCKETS; k++) {
			cum += atomic_load(&req_bucket[r][k]);
			prom_printf(b, PREFIX "http_request_duration_seconds_bucket{");
			prom_label(b, "route", http_route_name(r), true);
			if (k < NBUCKETS)
				prom_printf(b, ",le=\"%g\"} %llu\n", buckets[k],
				    (unsigned long long)cum);
			else
				prom_printf(b, ",le=\"+Inf\"} %llu\n",
				    (unsigned long long)cum);
		}
		prom_printf(b, PREFIX "http_request_duration_seconds_sum{");
		prom_label(b, "route", http_route_name(r), true);
		prom_printf(b, "} %.9f\n",
		    (double)atomic_load(&req_sum_ns[r]) / 1e9);
		prom_printf(b, PREFIX "http_request_duration_seconds_count{");
		prom_label(b, "route", http_route_name(r), true);
		prom_printf(b, "} %llu\n", (unsigned long long)cum);
	}
}

/* The process's start time: boot time plus its start in clock ticks. */
static void
process_start_init(void)
{
	FILE			*f;
	char			 line[1024], *p;
	unsigned long long	 start = 0, btime = 0;
	long			 tck = sysconf(_SC_CLK_TCK);
	int			 ok = 0;

	process_start = -1;
	if ((f = fopen("/proc/self/stat", "r")) != NULL) {
		/* The command name may hold spaces: fields after ')'. */
		if (fgets(line, sizeof(line), f) != NULL &&
		    (p = strrchr(line, ')')) != NULL &&
		    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
		    "%*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &start) == 1)
			ok = 1;
		fclose(f);
	}
	if (!ok || tck <= 0 || (f = fopen("/proc/stat", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "btime %llu", &btime) == 1) {
			process_start = (int64_t)(btime +
			    start / (unsigned long long)tck);
			break;
		}
	fclose(f);
}

/*
 * The standard process_* series (what Prometheus client libraries
 * export), from /proc/self. A value that cannot be read is left out,
 * never printed as 0.
 */
static void
process_series(struct promtext *b)
{
	FILE			*f;
	DIR			*dir;
	struct dirent		*de;
	char			 line[1024], *p;
	const char		*prefix = b->prefix;
	unsigned long long	 ut, st, pages;
	long			 tck = sysconf(_SC_CLK_TCK);
	long			 pagesz = sysconf(_SC_PAGESIZE);
	size_t			 nfd = 0;

	pthread_once(&process_once, process_start_init);
	b->prefix = "";		/* standard names: no vfio_compat_ */
	if ((f = fopen("/proc/self/stat", "r")) != NULL) {
		if (fgets(line, sizeof(line), f) != NULL && tck > 0 &&
		    (p = strrchr(line, ')')) != NULL &&
		    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
		    "%*u %llu %llu", &ut, &st) == 2) {
			prom_header(b, "process_cpu_seconds_total", "counter",
			    "User and system CPU time spent, in seconds.");
			prom_printf(b, "process_cpu_seconds_total %.2f\n",
			    (double)(ut + st) / (double)tck);
		}
		fclose(f);
	}
	if ((f = fopen("/proc/self/statm", "r")) != NULL) {
		if (pagesz > 0 && fscanf(f, "%*u %llu", &pages) == 1) {
			prom_header(b, "process_resident_memory_bytes", "gauge",
			    "Resident memory size in bytes.");
			prom_printf(b, "process_resident_memory_bytes %llu\n",
			    pages * (unsigned long long)pagesz);
		}
		fclose(f);
	}
	if ((dir = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(dir)) != NULL)
			if (de->d_name[0] != '.')
				nfd++;
		closedir(dir);
		prom_header(b, "process_open_fds", "gauge",
		    "Open file descriptors.");
		/* Less the one this count held open. */
		prom_printf(b, "process_open_fds %zu\n", nfd > 0 ? nfd - 1 : 0);
	}
	if (process_start >= 0) {
		prom_header(b, "process_start_time_seconds", "gauge",
		    "Start time of the process since the Unix epoch, in "
		    "seconds.");
		prom_printf(b, "process_start_time_seconds %lld\n",
		    (long long)process_start);
	}
	b->prefix = prefix;
}

int
metrics_get(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	struct promtext	 b;
	uint_fast64_t	 v;
	size_t		 k, s;

	prom_init(&b, PREFIX);
	prom_header(&b, "build_info", "gauge", "The server's version.");
	prom_printf(&b, PREFIX "build_info{");
	prom_label(&b, "version", PACKAGE_VERSION, true);
	prom_printf(&b, "} 1\n");
	metrics_fleet_render(&b, server_now());
	http_series(&b);
	prom_header(&b, "check_requests_total", "counter",
	    "Check requests answered, by mode and HTTP status.");
	for (k = 0; k < NMODES; k++)
		for (s = 0; s < NSTATUS; s++)
			if ((v = atomic_load(&check_req[k][s])) != 0)
				prom_printf(&b, PREFIX "check_requests_total{"
				    "mode=\"%s\",code=\"%zu\"} %llu\n", modes[k],
				    s + MIN_STATUS, (unsigned long long)v);
	prom_header(&b, "checks_total", "counter",
	    "Check results returned, by verdict.");
	for (k = 0; k < 3; k++)
		prom_printf(&b, PREFIX "checks_total{verdict=\"%s\"} %llu\n",
		    verdicts[k], (unsigned long long)atomic_load(&checks[k]));
	prom_header(&b, "inventory_updates_total", "counter",
	    "Inventory reports received, by outcome.");
	for (k = 0; k < 3; k++)
		prom_printf(&b, PREFIX "inventory_updates_total{result=\"%s\"} "
		    "%llu\n", update_results[k],
		    (unsigned long long)atomic_load(&updates[k]));
	if (store_shared(srv->store)) {
		prom_header(&b, "replica_changes_total", "counter",
		    "Changes this replica applied from the shared store's "
		    "feed, by kind: a new document (parsed), new report times "
		    "over the document it holds (a heartbeat elsewhere), a "
		    "delete.");
		for (k = 0; k < 3; k++)
			prom_printf(&b, PREFIX "replica_changes_total{kind="
			    "\"%s\"} %llu\n", replica_kinds[k],
			    (unsigned long long)atomic_load(
			    &replica_changes[k]));
	}
	process_series(&b);
	free(rep->body);
	rep->status = 200;
	rep->body = buf_release(&b.out, &rep->len);
	rep->content_type = CT_METRICS;
	return (0);
}
