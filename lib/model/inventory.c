/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inventory.c -- building, sorting and looking up the inventory model.
 *
 * Arrays grow by doubling inside the arena; the old block is abandoned
 * rather than freed, which wastes at most the size of the final array
 * and only while an inventory is being built (parsed ones are exact).
 * A device's own profile is the exception: it is malloc'd, with its
 * types and attributes, because inventory_share() frees it for the
 * pool's copy, and an arena frees nothing alone.
 */
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "model/model_int.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/strpool.h"
#include "util/xmalloc.h"

static void	*grow(struct inventory *, void *, size_t, size_t, size_t,
		    size_t *);
static size_t	 pooled_slot(const char *const *, size_t, const char *);
static void	 pooled_grow(struct inventory *);
static void	 writable(const struct inventory *, const char *);
static void	 device_init(struct inventory *, struct inv_device *);
static void	 sort_types(struct inv_device *);
static bool	 pooled_has(const struct inventory *, const char *);
static void	 repool_keep(const struct inventory *, const char **, size_t,
		    const char *);
static void	 repool(struct inventory *);
static int	 cmp_device(const void *, const void *);
static int	 cmp_type(const void *, const void *);
static int	 cmp_attr(const void *, const void *);
static int	 cmp_instance(const void *, const void *);
static int	 cmp_vm(const void *, const void *);
static int	 cmp_str(const void *, const void *);
static void	 sort_array(void *, size_t, size_t,
		    int (*)(const void *, const void *));

const char *const inv_flag_names[4] = {
	"stop_copy", "p2p", "pre_copy", "dirty_tracking"
};

/* In-tree VFIO variant drivers and the migration features they offer. */
static const struct {
	const char	*driver;
	unsigned int	 flags;
} builtin_drivers[] = {
	{ "mlx5_vfio_pci",
	    MIG_STOP_COPY | MIG_P2P | MIG_PRE_COPY | MIG_DIRTY_TRACKING },
	{ "hisi_acc_vfio_pci",	MIG_STOP_COPY | MIG_PRE_COPY },
	{ "pds_vfio_pci",	MIG_STOP_COPY | MIG_P2P | MIG_DIRTY_TRACKING },
	{ "virtio_vfio_pci",	MIG_STOP_COPY | MIG_P2P | MIG_PRE_COPY },
	{ "qat_vfio_pci",	MIG_STOP_COPY | MIG_P2P | MIG_PRE_COPY },
	{ "xe-vfio-pci",	MIG_STOP_COPY | MIG_P2P },
};

struct inventory *
inventory_new(struct strpool *pool)
{
	struct inventory	*inv = xcalloc(1, sizeof(*inv));

	inv->arena = arena_new();
	inv->pool = pool;
	inv->platform.iommufd = INV_TRI_NULL;
	inv->platform.vfio_container = INV_TRI_NULL;
	inv->platform.iommu_dirty_tracking = INV_TRI_NULL;
	return (inv);
}

void
inventory_free(struct inventory *inv)
{
	size_t	 i;

	if (inv == NULL)
		return;
	if (inv->profiles != NULL)
		inv_profiles_release(inv->profiles, inv);
	else
		for (i = 0; i < inv->ndevices; i++)
			inv_profile_free(inv->devices[i].p);
	/* Pooled strings go back to the pool: the last user frees them. */
	if (inv->pool != NULL && inv->npooled > 0)
		strpool_release(inv->pool, inv->pooled, inv->pooled_cap);
	free(inv->pooled);
	arena_free(inv->arena);
	free(inv);
}

const char *
inv_str(struct inventory *inv, const char *s)
{
	if (s == NULL)
		return (NULL);
	return (arena_strdup(inv->arena, s));
}

/* In a set of pooled strings (cap slots, a power of two, one free at
 * least): the slot holding s, or the free one where s would go. Pooled
 * strings are one pointer per value, so pointers are compared. */
