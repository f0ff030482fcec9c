/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile.c -- device profiles shared across a fleet.
 *
 * A host of the fleet bench holds 73 devices: 64 alike VFs and 8 alike
 * GPUs. Held one per device, their profiles (168 bytes each, with 16
 * types of 48 bytes per GPU) were most of the 26 KiB a host cost; pooled,
 * a fleet holds one per distinct kind of device and a host holds only
 * what is its own (address, IOMMU group, NUMA node, free instances).
 *
 * The pool is a chained hash table under one mutex, filed by a hash of
 * the profile's content. inventory_share() (inventory.c, which owns the
 * inventory's own string references) calls inv_profiles_intern(); that
 * hashes outside the lock and
 * takes it once per inventory; a profile first seen is copied into one
 * block with a reference on each of its strings, so it outlives the
 * inventory that brought it. References are counted per device; the
 * last one frees the copy and gives its strings back.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "model/model_int.h"
#include "util/strpool.h"
#include "util/xmalloc.h"

struct inv_profiles {
	pthread_mutex_t		  lock;
	struct strpool		 *strings;
	struct inv_profile	**buckets;
	size_t			  nbuckets;	/* a power of two */
	size_t			  count;
};

static const char	**str_at(const void *, size_t);
static uint64_t		 mix(uint64_t, uint64_t);
static uint64_t		 hash_str(uint64_t, const char *);
static uint64_t		 profile_hash(const struct inv_profile *);
static bool		 str_eq(const char *, const char *);
static bool		 profile_eq(const struct inv_profile *,
			    const struct inv_profile *);
static struct inv_profile *profile_copy(struct strpool *,
			    const struct inv_profile *);
static void		 profile_drop(struct strpool *, struct inv_profile *);
static void		 rehash(struct inv_profiles *);

/* Every string field of a profile and of a type, by offset: what a
 * pool copy references, compares and gives back. */
static const size_t profile_strs[] = {
	offsetof(struct inv_profile, vendor_id),
	offsetof(struct inv_profile, device_id),
	offsetof(struct inv_profile, subsystem_vendor_id),
	offsetof(struct inv_profile, subsystem_device_id),
	offsetof(struct inv_profile, class),
	offsetof(struct inv_profile, revision),
	offsetof(struct inv_profile, vendor_name),
	offsetof(struct inv_profile, device_name),
	offsetof(struct inv_profile, driver),
	offsetof(struct inv_profile, driver_version),
	offsetof(struct inv_profile, physfn),
	offsetof(struct inv_profile, migration.version),
};
static const size_t type_strs[] = {
	offsetof(struct inv_type, id),
	offsetof(struct inv_type, name),
	offsetof(struct inv_type, device_api),
	offsetof(struct inv_type, description),
	offsetof(struct inv_type, migration_version),
};
#define NPROFILE_STRS	(sizeof(profile_strs) / sizeof(profile_strs[0]))
#define NTYPE_STRS	(sizeof(type_strs) / sizeof(type_strs[0]))

/* The string field at offset off of a profile or type. */
static const char **
str_at(const void *base, size_t off)
{
	return ((const char **)(uintptr_t)((const char *)base + off));
}

struct inv_profiles *
inv_profiles_new(struct strpool *strings)
{
	struct inv_profiles	*pp = xcalloc(1, sizeof(*pp));

	pthread_mutex_init(&pp->lock, NULL);
	pp->strings = strings;
	pp->nbuckets = 64;
	pp->buckets = xcalloc(pp->nbuckets, sizeof(*pp->buckets));
	return (pp);
}

void
inv_profiles_free(struct inv_profiles *pp)
{
	struct inv_profile	*p, *next;
	size_t			 i;

	if (pp == NULL)
		return;
	for (i = 0; i < pp->nbuckets; i++) {
		for (p = pp->buckets[i]; p != NULL; p = next) {
			next = p->next;
			profile_drop(pp->strings, p);
		}
	}
	free(pp->buckets);
	pthread_mutex_destroy(&pp->lock);
	free(pp);
}

size_t
inv_profiles_count(struct inv_profiles *pp)
{
	size_t	 n;

	pthread_mutex_lock(&pp->lock);
	n = pp->count;
	pthread_mutex_unlock(&pp->lock);
	return (n);
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return (h);
}

