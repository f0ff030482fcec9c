/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replica.h -- following the change feed of a shared store.
 *
 * A replica on a shared store (PostgreSQL) runs one follower thread: it
 * reads every change after the position it has applied, applies it to
 * the in-memory fleet (hosts_apply_change, the path of the replica's
 * own writes), and sleeps until a NOTIFY or a second passes. A lost
 * database is retried with a capped backoff and followed from where it
 * stopped once it answers again.
 */
#ifndef VC_REPLICA_H
#define VC_REPLICA_H

#include <stdbool.h>
#include <stdint.h>

struct replica;
struct server;

/* Start following srv->store from position seq (that of the snapshot
 * the fleet was loaded from). NULL if the thread cannot start. */
struct replica	*replica_start(struct server *, int64_t seq);
/* Stop the follower and wait for it; NULL is a no-op. */
void		 replica_stop(struct replica *);
/* False while the follower is cut off from the database; true once it
 * has read the feed up to its end again. */
bool		 replica_connected(const struct replica *);

#endif