static size_t
pooled_slot(const char *const *set, size_t cap, const char *s)
{
	size_t	 i, mask = cap - 1;

	for (i = strpool_hash(s) & mask; set[i] != NULL && set[i] != s;
	    i = (i + 1) & mask)
		;
	return (i);
}

/* Twice the room, every held string filed again. */
static void
pooled_grow(struct inventory *inv)
{
	const char	**old = inv->pooled;
	size_t		  oldn = inv->pooled_cap, i;

	inv->pooled_cap = oldn < 64 ? 64 : oldn * 2;
	inv->pooled = xcalloc(inv->pooled_cap, sizeof(*inv->pooled));
	for (i = 0; i < oldn; i++)
		if (old[i] != NULL)
			inv->pooled[pooled_slot(inv->pooled, inv->pooled_cap,
			    old[i])] = old[i];
	free(old);
}

/*
 * A string this inventory already holds costs no new reference, so a
 * host of 64 alike VFs keeps one per distinct value rather than one per
 * use (16 KB of references per bench host before), and repeats never
 * take the pool's mutex.
 */
const char *
inv_istr(struct inventory *inv, const char *s)
{
	const char	*p;
	size_t		 i, mask;

	if (s == NULL)
		return (NULL);
	if (inv->pool == NULL)
		return (arena_strdup(inv->arena, s));
	if ((inv->npooled + 1) * 2 > inv->pooled_cap)
		pooled_grow(inv);
	mask = inv->pooled_cap - 1;
	for (i = strpool_hash(s) & mask; (p = inv->pooled[i]) != NULL;
	    i = (i + 1) & mask)
		if (strcmp(p, s) == 0)
			return (p);
	inv->npooled++;
	return (inv->pooled[i] = strpool_intern(inv->pool, s));
}

static bool
pooled_has(const struct inventory *inv, const char *s)
{
	return (s != NULL && inv->pooled_cap > 0 && inv->pooled[pooled_slot(
	    inv->pooled, inv->pooled_cap, s)] == s);
}

/* s into the set (cap slots) when inv holds a reference on it. */
static void
repool_keep(const struct inventory *inv, const char **set, size_t cap,
    const char *s)
{
	if (pooled_has(inv, s))
		set[pooled_slot(set, cap, s)] = s;
}

/*
 * After sharing, the profiles hold references of their own on their
 * strings; inv keeps only those of the strings it uses itself (140 per
 * bench host before, 4 KiB of set). Every string field outside the
 * profiles is listed here.
 */
static void
repool(struct inventory *inv)
{
	const char	**set, **drop;
	size_t		  cap = 16, i, j, n, need;

	if (inv->npooled == 0)
		return;
	need = 8 + inv->ninstances * 3 + inv->ndevices;
	for (i = 0; i < inv->nvms; i++)
		need += 3 + inv->vms[i].ndevices;
	while (cap < 2 * need)
		cap *= 2;
	set = xcalloc(cap, sizeof(*set));
	repool_keep(inv, set, cap, inv->host);
	repool_keep(inv, set, cap, inv->collected_at);
	repool_keep(inv, set, cap, inv->collector_version);
	repool_keep(inv, set, cap, inv->platform.kernel_release);
	repool_keep(inv, set, cap, inv->platform.arch);
	repool_keep(inv, set, cap, inv->platform.qemu_version);
	repool_keep(inv, set, cap, inv->platform.libvirt_version);
	for (i = 0; i < inv->ndevices; i++)
		repool_keep(inv, set, cap, inv->devices[i].address);
	for (i = 0; i < inv->ninstances; i++) {
		repool_keep(inv, set, cap, inv->instances[i].id);
		repool_keep(inv, set, cap, inv->instances[i].type);
		repool_keep(inv, set, cap, inv->instances[i].parent);
	}
	for (i = 0; i < inv->nvms; i++) {
		repool_keep(inv, set, cap, inv->vms[i].uuid);
		repool_keep(inv, set, cap, inv->vms[i].name);
		repool_keep(inv, set, cap, inv->vms[i].qemu_version);
		for (j = 0; j < inv->vms[i].ndevices; j++)
			repool_keep(inv, set, cap, inv->vms[i].devices[j]);
	}
	/* What the old set holds and the new one does not goes back. */
	drop = inv->pooled;
	for (i = n = 0; i < inv->pooled_cap; i++) {
		if (drop[i] == NULL)
			continue;
		if (set[pooled_slot(set, cap, drop[i])] == drop[i])
			drop[i] = NULL;
		else
			n++;
	}
	strpool_release(inv->pool, drop, inv->pooled_cap);
	free(drop);
	inv->pooled = set;
	inv->npooled -= n;
	inv->pooled_cap = cap;
}

