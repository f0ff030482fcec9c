/*
 * fleet.h -- the server's in-memory view of every host's inventory.
 *
 * The store is the durable copy; the fleet is what checks read, so a
 * check against ten thousand hosts never touches SQLite. Hosts are kept
 * sorted by name (binary search, ordered listings). All inventories
 * share the fleet's string pool. A read-write lock lets any number of
 * checks run while a PUT waits for its turn: callers take fleet_rdlock()
 * around reads and fleet_wrlock() around fleet_put()/fleet_delete().
 */
#ifndef VC_FLEET_H
#define VC_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"

struct fleet;
struct strpool;

struct fleet_host {
	struct inventory	*inv;		/* owned by the fleet */
	int64_t			 received_at;	/* unix seconds */
	int64_t			 generation;
};

struct fleet		*fleet_new(void);
void			 fleet_free(struct fleet *);
/* Pass this pool to inventory_parse() for inventories bound for here. */
struct strpool		*fleet_pool(struct fleet *);

void	fleet_rdlock(struct fleet *);
void	fleet_wrlock(struct fleet *);
void	fleet_unlock(struct fleet *);

/* Take ownership of inv, replacing what inv->host had. */
void	fleet_put(struct fleet *, struct inventory *, int64_t received_at,
	    int64_t generation);
/* 0 when removed, 1 when the host was not there. */
int	fleet_delete(struct fleet *, const char *host);

size_t			 fleet_count(const struct fleet *);
/* i-th host in name order, 0 <= i < fleet_count(). */
const struct fleet_host	*fleet_at(const struct fleet *, size_t);
const struct fleet_host	*fleet_get(const struct fleet *, const char *host);
/* The host running VM uuid (and the VM entry), or NULL. */
const struct fleet_host	*fleet_find_vm(const struct fleet *, const char *uuid,
			    const struct inv_vm **);

#endif
