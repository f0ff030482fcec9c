/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fleet.c -- the in-memory fleet: name order, replace, delete,
 * VM lookup across hosts, the shared string pool and device profiles,
 * and the engine's per-host index of types and passthrough look-alikes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"

#include "fleet/fleet.h"
#include "model/inventory.h"
#include "util/strpool.h"

static struct inventory	*mk(struct fleet *, const char *, const char *);
static struct inv_device *vf(struct inventory *, const char *, const char *);
static struct inv_device *gpu(struct inventory *, const char *, const char *,
			    int32_t, int32_t);

/* A minimal inventory: one device with one type, optionally one VM. */
static struct inventory *
mk(struct fleet *f, const char *host, const char *vm)
{
	struct inventory	*inv = inventory_new(fleet_pool(f));
	struct inv_device	*d;
	struct inv_type		*t;
	struct inv_vm		*v;

	inv->host = inv_str(inv, host);
	d = inv_add_device(inv);
	d->address = inv_istr(inv, "0000:3b:00.0");
	t = inv_add_type(inv, d);
	t->id = inv_istr(inv, "nvidia-222");
	if (vm != NULL) {
		v = inv_add_vm(inv);
		v->uuid = inv_str(inv, vm);
		inv_vm_add_device(inv, v, "0000:3b:00.0");
	}
	return (inv);
}

START_TEST(sorted_and_found)
{
	struct fleet	*f = fleet_new();
	const char	*names[] = { "m", "c", "x", "a", "k" };
	size_t		 i;

	for (i = 0; i < 5; i++)
		fleet_put(f, mk(f, names[i], NULL), (int64_t)i, 1);
	ck_assert_uint_eq(fleet_count(f), 5);
	ck_assert_str_eq(fleet_at(f, 0)->inv->host, "a");
	ck_assert_str_eq(fleet_at(f, 1)->inv->host, "c");
	ck_assert_str_eq(fleet_at(f, 4)->inv->host, "x");
	ck_assert_ptr_null(fleet_at(f, 5));
	ck_assert_ptr_nonnull(fleet_get(f, "k"));
	ck_assert_int_eq(fleet_get(f, "k")->received_at, 4);
	ck_assert_ptr_null(fleet_get(f, "b"));
	ck_assert_ptr_null(fleet_get(f, "zz"));
	fleet_free(f);
}
END_TEST

START_TEST(replace_and_delete)
{
	struct fleet	*f = fleet_new();

	fleet_put(f, mk(f, "h1", NULL), 10, 1);
	fleet_put(f, mk(f, "h2", NULL), 10, 1);
	fleet_put(f, mk(f, "h1", NULL), 20, 2);
	ck_assert_uint_eq(fleet_count(f), 2);
	ck_assert_int_eq(fleet_get(f, "h1")->received_at, 20);
	ck_assert_int_eq(fleet_get(f, "h1")->generation, 2);
	ck_assert_int_eq(fleet_delete(f, "h1"), 0);
	ck_assert_int_eq(fleet_delete(f, "h1"), 1);
	ck_assert_uint_eq(fleet_count(f), 1);
	ck_assert_str_eq(fleet_at(f, 0)->inv->host, "h2");
	ck_assert_int_eq(fleet_delete(f, "h2"), 0);
	ck_assert_uint_eq(fleet_count(f), 0);
	fleet_free(f);
}
END_TEST

START_TEST(find_vm)
{
	struct fleet		*f = fleet_new();
	const struct inv_vm	*vm = NULL;
	const struct fleet_host	*h;
	const char		*u1 = "6f3b1c2d-0000-4000-8000-000000000001";

	fleet_put(f, mk(f, "h1", NULL), 1, 1);
	fleet_put(f, mk(f, "h2", u1), 1, 1);
	h = fleet_find_vm(f, u1, &vm);
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->inv->host, "h2");
	ck_assert_ptr_nonnull(vm);
	ck_assert_str_eq(vm->uuid, u1);
	ck_assert_ptr_null(fleet_find_vm(f,
	    "6f3b1c2d-0000-4000-8000-000000000009", &vm));
	ck_assert_ptr_null(vm);
	fleet_free(f);
}
END_TEST

START_TEST(shared_pool)
{
	struct fleet	*f = fleet_new();

	fleet_put(f, mk(f, "h1", NULL), 1, 1);
	fleet_put(f, mk(f, "h2", NULL), 1, 1);
	/* Equal strings from the fleet pool are one pointer. */
	ck_assert_ptr_eq(fleet_get(f, "h1")->inv->devices[0].p->types[0].id,
	    fleet_get(f, "h2")->inv->devices[0].p->types[0].id);
	ck_assert_ptr_eq(fleet_get(f, "h1")->inv->pool, fleet_pool(f));
	fleet_free(f);
}
END_TEST