static uint64_t
hash_str(uint64_t h, const char *s)
{
	return (mix(h, s != NULL ? strpool_hash(s) : 0x5bd1e995ULL));
}

static uint64_t
profile_hash(const struct inv_profile *p)
{
	uint64_t	 h = 0;
	uint32_t	 i;

	h = hash_str(h, p->vendor_id);
	h = hash_str(h, p->device_id);
	h = hash_str(h, p->subsystem_vendor_id);
	h = hash_str(h, p->subsystem_device_id);
	h = hash_str(h, p->class);
	h = hash_str(h, p->revision);
	h = hash_str(h, p->driver);
	h = hash_str(h, p->driver_version);
	h = hash_str(h, p->physfn);
	h = mix(h, (uint64_t)(uint32_t)p->sriov_totalvfs << 32 |
	    (uint32_t)p->sriov_numvfs);
	h = mix(h, (uint64_t)p->migration.capable << 40 |
	    (uint64_t)p->migration.flags_source << 32 | p->migration.flags);
	h = hash_str(h, p->migration.version);
	h = mix(h, (uint64_t)p->ntypes << 32 | p->nattrs << 1 |
	    p->types_truncated);
	for (i = 0; i < p->ntypes; i++) {
		h = hash_str(h, p->types[i].id);
		h = mix(h, (uint64_t)p->types[i].kind);
	}
	for (i = 0; i < p->nattrs; i++)
		h = hash_str(hash_str(h, p->attrs[i].key), p->attrs[i].value);
	/* The names and descriptions follow the ids nearly always; they
	 * are compared, not hashed. */
	return (h);
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == b)
		return (true);
	return (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
profile_eq(const struct inv_profile *a, const struct inv_profile *b)
{
	size_t		 k;
	uint32_t	 i;

	if (a->ntypes != b->ntypes || a->nattrs != b->nattrs ||
	    a->types_truncated != b->types_truncated ||
	    a->sriov_totalvfs != b->sriov_totalvfs ||
	    a->sriov_numvfs != b->sriov_numvfs ||
	    a->migration.capable != b->migration.capable ||
	    a->migration.flags != b->migration.flags ||
	    a->migration.flags_source != b->migration.flags_source)
		return (false);
	for (k = 0; k < NPROFILE_STRS; k++)
		if (!str_eq(*str_at(a, profile_strs[k]),
		    *str_at(b, profile_strs[k])))
			return (false);
	for (i = 0; i < a->ntypes; i++) {
		if (a->types[i].kind != b->types[i].kind)
			return (false);
		for (k = 0; k < NTYPE_STRS; k++)
			if (!str_eq(*str_at(&a->types[i], type_strs[k]),
			    *str_at(&b->types[i], type_strs[k])))
				return (false);
	}
	for (i = 0; i < a->nattrs; i++)
		if (!str_eq(a->attrs[i].key, b->attrs[i].key) ||
		    !str_eq(a->attrs[i].value, b->attrs[i].value))
			return (false);
	return (true);
}

/* The pool's copy of p: one block, every string a reference of its own. */
static struct inv_profile *
profile_copy(struct strpool *sp, const struct inv_profile *p)
{
	struct inv_profile	*c;
	const char		**f;
	size_t			 size, k;
	uint32_t		 i;

	size = sizeof(*c) + p->ntypes * sizeof(*c->types) +
	    p->nattrs * sizeof(*c->attrs);
	c = xcalloc(1, size);
	*c = *p;
	c->types = p->ntypes > 0 ? (struct inv_type *)(c + 1) : NULL;
	c->attrs = p->nattrs > 0 ?
	    (struct inv_attr *)((struct inv_type *)(c + 1) + p->ntypes) : NULL;
	c->types_cap = c->ntypes;
	c->attrs_cap = c->nattrs;
	for (k = 0; k < NPROFILE_STRS; k++) {
		f = str_at(c, profile_strs[k]);
		*f = strpool_intern(sp, *f);
	}
	for (i = 0; i < p->ntypes; i++) {
		c->types[i] = p->types[i];
		for (k = 0; k < NTYPE_STRS; k++) {
			f = str_at(&c->types[i], type_strs[k]);
			*f = strpool_intern(sp, *f);
		}
	}
	for (i = 0; i < p->nattrs; i++) {
		c->attrs[i].key = strpool_intern(sp, p->attrs[i].key);
		c->attrs[i].value = strpool_intern(sp, p->attrs[i].value);
	}
	c->shared = true;
	c->refs = 0;
	c->next = NULL;
	return (c);
}

/* A pool copy, its strings given back. */
static void
profile_drop(struct strpool *sp, struct inv_profile *c)
{
	size_t		 k;
	uint32_t	 i;

	for (k = 0; k < NPROFILE_STRS; k++)
		strpool_release(sp, str_at(c, profile_strs[k]), 1);
	for (i = 0; i < c->ntypes; i++)
		for (k = 0; k < NTYPE_STRS; k++)
			strpool_release(sp, str_at(&c->types[i],
			    type_strs[k]), 1);
	for (i = 0; i < c->nattrs; i++) {
		strpool_release(sp, &c->attrs[i].key, 1);
		strpool_release(sp, &c->attrs[i].value, 1);
	}
	free(c);
}

void
inv_profile_free(struct inv_profile *p)
{
	if (p == NULL || p->shared)
		return;
	free(p->types);
	free(p->attrs);
	free(p);
}

static void
rehash(struct inv_profiles *pp)
{
	struct inv_profile	**nb, *p, *next;
	size_t			  n = pp->nbuckets * 2, i;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < pp->nbuckets; i++) {
		for (p = pp->buckets[i]; p != NULL; p = next) {
			next = p->next;
			p->next = nb[p->hash & (n - 1)];
			nb[p->hash & (n - 1)] = p;
		}
	}
	free(pp->buckets);
	pp->buckets = nb;
	pp->nbuckets = n;
}