void
inventory_share(struct inventory *inv, struct inv_profiles *pp)
{
	if (inv->profiles != NULL || inv->pool == NULL)
		return;
	/* A shared profile is never sorted again. */
	inventory_sort(inv);
	if (inv_profiles_intern(pp, inv) == 0)
		repool(inv);
}

void
inv_set_collected_at(struct inventory *inv, const char *at)
{
	size_t	 len = strlen(at);

	if (inv->collected_at != NULL && strlen(inv->collected_at) == len)
		memcpy((char *)(uintptr_t)inv->collected_at, at, len);
	else
		inv->collected_at = inv_str(inv, at);
}

/*
 * Make room for one more element of size esize in an array holding n of
 * cap; returns the (possibly new) base and stores the capacity in *ncap.
 */
static void *
grow(struct inventory *inv, void *base, size_t n, size_t cap, size_t esize,
    size_t *ncap)
{
	void	*nbase;

	*ncap = cap;
	if (n < cap)
		return (base);
	*ncap = cap < 4 ? 4 : cap * 2;
	nbase = arena_calloc(inv->arena, *ncap, esize);
	if (n > 0)
		memcpy(nbase, base, n * esize);
	return (nbase);
}

/* A shared inventory is read by checks on other threads: a caller that
 * would change one has a bug no answer should be built on. */
static void
writable(const struct inventory *inv, const char *func)
{
	if (inv->profiles == NULL)
		return;
	log_errorx("%s: inventory of %s is shared, read-only", func,
	    inv->host != NULL ? inv->host : "(no host)");
	abort();
}

static void
device_init(struct inventory *inv, struct inv_device *d)
{
	writable(inv, __func__);
	memset(d, 0, sizeof(*d));
	d->iommu_group = d->numa_node = INV_NULL;
	d->p = xcalloc(1, sizeof(*d->p));
	d->p->sriov_totalvfs = d->p->sriov_numvfs = INV_NULL;
}

struct inv_device *
inv_add_device(struct inventory *inv)
{
	struct inv_device	*d;

	inv->devices = grow(inv, inv->devices, inv->ndevices, inv->devices_cap,
	    sizeof(*inv->devices), &inv->devices_cap);
	d = &inv->devices[inv->ndevices++];
	device_init(inv, d);
	return (d);
}

void
inv_forget_device(struct inventory *inv, struct inv_device *d)
{
	writable(inv, __func__);
	inv_profile_free(d->p);
	d->p = NULL;
}

void
inv_init_devices(struct inventory *inv, struct inv_device *d, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		device_init(inv, &d[i]);
}

struct inv_type *
inv_add_type(struct inventory *inv, struct inv_device *d)
{
	struct inv_profile	*p = d->p;
	struct inv_type		*t;
	size_t			 cap;

	writable(inv, __func__);
	if (p->ntypes == p->types_cap) {
		d->avail = grow(inv, d->avail, p->ntypes, p->types_cap,
		    sizeof(*d->avail), &cap);
		p->types = xreallocarray(p->types, cap, sizeof(*p->types));
		p->types_cap = (uint32_t)cap;
	}
	d->avail[p->ntypes] = INV_NULL;
	t = &p->types[p->ntypes++];
	memset(t, 0, sizeof(*t));
	return (t);
}

