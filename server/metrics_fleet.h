/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics_fleet.h -- the fleet part of /metrics (SPEC 8): hosts by
 * freshness, each host's last report time, totals by type, and with
 * --metrics-detail the v1 per-host series.
 *
 * The fleet's writers tell this module what changed, one call per
 * change (metrics_host_changed() or metrics_host_removed()); it keeps
 * the totals up to date from that alone, never reading the fleet, so a
 * scrape takes neither the fleet's lock nor anything a PUT or a check
 * waits for beyond a copy of the totals (see metrics_fleet.c).
 */
#ifndef VC_METRICS_FLEET_H
#define VC_METRICS_FLEET_H

#include <stdbool.h>
#include <stdint.h>

struct inventory;
struct metrics_host_prep;
struct promtext;

/* Once, before any other call and before any thread runs: the age
 * (seconds) that makes a host stale, and whether to keep the per-host
 * detail series (--metrics-detail). */
void	metrics_fleet_init(int64_t stale_after, bool detail);
/*
 * The fleet now holds a report of host received at received_at (unix
 * seconds): inv is its inventory, in its final form, or NULL when only
 * the report time changed (a heartbeat: the inventory counted before
 * still holds). inv is only read during the call; nothing of it is
 * kept. Call after each change is applied to the fleet, in the order
 * the changes are applied (hosts.c does so under ingest_lock); any
 * thread. A report also ends a pin (metrics_host_pinned()).
 */
void	metrics_host_changed(const char *host, const struct inventory *inv,
	    int64_t received_at);
/*
 * metrics_host_changed() in two steps, for a writer that holds a lock
 * between them: metrics_host_prepare() reads inv (per-type counts, the
 * --metrics-detail text) and may run before any lock; the prepared
 * report (or NULL for a report time alone) is then committed in the
 * order of the changes, or discarded if the change did not happen.
 * Both consume it; inv's strings must outlive the commit.
 */
struct metrics_host_prep *metrics_host_prepare(const struct inventory *inv);
void	metrics_host_commit(const char *host, struct metrics_host_prep *,
	    int64_t received_at);
void	metrics_host_discard(struct metrics_host_prep *);
/* The fleet no longer holds host (a DELETE); unknown hosts are fine. */
void	metrics_host_removed(const char *host);
/* A demo host (fleet_pin()): counted fresh however old its report. */
void	metrics_host_pinned(const char *host);
/* The fleet series of a scrape at time now; safe beside any call above. */
void	metrics_fleet_render(struct promtext *, int64_t now);
/* Drop everything (shutdown, no other thread running). */
void	metrics_fleet_clear(void);

#endif