static struct inv_device *
vf(struct inventory *inv, const char *addr, const char *dver)
{
	struct inv_device	*d = inv_add_device(inv);

	d->address = inv_istr(inv, addr);
	d->p->vendor_id = inv_istr(inv, "15b3");
	d->p->device_id = inv_istr(inv, "101e");
	d->p->driver = inv_istr(inv, "mlx5_vfio_pci");
	d->p->driver_version = inv_istr(inv, dver);
	d->p->migration.capable = true;
	return (d);
}

START_TEST(type_and_pci_index)
{
	struct fleet		*f = fleet_new();
	struct strpool		*other = strpool_new();
	struct inventory	*inv = mk(f, "h1", NULL), *inv2;
	struct inv_device	*d;
	struct inv_type		*t;
	const struct fleet_host	*h;
	const struct fleet_type	*ft;
	const char		*id;

	/* A second parent of nvidia-222, and one of another type. */
	d = inv_add_device(inv);
	d->address = inv_istr(inv, "0000:3c:00.0");
	t = inv_add_type(inv, d);
	t->id = inv_istr(inv, "nvidia-230");
	t = inv_add_type(inv, d);
	t->id = inv_istr(inv, "nvidia-222");
	inv_set_avail(d, t, 3);
	/* A third parent on another driver version: its own class. */
	d = inv_add_device(inv);
	d->address = inv_istr(inv, "0000:3d:00.0");
	d->p->driver_version = inv_istr(inv, "550.127.05");
	t = inv_add_type(inv, d);
	t->id = inv_istr(inv, "nvidia-222");
	vf(inv, "0000:5e:00.1", "6.8");
	vf(inv, "0000:5e:00.2", "6.8");
	vf(inv, "0000:5e:00.3", "6.9");
	d = vf(inv, "0000:5e:00.4", "6.8");
	d->p->driver = inv_istr(inv, "vfio-pci");
	fleet_put(f, inv, 1, 1);
	h = fleet_get(f, "h1");
	ck_assert(h->indexed);
	id = strpool_intern(fleet_pool(f), "nvidia-222");
	ft = fleet_host_type(h, id);
	ck_assert_ptr_nonnull(ft);
	ck_assert_uint_eq(ft->count, 3);
	ck_assert_uint_eq(h->offers[ft->first].device, 0);
	ck_assert_uint_eq(h->offers[ft->first + 1].device, 1);
	/* Sorted by the fleet: nvidia-222 comes first on 3c:00.0. */
	ck_assert_uint_eq(h->offers[ft->first + 1].type, 0);
	/* Both parents agree on every compared field: one representative;
	 * a null available_instances is no capacity. */
	ck_assert_uint_eq(h->offers[ft->first].rep, ft->first);
	ck_assert_uint_eq(h->offers[ft->first + 1].rep, ft->first);
	ck_assert_uint_eq(h->offers[ft->first].avail, 0);
	ck_assert_uint_eq(h->offers[ft->first + 1].avail, 3);
	ck_assert_uint_eq(h->offers[ft->first + 2].device, 2);
	ck_assert_uint_eq(h->offers[ft->first + 2].rep, ft->first + 2);
	ck_assert_ptr_nonnull(fleet_host_type(h,
	    strpool_intern(fleet_pool(f), "nvidia-230")));
	/* Same text, another pool: not found by pointer. */
	ck_assert_ptr_null(fleet_host_type(h, strpool_intern(other,
	    "nvidia-222")));
	/* Two look-alikes, one with another driver version; plain vfio-pci
	 * is no candidate. */
	ck_assert_uint_eq(h->npcis, 2);
	ck_assert_uint_eq(h->pcis[0].count, 2);
	ck_assert_uint_eq(h->pcis[0].rep, 3);
	ck_assert_uint_eq(h->members[h->pcis[0].first + 1], 4);
	ck_assert_uint_eq(h->pcis[1].count, 1);
	ck_assert(fleet_passthrough(&h->inv->devices[3]));
	ck_assert(!fleet_passthrough(&h->inv->devices[6]));
	ck_assert(!fleet_passthrough(&h->inv->devices[0]));

	/* An inventory from another pool is kept but not indexed. */
	inv2 = inventory_new(other);
	inv2->host = inv_str(inv2, "h2");
	fleet_put(f, inv2, 1, 1);
	ck_assert(!fleet_get(f, "h2")->indexed);
	fleet_free(f);
	strpool_free(other);
}
END_TEST