struct inv_type *
inv_alloc_types(struct inventory *inv, struct inv_device *d, size_t n)
{
	struct inv_profile	*p = d->p;
	size_t			 i;

	writable(inv, __func__);
	free(p->types);
	p->types = n > 0 ? xcalloc(n, sizeof(*p->types)) : NULL;
	p->ntypes = p->types_cap = (uint32_t)n;
	d->avail = n > 0 ? arena_calloc(inv->arena, n, sizeof(*d->avail)) :
	    NULL;
	for (i = 0; i < n; i++)
		d->avail[i] = INV_NULL;
	return (p->types);
}

int32_t
inv_avail(const struct inv_device *d, const struct inv_type *t)
{
	return (d->avail[t - d->p->types]);
}

void
inv_set_avail(struct inv_device *d, const struct inv_type *t, int32_t n)
{
	d->avail[t - d->p->types] = n;
}

void
inv_reserve_attrs(struct inv_device *d, size_t n)
{
	struct inv_profile	*p = d->p;

	if (n <= p->attrs_cap)
		return;
	p->attrs = xreallocarray(p->attrs, n, sizeof(*p->attrs));
	p->attrs_cap = (uint32_t)n;
}

void
inv_set_attr(struct inventory *inv, struct inv_device *d, const char *key,
    const char *value)
{
	struct inv_profile	*p = d->p;
	size_t			 i;

	writable(inv, __func__);
	for (i = 0; i < p->nattrs; i++) {
		if (strcmp(p->attrs[i].key, key) == 0) {
			p->attrs[i].value = inv_istr(inv, value);
			return;
		}
	}
	if (p->nattrs == p->attrs_cap)
		inv_reserve_attrs(d, p->attrs_cap < 4 ? 4 : p->attrs_cap * 2);
	p->attrs[p->nattrs].key = inv_istr(inv, key);
	p->attrs[p->nattrs].value = inv_istr(inv, value);
	p->nattrs++;
	sort_array(p->attrs, p->nattrs, sizeof(*p->attrs), cmp_attr);
}

const char *
inv_get_attr(const struct inv_device *d, const char *key)
{
	size_t	 i;

	for (i = 0; i < d->p->nattrs; i++)
		if (strcmp(d->p->attrs[i].key, key) == 0)
			return (d->p->attrs[i].value);
	return (NULL);
}

struct inv_instance *
inv_add_instance(struct inventory *inv)
{
	struct inv_instance	*in;

	inv->instances = grow(inv, inv->instances, inv->ninstances,
	    inv->instances_cap, sizeof(*inv->instances), &inv->instances_cap);
	in = &inv->instances[inv->ninstances++];
	memset(in, 0, sizeof(*in));
	return (in);
}

struct inv_vm *
inv_add_vm(struct inventory *inv)
{
	struct inv_vm	*vm;

	inv->vms = grow(inv, inv->vms, inv->nvms, inv->vms_cap,
	    sizeof(*inv->vms), &inv->vms_cap);
	vm = &inv->vms[inv->nvms++];
	memset(vm, 0, sizeof(*vm));
	vm->pid = INV_NULL;
	vm->complete = INV_TRI_NULL;
	vm->viommu = INV_TRI_NULL;
	vm->ram_shared = INV_TRI_NULL;
	vm->backend = INV_BACKEND_NULL;
	return (vm);
}

void
inv_vm_add_device(struct inventory *inv, struct inv_vm *vm, const char *dev)
{
	size_t	 i, cap;

	for (i = 0; i < vm->ndevices; i++)
		if (strcmp(vm->devices[i], dev) == 0)
			return;
	vm->devices = grow(inv, vm->devices, vm->ndevices, vm->devices_cap,
	    sizeof(*vm->devices), &cap);
	vm->devices_cap = (uint32_t)cap;
	vm->devices[vm->ndevices++] = inv_str(inv, dev);
}

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