int
inv_profiles_intern(struct inv_profiles *pp, struct inventory *inv)
{
	struct inv_device	*d;
	struct inv_profile	*p, *own;
	size_t			 i;

	if (inv->profiles != NULL || inv->pool != pp->strings)
		return (-1);
	for (i = 0; i < inv->ndevices; i++)
		inv->devices[i].p->hash = profile_hash(inv->devices[i].p);
	pthread_mutex_lock(&pp->lock);
	for (i = 0; i < inv->ndevices; i++) {
		d = &inv->devices[i];
		own = d->p;
		/* Alike neighbours (a NIC's VFs) need no second search. */
		if (i > 0 && inv->devices[i - 1].p->hash == own->hash &&
		    profile_eq(inv->devices[i - 1].p, own)) {
			p = inv->devices[i - 1].p;
		} else {
			for (p = pp->buckets[own->hash & (pp->nbuckets - 1)];
			    p != NULL; p = p->next)
				if (p->hash == own->hash && profile_eq(p, own))
					break;
			if (p == NULL) {
				p = profile_copy(pp->strings, own);
				if (pp->count >= pp->nbuckets)
					rehash(pp);
				p->next = pp->buckets[p->hash &
				    (pp->nbuckets - 1)];
				pp->buckets[p->hash & (pp->nbuckets - 1)] = p;
				pp->count++;
			}
		}
		p->refs++;
		d->p = p;
		inv_profile_free(own);
	}
	inv->profiles = pp;
	pthread_mutex_unlock(&pp->lock);
	return (0);
}

void
inv_profiles_release(struct inv_profiles *pp, struct inventory *inv)
{
	struct inv_profile	*dead = NULL, *p, **pq;
	size_t			 i;

	pthread_mutex_lock(&pp->lock);
	for (i = 0; i < inv->ndevices; i++) {
		p = inv->devices[i].p;
		if (--p->refs > 0)
			continue;
		for (pq = &pp->buckets[p->hash & (pp->nbuckets - 1)];
		    *pq != p; pq = &(*pq)->next)
			;
		*pq = p->next;
		pp->count--;
		p->next = dead;
		dead = p;
	}
	pthread_mutex_unlock(&pp->lock);
	for (p = dead; p != NULL; p = dead) {
		dead = p->next;
		profile_drop(pp->strings, p);
	}
}
