/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load.h -- filling the fleet from the store while the port is open.
 *
 * vfio-compatd listens first and loads afterwards. Until every stored
 * host is in the fleet, /healthz answers 200 and /readyz, every route
 * that reads or writes the fleet and /metrics answer 503 with the code
 * LOADING: a check against half a fleet would say "unknown host" about
 * hosts that are there, and a PUT racing the loader could be overwritten
 * by the older stored report. The load opens the store (migrations and
 * the integrity check included), reads it through store_foreach() (so
 * any engine behind store.h loads the same way) and parses the
 * documents on one worker thread per core, then adds the demo fleet.
 */
#ifndef VC_LOAD_H
#define VC_LOAD_H

#include <stdbool.h>

struct http_reply;
struct server;
struct loader;

struct load_config {
	const char	*db;		/* --db */
	const char	*demo_dir;	/* NULL: no --demo */
	unsigned int	 workers;	/* parsing threads; 0: one per core */
	const char	*banner;	/* start of the line logged once ready */
};

/*
 * Start loading srv from cfg on a thread of its own; srv->loading is
 * true until the fleet is complete. srv->fleet must exist, srv->store
 * must be NULL: the loader opens it. When the load fails (the store
 * cannot be opened or read, the demo fleet is refused) it logs one
 * error line and sends the process SIGTERM, so that a main thread
 * waiting in sigwait() ends. NULL when no thread could be started.
 */
struct loader	*load_start(struct server *, const struct load_config *);
/*
 * Stop a load still running (shutdown), wait for the thread and free
 * the loader. 0 when the load had completed, -1 when it failed or was
 * stopped before the end.
 */
int		 load_finish(struct loader *);
/* While srv is loading: a 503 LOADING reply in rep and -1; else 0. */
int		 load_gate(struct server *, struct http_reply *);
/* srv's fleet is complete (readiness before the store's own answer). */
bool		 load_done(const struct server *);

#endif