static int
cmp_device(const void *a, const void *b)
{
	return (strcmp(((const struct inv_device *)a)->address,
	    ((const struct inv_device *)b)->address));
}

static int
cmp_type(const void *a, const void *b)
{
	const struct inv_type	*ta = a, *tb = b;

	if (ta->kind != tb->kind)
		return (ta->kind < tb->kind ? -1 : 1);
	return (strcmp(ta->id, tb->id));
}

static int
cmp_attr(const void *a, const void *b)
{
	return (strcmp(((const struct inv_attr *)a)->key,
	    ((const struct inv_attr *)b)->key));
}

static int
cmp_instance(const void *a, const void *b)
{
	return (strcmp(((const struct inv_instance *)a)->id,
	    ((const struct inv_instance *)b)->id));
}

static int
cmp_vm(const void *a, const void *b)
{
	return (strcmp(((const struct inv_vm *)a)->uuid,
	    ((const struct inv_vm *)b)->uuid));
}

/* qsort() of a NULL base is undefined even for n == 0 (UBSan says so).
 * An array in order already (a collector's document; a second sort by
 * inventory_share()) costs one pass. */
static void
sort_array(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	size_t	 i;

	for (i = 1; i < n; i++)
		if (cmp((char *)base + (i - 1) * size,
		    (char *)base + i * size) > 0)
			break;
	if (i < n)
		qsort(base, n, size, cmp);
}

/* d's types in canonical order, avail permuted with them: an insertion
 * sort, as lists are short and nearly always in order already. */
static void
sort_types(struct inv_device *d)
{
	struct inv_type	*types = d->p->types, t;
	int32_t		 a;
	size_t		 i, j;

	for (i = 1; i < d->p->ntypes; i++) {
		if (cmp_type(&types[i - 1], &types[i]) <= 0)
			continue;
		t = types[i];
		a = d->avail[i];
		for (j = i; j > 0 && cmp_type(&types[j - 1], &t) > 0; j--) {
			types[j] = types[j - 1];
			d->avail[j] = d->avail[j - 1];
		}
		types[j] = t;
		d->avail[j] = a;
	}
}

void
inventory_sort(struct inventory *inv)
{
	size_t	 i;

	sort_array(inv->devices, inv->ndevices, sizeof(*inv->devices),
	    cmp_device);
	/* A shared profile was sorted before it was shared. */
	for (i = 0; i < inv->ndevices && inv->profiles == NULL; i++) {
		sort_types(&inv->devices[i]);
		sort_array(inv->devices[i].p->attrs, inv->devices[i].p->nattrs,
		    sizeof(*inv->devices[i].p->attrs), cmp_attr);
	}
	sort_array(inv->instances, inv->ninstances, sizeof(*inv->instances),
	    cmp_instance);
	sort_array(inv->vms, inv->nvms, sizeof(*inv->vms), cmp_vm);
	for (i = 0; i < inv->nvms; i++)
		sort_array(inv->vms[i].devices, inv->vms[i].ndevices,
		    sizeof(*inv->vms[i].devices), cmp_str);
}

struct inv_device *
inv_find_device(const struct inventory *inv, const char *address)
{
	size_t	 i;

	for (i = 0; i < inv->ndevices; i++)
		if (strcmp(inv->devices[i].address, address) == 0)
			return (&inv->devices[i]);
	return (NULL);
}

struct inv_instance *
inv_find_instance(const struct inventory *inv, const char *id)
{
	size_t	 i;

	for (i = 0; i < inv->ninstances; i++)
		if (strcmp(inv->instances[i].id, id) == 0)
			return (&inv->instances[i]);
	return (NULL);
}

struct inv_vm *
inv_find_vm(const struct inventory *inv, const char *uuid)
{
	size_t	 i;

	for (i = 0; i < inv->nvms; i++)
		if (strcmp(inv->vms[i].uuid, uuid) == 0)
			return (&inv->vms[i]);
	return (NULL);
}

