/*
 * metrics.c -- GET /metrics in the Prometheus text format (SPEC 8).
 *
 * Request counters and latency histograms are lock-free atomics bumped
 * by the HTTP layer as each answer is queued; fleet gauges (hosts,
 * capacity, devices) are computed from the fleet under its read lock at
 * scrape time, so they can never disagree with what checks see. Label
 * values are escaped as the format requires.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "http.h"
#include "inventory.h"
#include "server.h"
#include "util/xmalloc.h"

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
static const char *const update_results[] = {
	"changed", "unchanged", "rejected"
};

static atomic_uint_fast64_t	req_total[MAX_ROUTES][NSTATUS];
static atomic_uint_fast64_t	req_bucket[MAX_ROUTES][NBUCKETS + 1];
static atomic_uint_fast64_t	req_count[MAX_ROUTES];
static atomic_uint_fast64_t	req_sum_ns[MAX_ROUTES];
static atomic_uint_fast64_t	checks[3];
static atomic_uint_fast64_t	updates[3];

struct buf {
	char	*data;
	size_t	 len, cap;
};

static void	bprintf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	blabel(struct buf *, const char *, const char *, int);
static void	header(struct buf *, const char *, const char *,
		    const char *);
static void	fleet_gauges(struct server *, struct buf *);
static void	type_series(struct buf *, const char *,
		    const struct inventory *);
static void	http_series(struct buf *);

void
metrics_http(size_t route, unsigned int status, double seconds)
{
	size_t	 b;

	if (route >= MAX_ROUTES)
		route = MAX_ROUTES - 1;
	if (status >= MIN_STATUS && status < MIN_STATUS + NSTATUS)
		atomic_fetch_add(&req_total[route][status - MIN_STATUS], 1);
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
metrics_update(const char *result)
{
	size_t	 k;

	for (k = 0; k < 3; k++)
		if (strcmp(result, update_results[k]) == 0)
			atomic_fetch_add(&updates[k], 1);
}

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += n;
			return;
		}
		b->cap = b->cap * 2 + n + 1;
		b->data = xreallocarray(b->data, b->cap, 1);
	}
}

/* name="value" with \, " and newline escaped; comma first unless first. */
static void
blabel(struct buf *b, const char *name, const char *value, int first)
{
	const char	*p;

	bprintf(b, "%s%s=\"", first ? "" : ",", name);
	for (p = value != NULL ? value : ""; *p != '\0'; p++) {
		if (*p == '\\')
			bprintf(b, "\\\\");
		else if (*p == '"')
			bprintf(b, "\\\"");
		else if (*p == '\n')
			bprintf(b, "\\n");
		else
			bprintf(b, "%c", *p);
	}
	bprintf(b, "\"");
}

static void
header(struct buf *b, const char *name, const char *type, const char *help)
{
	bprintf(b, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name,
	    help, name, type);
}

static void
type_series(struct buf *b, const char *metric, const struct inventory *inv)
{
	const struct inv_device		*d;
	const struct inv_type		*t;
	size_t				 i, j, count;
	int				 avail = strcmp(metric,
					    "type_available_instances") == 0;

	for (i = 0; i < inv->ndevices; i++) {
		d = &inv->devices[i];
		for (j = 0; j < d->ntypes; j++) {
			t = &d->types[j];
			if (avail && t->available_instances == INV_NULL)
				continue;
			bprintf(b, PREFIX "%s{", metric);
			blabel(b, "host", inv->host, 1);
			blabel(b, "parent", d->address, 0);
			blabel(b, "kind", inv_kind_name(t->kind), 0);
			blabel(b, "type", t->id, 0);
			if (avail) {
				bprintf(b, "} %lld\n",
				    (long long)t->available_instances);
				continue;
			}
			count = inv_count_instances(inv, d, t);
			bprintf(b, "} %zu\n", count);
		}
	}
}

