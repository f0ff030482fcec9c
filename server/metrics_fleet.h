/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics_fleet.h -- the per-host part of /metrics, prepared when a host
 * is written so that a scrape takes no lock a check or a PUT waits for.
 *
 * A writer renders a host's series with mfleet_prepare() before it
 * takes any lock and publishes them with mfleet_commit() in the same
 * critical section that puts the host into the fleet (so the two agree
 * on which report is current). A scrape copies the list of published
 * hosts under a mutex held for that copy only, and writes the text from
 * the copy: the fleet's lock is never taken.
 */
#ifndef VC_METRICS_FLEET_H
#define VC_METRICS_FLEET_H

#include <stdint.h>

struct inventory;
struct promtext;
struct server;
struct mfleet_host;

struct mfleet_host	*mfleet_prepare(const struct inventory *);
/* Publish h as received at that time, replacing the host's earlier
 * series. */
void			 mfleet_commit(struct mfleet_host *, int64_t received_at);
/* Free a prepared h that was not published (NULL is fine). */
void			 mfleet_discard(struct mfleet_host *);
void			 mfleet_delete(const char *host);
/* A demo host (fleet_pin()): counted fresh however old its report. */
void			 mfleet_pin(const char *host);
/* The fleet gauges of a scrape. */
void			 mfleet_render(const struct server *,
			    struct promtext *);
/* Drop everything (shutdown). */
void			 mfleet_clear(void);

#endif
