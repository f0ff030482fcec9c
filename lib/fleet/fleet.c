/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet.c -- every host's latest inventory, in memory, for the checks.
 *
 * A sorted array of hosts rather than a hash table: checks walk every
 * host in name order anyway (ordered results, ties by name), lookups
 * are a binary search, and an insert is one memmove of small records,
 * which is nothing next to parsing the inventory that caused it. All
 * inventories share the fleet's string pool, so the engine can compare
 * type ids and versions across hosts by pointer, and its device profiles
 * (model/inventory.h): a host indexed here holds only what is its own.
 *
 * For the engine's hot loop each host also carries a small index, built
 * once per PUT: the type ids it offers with their (device, type) pairs
 * and capacities (fleet_type, fleet_offer), and its passthrough devices
 * (fleet_pci); in both, devices that agree on every field a check
 * compares are grouped behind one representative. A check for a vGPU
 * then reads a few hundred bytes and one parent per host instead of
 * every device and type record, which at ten thousand hosts is the
 * difference between a few cache misses per host and a memory-bound
 * crawl. The cost is about 2 KiB per host of eight GPUs with sixteen
 * types each.
 *
 * Locking is the caller's (fleet_rdlock/fleet_wrlock): a check holds
 * the read lock for its whole run so that the host records it reads
 * cannot be freed under it, and several checks run at once.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/fleet.h"
#include "policy/policy.h"
#include "util/strpool.h"
#include "util/xmalloc.h"

struct fleet {
	pthread_rwlock_t	 lock;
	struct strpool		*pool;
	struct inv_profiles	*profiles;
	struct fleet_host	*hosts;		/* sorted by inv->host */
	size_t			 nhosts, cap;
};

struct triple {
	const char	*id;
	uint16_t	 device, type;
};

static size_t	 lookup(const struct fleet *, const char *, int *);
static int	 cmp_triple(const void *, const void *);
static void	 build_index(struct fleet *, struct fleet_host *);
static void	 build_name(struct fleet_host *);
static uint64_t	 vm_bit(const char *);
static bool	 alike(const struct inv_device *, const struct inv_device *);
static bool	 alike_offer(const struct inventory *,
		    const struct fleet_offer *, const struct fleet_offer *);
static void	 build_pci(struct fleet_host *);
static void	 free_index(struct fleet_host *);

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
	f->profiles = inv_profiles_new(f->pool);
	return (f);
}

void
fleet_free(struct fleet *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nhosts; i++) {
		inventory_free(f->hosts[i].inv);
		free_index(&f->hosts[i]);
	}
	free(f->hosts);
	pthread_rwlock_destroy(&f->lock);
	inv_profiles_free(f->profiles);
	strpool_free(f->pool);
	free(f);
}

struct strpool *
fleet_pool(struct fleet *f)
{
	return (f->pool);
}

size_t
fleet_profiles(struct fleet *f)
{
	return (inv_profiles_count(f->profiles));
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

static int
cmp_triple(const void *a, const void *b)
{
	const struct triple	*x = a, *y = b;

	if (x->id != y->id)
		return ((uintptr_t)x->id < (uintptr_t)y->id ? -1 : 1);
	if (x->device != y->device)
		return (x->device < y->device ? -1 : 1);
	return (x->type < y->type ? -1 : x->type > y->type);
}

static void
free_index(struct fleet_host *h)
{
	/* types and offers share one allocation. */
	free((void *)h->types);
	free((void *)h->pcis);
	free((void *)h->name_json);
	h->name_json = NULL;
	h->name_json_len = 0;
	h->pcis = NULL;
	h->members = NULL;
	h->npcis = 0;
	h->indexed = false;
	h->types = NULL;
	h->offers = NULL;
	h->ntypes = 0;
}

static void
build_index(struct fleet *f, struct fleet_host *h)
{
	const struct inventory	*inv = h->inv;
	struct triple		*t;
	struct fleet_type	*types;
	struct fleet_offer	*offers;
	size_t			 i, j, n = 0, nt = 0;
	void			*block;

	free_index(h);
	build_name(h);
	if (inv->pool != f->pool || inv->ndevices > UINT16_MAX)
		return;
	inventory_share(h->inv, f->profiles);
	for (i = 0; i < inv->ndevices; i++)
		n += inv->devices[i].p->ntypes;
	h->indexed = true;
	build_pci(h);
	if (n == 0)
		return;
	t = xcalloc(n, sizeof(*t));
	n = 0;
	for (i = 0; i < inv->ndevices; i++) {
		for (j = 0; j < inv->devices[i].p->ntypes &&
		    j <= UINT16_MAX; j++) {
			t[n].id = inv->devices[i].p->types[j].id;
			t[n].device = (uint16_t)i;
			t[n].type = (uint16_t)j;
			n++;
		}
	}
	qsort(t, n, sizeof(*t), cmp_triple);
	for (i = 0; i < n; i++)
		if (i == 0 || t[i].id != t[i - 1].id)
			nt++;
	block = xcalloc(1, nt * sizeof(*types) + n * sizeof(*offers));
	types = block;
	offers = (struct fleet_offer *)(types + nt);
	nt = 0;
	for (i = 0; i < n; i++) {
		int32_t			 avail;

		if (i == 0 || t[i].id != t[i - 1].id) {
			types[nt].id = t[i].id;
			types[nt].first = (uint32_t)i;
			nt++;
		}
		types[nt - 1].count++;
		offers[i].device = t[i].device;
		offers[i].type = t[i].type;
		avail = inv->devices[t[i].device].avail[t[i].type];
		offers[i].avail = avail == INV_NULL || avail < 0 ? 0 :
		    (uint32_t)avail;
		/* The first look-alike among this id's earlier offers. */
		offers[i].rep = (uint32_t)i;
		for (j = types[nt - 1].first; j < i; j++) {
			if (offers[j].rep == j &&
			    alike_offer(inv, &offers[i], &offers[j])) {
				offers[i].rep = (uint32_t)j;
				break;
			}
		}
	}
	free(t);
	h->types = types;
	h->ntypes = nt;
	h->offers = offers;
}

/* A VM's bit in fleet_host.vm_bits: FNV-1a of the uuid, mod 64. */
static uint64_t
vm_bit(const char *uuid)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *uuid != '\0'; uuid++)
		h = (h ^ (unsigned char)*uuid) * 0x100000001b3ULL;
	return ((uint64_t)1 << (h & 63));
}