static void
fleet_gauges(struct server *srv, struct buf *b)
{
	const struct fleet_host	*fh;
	const struct inv_device	*d;
	size_t			 i, j, n, fresh = 0, stale = 0;
	int64_t			 now = server_now();

	fleet_rdlock(srv->fleet);
	n = fleet_count(srv->fleet);
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		if (server_is_stale(srv, fh->received_at, now))
			stale++;
		else
			fresh++;
	}
	header(b, "hosts", "gauge", "Known hosts by freshness of their "
	    "last report.");
	bprintf(b, PREFIX "hosts{state=\"fresh\"} %zu\n", fresh);
	bprintf(b, PREFIX "hosts{state=\"stale\"} %zu\n", stale);

	header(b, "host_last_report_timestamp_seconds", "gauge",
	    "Unix time the host's last inventory was received.");
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		bprintf(b, PREFIX "host_last_report_timestamp_seconds{");
		blabel(b, "host", fh->inv->host, 1);
		bprintf(b, "} %lld\n", (long long)fh->received_at);
	}

	header(b, "type_available_instances", "gauge",
	    "Instances of a type that can still be created on a parent.");
	for (i = 0; i < n; i++)
		type_series(b, "type_available_instances",
		    fleet_at(srv->fleet, i)->inv);
	header(b, "type_instances", "gauge",
	    "Instances of a type that exist on a parent.");
	for (i = 0; i < n; i++)
		type_series(b, "type_instances",
		    fleet_at(srv->fleet, i)->inv);

	header(b, "device_info", "gauge", "One series per device, with its "
	    "identity as labels.");
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		for (j = 0; j < fh->inv->ndevices; j++) {
			d = &fh->inv->devices[j];
			bprintf(b, PREFIX "device_info{");
			blabel(b, "host", fh->inv->host, 1);
			blabel(b, "address", d->address, 0);
			blabel(b, "vendor_id", d->vendor_id, 0);
			blabel(b, "device_id", d->device_id, 0);
			blabel(b, "driver", d->driver, 0);
			blabel(b, "driver_version", d->driver_version, 0);
			blabel(b, "migration_capable",
			    d->migration.capable ? "true" : "false", 0);
			bprintf(b, "} 1\n");
		}
	}
	fleet_unlock(srv->fleet);
}

static void
http_series(struct buf *b)
{
	size_t		 r, s, k, nr = http_nroutes() + 1;
	uint64_t	 v, cum;

	if (nr > MAX_ROUTES)
		nr = MAX_ROUTES;
	header(b, "http_requests_total", "counter",
	    "HTTP requests answered, by route template and status code.");
	for (r = 0; r < nr; r++) {
		for (s = 0; s < NSTATUS; s++) {
			if ((v = atomic_load(&req_total[r][s])) == 0)
				continue;
			bprintf(b, PREFIX "http_requests_total{");
			blabel(b, "route", http_route_name(r), 1);
			bprintf(b, ",code=\"%zu\"} %llu\n", s + MIN_STATUS,
			    (unsigned long long)v);
		}
	}
	header(b, "http_request_duration_seconds", "histogram",
	    "Time from request start to answer queued, by route template.");
	for (r = 0; r < nr; r++) {
		if (atomic_load(&req_count[r]) == 0)
			continue;
		cum = 0;
		for (k = 0; k <= NBUCKETS; k++) {
			cum += atomic_load(&req_bucket[r][k]);
			bprintf(b, PREFIX "http_request_duration_seconds_bucket{");
			blabel(b, "route", http_route_name(r), 1);
			if (k < NBUCKETS)
				bprintf(b, ",le=\"%g\"} %llu\n", buckets[k],
				    (unsigned long long)cum);
			else
				bprintf(b, ",le=\"+Inf\"} %llu\n",
				    (unsigned long long)cum);
		}
		bprintf(b, PREFIX "http_request_duration_seconds_sum{");
		blabel(b, "route", http_route_name(r), 1);
		bprintf(b, "} %.9f\n",
		    (double)atomic_load(&req_sum_ns[r]) / 1e9);
		bprintf(b, PREFIX "http_request_duration_seconds_count{");
		blabel(b, "route", http_route_name(r), 1);
		bprintf(b, "} %llu\n", (unsigned long long)cum);
	}
}

int
metrics_get(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	struct buf	 b;
	size_t		 k;

	b.cap = 64 * 1024;
	b.len = 0;
	b.data = xmalloc(b.cap);
	b.data[0] = '\0';
	fleet_gauges(srv, &b);
	http_series(&b);
	header(&b, "checks_total", "counter",
	    "Check results returned, by verdict.");
	for (k = 0; k < 3; k++)
		bprintf(&b, PREFIX "checks_total{verdict=\"%s\"} %llu\n",
		    verdicts[k], (unsigned long long)atomic_load(&checks[k]));
	header(&b, "inventory_updates_total", "counter",
	    "Inventory reports received, by outcome.");
	for (k = 0; k < 3; k++)
		bprintf(&b, PREFIX "inventory_updates_total{result=\"%s\"} "
		    "%llu\n", update_results[k],
		    (unsigned long long)atomic_load(&updates[k]));
	free(rep->body);
	rep->status = 200;
	rep->body = b.data;
	rep->len = b.len;
	rep->content_type = CT_METRICS;
	return (0);
}