struct inv_type *
inv_find_type(const struct inv_device *d, enum inv_kind kind, const char *id)
{
	size_t	 i;

	for (i = 0; i < d->p->ntypes; i++)
		if (d->p->types[i].kind == kind &&
		    strcmp(d->p->types[i].id, id) == 0)
			return (&d->p->types[i]);
	return (NULL);
}

bool
inv_vm_holds(const struct inv_vm *vm, const char *id)
{
	uint32_t	 i;

	for (i = 0; i < vm->ndevices; i++)
		if (strcmp(vm->devices[i], id) == 0)
			return (true);
	return (false);
}

const struct inv_vm *
inv_vm_holding(const struct inventory *inv, const char *id)
{
	size_t	 i;

	for (i = 0; i < inv->nvms; i++)
		if (inv_vm_holds(&inv->vms[i], id))
			return (&inv->vms[i]);
	return (NULL);
}

size_t
inv_count_instances(const struct inventory *inv, const struct inv_device *d,
    const struct inv_type *t)
{
	const struct inv_instance	*in;
	size_t				 i, n = 0;

	for (i = 0; i < inv->ninstances; i++) {
		in = &inv->instances[i];
		if (in->kind == t->kind && in->parent != NULL &&
		    in->type != NULL && strcmp(in->parent, d->address) == 0 &&
		    strcmp(in->type, t->id) == 0)
			n++;
	}
	return (n);
}

const char *
inv_kind_name(enum inv_kind kind)
{
	return (kind == INV_KIND_NVIDIA_VGPU ? "nvidia-vgpu" : "mdev");
}

int
inv_kind_parse(const char *s, enum inv_kind *kind)
{
	if (strcmp(s, "mdev") == 0)
		*kind = INV_KIND_MDEV;
	else if (strcmp(s, "nvidia-vgpu") == 0)
		*kind = INV_KIND_NVIDIA_VGPU;
	else
		return (-1);
	return (0);
}

const char *
inv_flags_source_name(enum inv_flags_source src)
{
	switch (src) {
	case INV_FLAGS_PROBE:
		return ("probe");
	case INV_FLAGS_BUILTIN:
		return ("builtin");
	case INV_FLAGS_KERNEL:
		return ("kernel");
	case INV_FLAGS_NONE:
		break;
	}
	return ("none");
}

const char *
inv_backend_name(enum inv_backend b)
{
	switch (b) {
	case INV_BACKEND_CONTAINER:
		return ("container");
	case INV_BACKEND_IOMMUFD:
		return ("iommufd");
	case INV_BACKEND_NULL:
		break;
	}
	return (NULL);
}

int
inv_backend_parse(const char *s, enum inv_backend *b)
{
	if (strcmp(s, "container") == 0)
		*b = INV_BACKEND_CONTAINER;
	else if (strcmp(s, "iommufd") == 0)
		*b = INV_BACKEND_IOMMUFD;
	else
		return (-1);
	return (0);
}

bool
inv_driver_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		if (*a != *b && !((*a == '-' || *a == '_') &&
		    (*b == '-' || *b == '_')))
			return (false);
		if (*a == '\0')
			return (true);
	}
}

int
inv_flag_parse(const char *s, unsigned int *bit)
{
	size_t	 i;

	for (i = 0; i < 4; i++) {
		if (strcmp(s, inv_flag_names[i]) == 0) {
			*bit = 1u << i;
			return (0);
		}
	}
	return (-1);
}

int
inv_builtin_driver_flags(const char *driver, unsigned int *flags)
{
	size_t	 i;

	if (driver == NULL)
		return (-1);
	for (i = 0; i < sizeof(builtin_drivers) / sizeof(builtin_drivers[0]);
	    i++) {
		if (inv_driver_eq(builtin_drivers[i].driver, driver)) {
			*flags = builtin_drivers[i].flags;
			return (0);
		}
	}
	return (-1);
}
