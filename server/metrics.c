/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c -- GET /metrics in the Prometheus text format (SPEC 8).
 *
 * Request counters and latency histograms are lock-free atomics bumped
 * by the HTTP layer as each answer is queued; fleet gauges (hosts,
 * capacity, devices) come from text prepared when each host was written
 * (metrics_fleet.c), so a scrape never takes the fleet's lock: with a
 * writer-preferring lock, a PUT queued behind a scrape would have held
 * up every check. The text itself is built by lib/promtext.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "metrics/promtext.h"
#include "metrics_fleet.h"
#include "model/inventory.h"
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
/* check_requests_total's modes; anything else counts as "invalid". */
static const char *const modes[] = { "live", "cold", "cpr", "invalid" };
#define NMODES		(sizeof(modes) / sizeof(modes[0]))

static atomic_uint_fast64_t	req_total[MAX_ROUTES][NSTATUS];
static atomic_uint_fast64_t	req_bucket[MAX_ROUTES][NBUCKETS + 1];
static atomic_uint_fast64_t	req_count[MAX_ROUTES];
static atomic_uint_fast64_t	req_sum_ns[MAX_ROUTES];
static atomic_uint_fast64_t	checks[3];
static atomic_uint_fast64_t	check_req[NMODES][NSTATUS];
static atomic_uint_fast64_t	updates[3];

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

void
metrics_update(const char *result)
{
	size_t	 k;

	for (k = 0; k < 3; k++)
		if (strcmp(result, update_results[k]) == 0)
			atomic_fetch_add(&updates[k], 1);
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
	uint_fast64_t	 v;
	size_t		 k, s;

	prom_init(&b, PREFIX);
	mfleet_render(srv, &b);
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
	free(rep->body);
	rep->status = 200;
	rep->body = buf_release(&b.out, &rep->len);
	rep->content_type = CT_METRICS;
	return (0);
}
