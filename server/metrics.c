/*
 * metrics.c -- GET /metrics in the Prometheus text format (SPEC 8).
 *
 * Request counters and latency histograms are lock-free atomics bumped
 * by the HTTP layer as each answer is queued; fleet gauges (hosts,
 * capacity, devices) are computed from the fleet under its read lock at
 * scrape time, so they can never disagree with what checks see. The
 * text itself, escaping included, is built by lib/promtext.
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
#include "promtext.h"
#include "server.h"

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

static void	fleet_gauges(struct server *, struct promtext *);
static void	http_series(struct promtext *);

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
fleet_gauges(struct server *srv, struct promtext *b)
{
	const struct fleet_host	*fh;
	const struct inv_device	*d;
	size_t			 i, j, n, fresh = 0, stale = 0;
	int64_t			 now = server_now();

	fleet_rdlock(srv->fleet);
	n = fleet_count(srv->fleet);
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		if (server_is_stale(srv, fh, now))
			stale++;
		else
			fresh++;
	}
	prom_header(b, "hosts", "gauge", "Known hosts by freshness of their "
	    "last report.");
	prom_printf(b, PREFIX "hosts{state=\"fresh\"} %zu\n", fresh);
	prom_printf(b, PREFIX "hosts{state=\"stale\"} %zu\n", stale);

	prom_header(b, "host_last_report_timestamp_seconds", "gauge",
	    "Unix time the host's last inventory was received.");
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		prom_printf(b, PREFIX "host_last_report_timestamp_seconds{");
		prom_label(b, "host", fh->inv->host, true);
		prom_printf(b, "} %lld\n", (long long)fh->received_at);
	}

	prom_header(b, "type_available_instances", "gauge",
	    "Instances of a type that can still be created on a parent.");
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		prom_type_series(b, fh->inv, true, fh->inv->host);
	}
	prom_header(b, "type_instances", "gauge",
	    "Instances of a type that exist on a parent.");
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		prom_type_series(b, fh->inv, false, fh->inv->host);
	}

	prom_header(b, "device_info", "gauge", "One series per device, with its "
	    "identity as labels.");
	for (i = 0; i < n; i++) {
		fh = fleet_at(srv->fleet, i);
		for (j = 0; j < fh->inv->ndevices; j++) {
			d = &fh->inv->devices[j];
			prom_printf(b, PREFIX "device_info{");
			prom_label(b, "host", fh->inv->host, true);
			prom_label(b, "address", d->address, false);
			prom_label(b, "vendor_id", d->vendor_id, false);
			prom_label(b, "device_id", d->device_id, false);
			prom_label(b, "driver", d->driver, false);
			prom_label(b, "driver_version", d->driver_version,
			    false);
			prom_label(b, "migration_capable",
			    d->migration.capable ? "true" : "false", false);
			prom_printf(b, "} 1\n");
		}
	}
	fleet_unlock(srv->fleet);
}

static void
http_series(struct promtext *b)
{
	size_t		 r, s, k, nr = http_nroutes() + 1;
	uint64_t	 v, cum;

	if (nr > MAX_ROUTES)
		nr = MAX_ROUTES;
	prom_header(b, "http_requests_total", "counter",
	    "HTTP requests answered, by route template and status code.");
	for (r = 0; r < nr; r++) {
		for (s = 0; s < NSTATUS; s++) {
			if ((v = atomic_load(&req_total[r][s])) == 0)
				continue;
			prom_printf(b, PREFIX "http_requests_total{");
			prom_label(b, "route", http_route_name(r), true);
			prom_printf(b, ",code=\"%zu\"} %llu\n", s + MIN_STATUS,
			    (unsigned long long)v);
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

int
metrics_get(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	struct promtext	 b;
	size_t		 k;

	prom_init(&b, PREFIX);
	fleet_gauges(srv, &b);
	http_series(&b);
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
	free(rep->body);
	rep->status = 200;
	rep->body = b.data;
	rep->len = b.len;
	rep->content_type = CT_METRICS;
	return (0);
}
