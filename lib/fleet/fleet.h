/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet.h -- the server's in-memory view of every host's inventory.
 *
 * lib/fleet/ owns the fleet, its lock and its per-host indexes. It may
 * use lib/policy/ (the list of compared fields), lib/model/, lib/util/.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/inventory.h"

struct fleet;
struct strpool;

/*
 * Where a host offers each type id, built by fleet_put() for the
 * engine so that a check finds a type's parents without walking every
 * device: offers[first .. first + count) are (device, type) index pairs
 * of inv, in device order, with the type's available_instances (null as
 * 0) and rep, the index of the first offer of the same id whose parent
 * and type agree with this one on every field a check compares (ids,
 * class, revision, driver, driver_version, migration, attributes, kind,
 * device_api, migration_version): a check evaluates only those and
 * reads the capacity here. Only built when inv uses the fleet's pool
 * (ids are then compared by pointer).
 */
struct fleet_type {
	const char	*id;		/* pooled */
	uint32_t	 first, count;
};
struct fleet_offer {
	uint16_t	 device;
	uint16_t	 type;
	uint32_t	 rep;		/* index into offers */
	uint32_t	 avail;
};

/*
 * The host's passthrough candidates (no types, a migration-capable
 * driver other than plain vfio-pci), grouped into classes whose members
 * agree on every field the engine compares (ids, class, revision,
 * driver, driver_version, migration, attributes): the engine checks one
 * representative per class. members[first .. first + count) are device
 * indices; rep is the first of them.
 */
struct fleet_pci {
	const char	*device_id;	/* pooled, for the pre-filter */
	uint16_t	 rep;
	uint16_t	 count;
	uint32_t	 first;
};

struct fleet_host {
	struct inventory	*inv;		/* owned by the fleet */
	/* inv->host as JSON text, quotes included, written once per PUT
	 * so that answers copy it; NULL when it would need escaping (the
	 * codec's host names never do). */
	const char		*name_json;
	size_t			 name_json_len;
	/* One bit per VM uuid (fleet_vm_bit()): fleet_find_vm() reads
	 * only the inventories whose bit is set. */
	uint64_t		 vm_bits;
	int64_t			 received_at;	/* unix seconds */
	int64_t			 generation;
	bool			 indexed;	/* types/offers are valid */
	bool			 pinned;	/* --demo: never ages */
	const struct fleet_type	*types;		/* sorted by id pointer */
	size_t			 ntypes;
	const struct fleet_offer *offers;
	const struct fleet_pci	*pcis;
	size_t			 npcis;
	const uint16_t		*members;
};

struct fleet		*fleet_new(void);
void			 fleet_free(struct fleet *);
/* Pass this pool to inventory_parse() for inventories bound for here. */
struct strpool		*fleet_pool(struct fleet *);
/* How many distinct device profiles the fleet's hosts share. */
size_t			 fleet_profiles(struct fleet *);

void	fleet_rdlock(struct fleet *);
void	fleet_wrlock(struct fleet *);
void	fleet_unlock(struct fleet *);

/* Take ownership of inv, replacing what inv->host had. inv must be in
 * its final (sorted) form: the type index refers to it by position. */
void	fleet_put(struct fleet *, struct inventory *, int64_t received_at,
	    int64_t generation);
/*
 * fleet_put() in halves, so that a PUT builds the host's index with no
 * lock held and keeps the write lock for a pointer swap only:
 * fleet_prepare() takes ownership of inv (which must stay as it is) and
 * builds its index; fleet_commit(), under fleet_wrlock(), puts it in
 * place and hands back what it replaced (NULL for a new host), for
 * fleet_discard() after fleet_unlock(). fleet_discard() also frees a
 * prepared host that was never committed.
 */
struct fleet_prepared;
struct fleet_prepared	*fleet_prepare(struct fleet *, struct inventory *);
struct fleet_prepared	*fleet_commit(struct fleet *, struct fleet_prepared *,
			    int64_t received_at, int64_t generation);
void			 fleet_discard(struct fleet_prepared *);

/* A heartbeat for host, whose content did not change: its report time
 * and its inventory's collected_at move. 0, or -1 when the host is not
 * there. Under fleet_wrlock(). */
int	fleet_seen(struct fleet *, const char *host, const char *collected_at,
	    int64_t received_at);
/* A demo host (--demo): its data counts as current until a real
 * report (fleet_put) replaces it. 0, or -1 when the host is not there. */
int	fleet_pin(struct fleet *, const char *host);
/* Seconds since the host's report, never negative; 0 when pinned. */
int64_t	fleet_host_age(const struct fleet_host *, int64_t now);
/* 0 when removed, 1 when the host was not there. */
int	fleet_delete(struct fleet *, const char *host);

size_t			 fleet_count(const struct fleet *);
/* The position of host in name order, or where it would go. */
size_t			 fleet_position(const struct fleet *, const char *host);
/* i-th host in name order, 0 <= i < fleet_count(). */
const struct fleet_host	*fleet_at(const struct fleet *, size_t);
const struct fleet_host	*fleet_get(const struct fleet *, const char *host);
/* A device that may stand in for a passed-through one: no types, a
 * migration-capable driver other than plain vfio-pci. */
bool			 fleet_passthrough(const struct inv_device *);
/* The type index entry of a host for a pooled id, or NULL. */
const struct fleet_type	*fleet_host_type(const struct fleet_host *,
			    const char *pooled_id);
/* The host running VM uuid (and the VM entry), or NULL. */
const struct fleet_host	*fleet_find_vm(const struct fleet *, const char *uuid,
			    const struct inv_vm **);

#endif
