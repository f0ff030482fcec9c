/*
 * fleet.c -- every host's latest inventory, in memory, for the checks.
 *
 * A sorted array of hosts rather than a hash table: checks walk every
 * host in name order anyway (ordered results, ties by name), lookups
 * are a binary search, and an insert is one memmove of pointers-sized
 * records, which is nothing next to parsing the inventory that caused
 * it. All inventories share the fleet's string pool, so the engine can
 * compare type ids and versions across hosts by pointer.
 *
 * Locking is the caller's (fleet_rdlock/fleet_wrlock): a check holds
 * the read lock for its whole run so that the host records it reads
 * cannot be freed under it, and several checks run at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "util/strpool.h"
#include "util/xmalloc.h"

struct fleet {
	pthread_rwlock_t	 lock;
	struct strpool		*pool;
	struct fleet_host	*hosts;		/* sorted by inv->host */
	size_t			 nhosts, cap;
};

static size_t	 lookup(const struct fleet *, const char *, int *);

struct fleet *
fleet_new(void)
{
	struct fleet		*f = xcalloc(1, sizeof(*f));
	pthread_rwlockattr_t	 attr;

	pthread_rwlockattr_init(&attr);
	/* A steady stream of checks must not starve a PUT forever. */
	pthread_rwlockattr_setkind_np(&attr,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&f->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	f->pool = strpool_new();
	return (f);
}

void
fleet_free(struct fleet *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nhosts; i++)
		inventory_free(f->hosts[i].inv);
	free(f->hosts);
	pthread_rwlock_destroy(&f->lock);
	strpool_free(f->pool);
	free(f);
}

struct strpool *
fleet_pool(struct fleet *f)
{
	return (f->pool);
}

void
fleet_rdlock(struct fleet *f)
{
	pthread_rwlock_rdlock(&f->lock);
}

void
fleet_wrlock(struct fleet *f)
{
	pthread_rwlock_wrlock(&f->lock);
}

void
fleet_unlock(struct fleet *f)
{
	pthread_rwlock_unlock(&f->lock);
}

/* Index of host, or where it would go; *found tells which. */
static size_t
lookup(const struct fleet *f, const char *host, int *found)
{
	size_t	 lo = 0, hi = f->nhosts, mid;
	int	 c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(host, f->hosts[mid].inv->host);
		if (c == 0) {
			*found = 1;
			return (mid);
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (lo);
}

void
fleet_put(struct fleet *f, struct inventory *inv, int64_t received_at,
    int64_t generation)
{
	struct fleet_host	*h;
	size_t			 i;
	int			 found;

	i = lookup(f, inv->host, &found);
	if (found) {
		h = &f->hosts[i];
		inventory_free(h->inv);
	} else {
		if (f->nhosts == f->cap) {
			f->cap = f->cap < 16 ? 16 : f->cap * 2;
			f->hosts = xreallocarray(f->hosts, f->cap,
			    sizeof(*f->hosts));
		}
		memmove(&f->hosts[i + 1], &f->hosts[i],
		    (f->nhosts - i) * sizeof(*f->hosts));
		f->nhosts++;
		h = &f->hosts[i];
	}
	h->inv = inv;
	h->received_at = received_at;
	h->generation = generation;
}

int
fleet_delete(struct fleet *f, const char *host)
{
	size_t	 i;
	int	 found;

	i = lookup(f, host, &found);
	if (!found)
		return (1);
	inventory_free(f->hosts[i].inv);
	memmove(&f->hosts[i], &f->hosts[i + 1],
	    (f->nhosts - i - 1) * sizeof(*f->hosts));
	f->nhosts--;
	return (0);
}

size_t
fleet_count(const struct fleet *f)
{
	return (f->nhosts);
}

const struct fleet_host *
fleet_at(const struct fleet *f, size_t i)
{
	if (i >= f->nhosts)
		return (NULL);
	return (&f->hosts[i]);
}

const struct fleet_host *
fleet_get(const struct fleet *f, const char *host)
{
	size_t	 i;
	int	 found;

	if (host == NULL)
		return (NULL);
	i = lookup(f, host, &found);
	return (found ? &f->hosts[i] : NULL);
}

const struct fleet_host *
fleet_find_vm(const struct fleet *f, const char *uuid,
    const struct inv_vm **vmp)
{
	const struct inv_vm	*vm;
	size_t			 i;

	/*
	 * A linear walk: VM lookups are one per request and a host has a
	 * handful of VMs, so an index would cost more to keep than to skip.
	 * Should a VM show up on two hosts (a report taken mid-migration),
	 * the first in name order wins, deterministically.
	 */
	for (i = 0; i < f->nhosts; i++) {
		if ((vm = inv_find_vm(f->hosts[i].inv, uuid)) != NULL) {
			if (vmp != NULL)
				*vmp = vm;
			return (&f->hosts[i]);
		}
	}
	if (vmp != NULL)
		*vmp = NULL;
	return (NULL);
}