/* What a check reads of every host without its inventory: the name as
 * a JSON string (when it needs no escaping) and the VMs' bits. */
static void
build_name(struct fleet_host *h)
{
	const char	*p, *host = h->inv->host;
	char		*s;
	size_t		 n, i;

	h->vm_bits = 0;
	for (i = 0; i < h->inv->nvms; i++)
		if (h->inv->vms[i].uuid != NULL)
			h->vm_bits |= vm_bit(h->inv->vms[i].uuid);
	if (host == NULL)
		return;
	for (p = host; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
			return;
	n = (size_t)(p - host);
	s = xmalloc(n + 3);
	s[0] = '"';
	memcpy(s + 1, host, n);
	s[n + 1] = '"';
	s[n + 2] = '\0';
	h->name_json = s;
	h->name_json_len = n + 2;
}

bool
fleet_passthrough(const struct inv_device *d)
{
	return (d->p->ntypes == 0 && d->p->migration.capable &&
	    d->p->driver != NULL && strcmp(d->p->driver, "vfio-pci") != 0);
}

/*
 * Look-alikes share one evaluation, so they must agree on everything a
 * check reads: the fields of policy_fields_alike() (what any policy can
 * compare, from the policy's own list) and the migration facts the
 * engine compares itself. Pooled strings: pointer equality is string
 * equality.
 */
static bool
alike(const struct inv_device *a, const struct inv_device *b)
{
	if (a->p == b->p)
		return (true);	/* what is compared is all the profile's */
	return (a->p->migration.capable == b->p->migration.capable &&
	    a->p->migration.flags == b->p->migration.flags &&
	    a->p->migration.flags_source == b->p->migration.flags_source &&
	    policy_fields_alike(a, NULL, b, NULL));
}

static bool
alike_offer(const struct inventory *inv, const struct fleet_offer *a,
    const struct fleet_offer *b)
{
	const struct inv_device	*da = &inv->devices[a->device];
	const struct inv_device	*db = &inv->devices[b->device];
	const struct inv_type	*ta = &da->p->types[a->type];
	const struct inv_type	*tb = &db->p->types[b->type];

	return (ta->kind == tb->kind && ta->device_api == tb->device_api &&
	    alike(da, db) && policy_fields_alike(da, ta, db, tb));
}

static void
build_pci(struct fleet_host *h)
{
	const struct inventory	*inv = h->inv;
	struct fleet_pci	*pcis;
	uint16_t		*members, *cls;
	size_t			 i, j, n = 0, nc = 0, m;
	void			*block;

	for (i = 0; i < inv->ndevices; i++)
		if (fleet_passthrough(&inv->devices[i]))
			n++;
	if (n == 0)
		return;
	/* Class of each candidate: the index of its first look-alike. */
	cls = xcalloc(inv->ndevices, sizeof(*cls));
	for (i = 0; i < inv->ndevices; i++) {
		if (!fleet_passthrough(&inv->devices[i]))
			continue;
		for (j = 0; j < i; j++)
			if (cls[j] == j &&
			    fleet_passthrough(&inv->devices[j]) &&
			    alike(&inv->devices[i], &inv->devices[j]))
				break;
		cls[i] = (uint16_t)j;
		if (j == i)
			nc++;
	}
	block = xcalloc(1, nc * sizeof(*pcis) + n * sizeof(*members));
	pcis = block;
	members = (uint16_t *)(pcis + nc);
	nc = m = 0;
	for (i = 0; i < inv->ndevices; i++) {
		if (!fleet_passthrough(&inv->devices[i]) || cls[i] != i)
			continue;
		pcis[nc].device_id = inv->devices[i].p->device_id;
		pcis[nc].rep = (uint16_t)i;
		pcis[nc].first = (uint32_t)m;
		for (j = i; j < inv->ndevices; j++) {
			if (cls[j] == i &&
			    fleet_passthrough(&inv->devices[j])) {
				members[m++] = (uint16_t)j;
				pcis[nc].count++;
			}
		}
		nc++;
	}
	free(cls);
	h->pcis = pcis;
	h->npcis = nc;
	h->members = members;
}

const struct fleet_type *
fleet_host_type(const struct fleet_host *h, const char *id)
{
	size_t	 lo = 0, hi = h->ntypes, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (h->types[mid].id == id)
			return (&h->types[mid]);
		if ((uintptr_t)h->types[mid].id < (uintptr_t)id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

struct fleet_prepared {
	struct fleet_host	 h;
};

struct fleet_prepared *
fleet_prepare(struct fleet *f, struct inventory *inv)
{
	struct fleet_prepared	*p = xcalloc(1, sizeof(*p));

	p->h.inv = inv;
	build_index(f, &p->h);
	return (p);
}

struct fleet_prepared *
fleet_commit(struct fleet *f, struct fleet_prepared *p, int64_t received_at,
    int64_t generation)
{
	struct fleet_host	 old;
	size_t			 i;
	int			 found;

	p->h.received_at = received_at;
	p->h.generation = generation;
	p->h.pinned = false;	/* a real report ends a demo host */
	i = lookup(f, p->h.inv->host, &found);
	if (found) {
		/* Swap the records: p comes back holding the old host. */
		old = f->hosts[i];
		f->hosts[i] = p->h;
		p->h = old;
		return (p);
	}
	if (f->nhosts == f->cap) {
		f->cap = f->cap < 16 ? 16 : f->cap * 2;
		f->hosts = xreallocarray(f->hosts, f->cap, sizeof(*f->hosts));
	}
	memmove(&f->hosts[i + 1], &f->hosts[i],
	    (f->nhosts - i) * sizeof(*f->hosts));
	f->nhosts++;
	f->hosts[i] = p->h;
	free(p);
	return (NULL);
}

void
fleet_discard(struct fleet_prepared *p)
{
	if (p == NULL)
		return;
	inventory_free(p->h.inv);
	free_index(&p->h);
	free(p);
}

void
fleet_put(struct fleet *f, struct inventory *inv, int64_t received_at,
    int64_t generation)
{
	fleet_discard(fleet_commit(f, fleet_prepare(f, inv), received_at,
	    generation));
}

int
fleet_seen(struct fleet *f, const char *host, const char *collected_at,
    int64_t received_at)
{
	size_t	 i;
	int	 found;

	i = lookup(f, host, &found);
	if (!found)
		return (-1);
	f->hosts[i].received_at = received_at;
	inv_set_collected_at(f->hosts[i].inv, collected_at);
	return (0);
}

int
fleet_pin(struct fleet *f, const char *host)
{
	size_t	 i;
	int	 found;

	i = lookup(f, host, &found);
	if (!found)
		return (-1);
	f->hosts[i].pinned = true;
	return (0);
}

int64_t
fleet_host_age(const struct fleet_host *h, int64_t now)
{
	if (h->pinned || now <= h->received_at)
		return (0);
	return (now - h->received_at);
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
	free_index(&f->hosts[i]);
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

size_t
fleet_position(const struct fleet *f, const char *host)
{
	int	 found;

	return (lookup(f, host, &found));
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
	uint64_t		 bit = vm_bit(uuid);
	size_t			 i;

	/*
	 * A linear walk: VM lookups are one per request and a host has a
	 * handful of VMs, so an index would cost more to keep than to skip.
	 * Should a VM show up on two hosts (a report taken mid-migration),
	 * the first in name order wins, deterministically. The walk
	 * reads the host records, one array, and only the inventories
	 * whose VM bits say they may run it: at ten thousand hosts a
	 * miss on every inventory cost more than the rest of a check.
	 */
	for (i = 0; i < f->nhosts; i++) {
		if ((f->hosts[i].vm_bits & bit) == 0)
			continue;
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