/* A GPU whose two types come out of order, with free instances a, b. */
static struct inv_device *
gpu(struct inventory *inv, const char *addr, const char *name, int32_t a,
    int32_t b)
{
	struct inv_device	*d = inv_add_device(inv);
	struct inv_type		*t;

	d->address = inv_istr(inv, addr);
	d->p->vendor_id = inv_istr(inv, "10de");
	d->p->driver = inv_istr(inv, "nvidia");
	t = inv_add_type(inv, d);
	t->id = inv_istr(inv, "nvidia-230");
	t->name = inv_istr(inv, name);
	inv_set_avail(d, t, a);
	t = inv_add_type(inv, d);
	t->id = inv_istr(inv, "nvidia-222");
	inv_set_avail(d, t, b);
	return (d);
}

/*
 * Alike devices hold one profile, across hosts too; sorting it moved
 * each device's free instances with its types; the inventory keeps
 * references only on its own strings, and every reference comes back.
 */
START_TEST(shared_profiles)
{
	struct fleet		*f = fleet_new();
	struct inventory	*inv;
	const struct inventory	*h1, *h2;
	size_t			 nstrings, bytes;

	inv = inventory_new(fleet_pool(f));
	inv->host = inv_str(inv, "h1");
	gpu(inv, "0000:3c:00.0", "GRID T4-8Q", 7, 1);
	gpu(inv, "0000:3b:00.0", "GRID T4-8Q", 5, 2);
	vf(inv, "0000:5e:00.1", "6.8");
	vf(inv, "0000:5e:00.2", "6.8");
	fleet_put(f, inv, 1, 1);
	inv = inventory_new(fleet_pool(f));
	inv->host = inv_str(inv, "h2");
	gpu(inv, "0000:3b:00.0", "GRID T4-8B", 3, 4);
	vf(inv, "0000:5e:00.1", "6.8");
	fleet_put(f, inv, 1, 1);

	h1 = fleet_get(f, "h1")->inv;
	h2 = fleet_get(f, "h2")->inv;
	ck_assert_ptr_eq(h1->devices[0].p, h1->devices[1].p);
	ck_assert_ptr_eq(h1->devices[2].p, h1->devices[3].p);
	ck_assert_ptr_eq(h1->devices[2].p, h2->devices[1].p);
	/* One type name apart: a profile of its own. */
	ck_assert_ptr_ne(h1->devices[0].p, h2->devices[0].p);
	ck_assert_uint_eq(fleet_profiles(f), 3);
	ck_assert_str_eq(h1->devices[0].address, "0000:3b:00.0");
	ck_assert_str_eq(h1->devices[0].p->types[0].id, "nvidia-222");
	ck_assert_int_eq(h1->devices[0].avail[0], 2);
	ck_assert_int_eq(h1->devices[0].avail[1], 5);
	ck_assert_int_eq(h1->devices[1].avail[0], 1);
	ck_assert_int_eq(h1->devices[1].avail[1], 7);
	/* Of h1's pooled strings only the four addresses are its own. */
	ck_assert_uint_eq(h1->npooled, 4);

	ck_assert_int_eq(fleet_delete(f, "h2"), 0);
	ck_assert_uint_eq(fleet_profiles(f), 2);
	ck_assert_int_eq(fleet_delete(f, "h1"), 0);
	ck_assert_uint_eq(fleet_profiles(f), 0);
	strpool_stats(fleet_pool(f), &nstrings, &bytes);
	ck_assert_uint_eq(nstrings, 0);
	fleet_free(f);
}
END_TEST

START_TEST(many_hosts)
{
	struct fleet	*f = fleet_new();
	char		 name[32];
	size_t		 i;

	/* Reverse order: every insert goes to the front. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "h%04zu", 999 - i);
		fleet_put(f, mk(f, name, NULL), 0, 1);
	}
	ck_assert_uint_eq(fleet_count(f), 1000);
	for (i = 1; i < 1000; i++)
		ck_assert_int_lt(strcmp(fleet_at(f, i - 1)->inv->host,
		    fleet_at(f, i)->inv->host), 0);
	ck_assert_ptr_nonnull(fleet_get(f, "h0500"));
	fleet_free(f);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("fleet");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, sorted_and_found);
	tcase_add_test(tc, replace_and_delete);
	tcase_add_test(tc, find_vm);
	tcase_add_test(tc, shared_pool);
	tcase_add_test(tc, type_and_pci_index);
	tcase_add_test(tc, shared_profiles);
	tcase_add_test(tc, many_hosts);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
