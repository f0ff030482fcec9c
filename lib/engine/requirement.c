/* SPDX-License-Identifier: Apache-2.0 */
/*
 * requirement.c -- from the request's "source" to resolved requirements.
 *
 * Everything about the source is worked out once per request, before
 * any destination is looked at: which device each id names, whether it
 * is an instance (needs a slot of its type) or a passed-through PCI
 * device (needs a whole device), its type and device_api, its migration
 * flags and the policy rule that applies to it. The per-destination
 * loop in compat.c then only compares.
 *
 * An id is looked up first among the host's instances (mdev UUIDs and
 * NVIDIA VFs carrying a vGPU, whose id is the VF address), then among
 * its devices; an instance wins because a vGPU VF is both. Ids that
 * name nothing become requirements in state REQ_UNKNOWN rather than
 * errors, so the answer can say which one is missing.
 *
 * Descriptors (source.descriptors) are for callers that keep their own
 * inventory. Each is {"id"?, "device": {...}, "type"?: {...}}: "device"
 * takes the keys of an inventory device entry, any of them may be left
 * out and is then null (migration defaults from the built-in table of
 * variant drivers, types to [], attributes to {}); with "type" (keys of
 * a type entry; kind, id and device_api required) the descriptor is an
 * instance of that type on that parent, without it a passed-through
 * device. The entries go through the inventory codec, so they are
 * validated exactly like a pushed inventory and errors name the path
 * ("source.descriptors[0].device.vendor_id"). An optional
 * source.platform {"arch", "qemu_version"} states what the platform
 * checks compare against; without it they are unknown.
 *
 * A requirement whose matching key (type id, device_api, vendor, device
 * or subsystem id) is null on the source gets null_key: no slot can be
 * found by a value nobody knows, so the answer is SOURCE_INCOMPLETE,
 * never a match of null with null. The VMs whose own facts (vIOMMU,
 * backend, completeness) bear on the check are found here too: the VM
 * asked about, or every VM on the source host that holds a device asked
 * about.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compat.h"
#include "engine/compat_int.h"
#include "fleet/fleet.h"
#include "codec/inventory_json.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

static const char *const source_keys[] = { "host", "devices", "vm",
	"descriptors", "platform", NULL };
static const char *const descriptor_keys[] = { "id", "device", "type",
	NULL };
static const char *const dev_str_keys[] = { "vendor_id", "device_id",
	"subsystem_vendor_id", "subsystem_device_id", "class", "revision",
	"vendor_name", "device_name", "driver", "driver_version", "physfn",
	NULL };
static const char *const dev_int_keys[] = { "iommu_group", "numa_node",
	"sriov_totalvfs", "sriov_numvfs", NULL };
static const char *const type_opt_keys[] = { "name", "description",
	"available_instances", "migration_version", NULL };
static const char *const platform_keys[] = { "arch", "qemu_version", NULL };

static void	 resolve_id(const struct inventory *, const struct policy *,
		    const char *, struct requirement *);
static void	 set_pci(const struct policy *, struct requirement *);
static void	 find_vms(const struct inventory *, struct source *);
static int	 set_host(struct source *, const char *,
		    struct compat_status *);
static int	 set_vm(struct source *, const char *, struct compat_status *);
static int	 set_device(struct source *, size_t, const char *,
		    struct compat_status *);
static int	 check_shape(const struct source *, bool,
		    struct compat_status *);
static void	 reqs_alloc(struct source *, size_t);
static int	 source_lookup(const struct fleet *, const struct policy *,
		    struct source *);
static int	 parse_devices(const json_t *, struct source *,
		    struct compat_status *);
static int	 parse_descriptors(const struct policy *, const json_t *,
		    const json_t *, struct source *, struct compat_status *);
static int	 parse_descriptor(const struct policy *, const json_t *,
		    size_t, struct source *, struct compat_status *);
static json_t	*fill_defaults(const json_t *, const char *const *,
		    const char *const *);
static json_t	*jstr(const char *);

static json_t *
jstr(const char *s)
{
	return (s == NULL ? json_null() : json_string(s));
}

/* A passed-through device: what it needs and whether it can move. */
static void
set_pci(const struct policy *pol, struct requirement *r)
{
	const struct inv_device	*d = r->dev;

	r->kind = REQ_PCI;
	r->flags = d->p->migration.flags;
	r->flags_known = d->p->migration.flags_source != INV_FLAGS_NONE;
	r->rule = policy_match(pol, d, NULL);
	if (d->p->vendor_id == NULL)
		r->null_key = "vendor_id";
	else if (d->p->device_id == NULL)
		r->null_key = "device_id";
	else if (d->p->subsystem_vendor_id == NULL)
		r->null_key = "subsystem_vendor_id";
	else if (d->p->subsystem_device_id == NULL)
		r->null_key = "subsystem_device_id";
	if (d->p->ntypes > 0) {
		r->state = REQ_NOT_MIGRATABLE;
		r->why = "the device offers mediated types; its instances "
		    "migrate, the parent itself does not";
	} else if (!d->p->migration.capable || d->p->driver == NULL ||
	    strcmp(d->p->driver, "vfio-pci") == 0) {
		r->state = REQ_NOT_MIGRATABLE;
		r->why = "the bound driver has no migration support "
		    "(plain vfio-pci or no variant driver)";
	}
}

static void
resolve_id(const struct inventory *inv, const struct policy *pol,
    const char *id, struct requirement *r)
{
	const struct inv_instance	*in;
	const struct inv_type		*t;

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->pool = inv->pool;
	if ((in = inv_find_instance(inv, id)) != NULL) {
		r->kind = REQ_INSTANCE;
		r->tkind = in->kind;
		r->tid = in->type;
		r->parent = in->parent;
		if ((r->dev = inv_find_device(inv, in->parent)) == NULL) {
			r->state = REQ_UNKNOWN;
			r->why = "the instance's parent is not in the "
			    "inventory";
			return;
		}
		if ((t = inv_find_type(r->dev, in->kind, in->type)) == NULL) {
			/* A VF with a vGPU no longer lists creatable types;
			 * SPEC 2 fixes NVIDIA vGPU's device_api. */
			r->tbuf.kind = in->kind;
			r->tbuf.id = in->type;
			r->tbuf.device_api = in->kind == INV_KIND_NVIDIA_VGPU ?
			    "vfio-pci" : NULL;
			t = &r->tbuf;
		}
		r->type = t;
		r->device_api = t->device_api;
		if (r->tid == NULL)
			r->null_key = "type";
		else if (r->device_api == NULL)
			r->null_key = "device_api";
		r->flags = r->dev->p->migration.flags;
		r->flags_known = r->dev->p->migration.flags_source !=
		    INV_FLAGS_NONE;
		r->rule = policy_match(pol, r->dev, t);
		return;
	}
	if ((r->dev = inv_find_device(inv, id)) != NULL) {
		set_pci(pol, r);
		return;
	}
	r->state = REQ_UNKNOWN;
	r->why = "no device or instance of that id on the source host";
}

/*
 * The checks of the source's fields, one implementation for the JSON
 * request and the GET form's query: a NULL value is one that is present
 * but not a string.
 */
static int
set_host(struct source *src, const char *s, struct compat_status *st)
{
	if (s == NULL || str_host_fold(s, src->host_buf,
	    sizeof(src->host_buf)) == -1) {
		compat_fail(st, COMPAT_EINVAL, "source.host",
		    "must be a host name of letters, digits, '-', '_' "
		    "and '.', at most 253");
		return (-1);
	}
	src->host = src->host_buf;
	return (0);
}

static int
set_vm(struct source *src, const char *s, struct compat_status *st)
{
	if (s == NULL || !str_is_uuid(s)) {
		compat_fail(st, COMPAT_EINVAL, "source.vm",
		    "must be a lower-case UUID");
		return (-1);
	}
	src->vm = s;
	return (0);
}

/* Requirement i names device s; the ids before it are set already. */
static int
set_device(struct source *src, size_t i, const char *s,
    struct compat_status *st)
{
	size_t	 j;
	char	 field[64];

	if (s == NULL || !str_is_device_id(s)) {
		snprintf(field, sizeof(field), "source.devices[%zu]", i);
		compat_fail(st, COMPAT_EINVAL, field,
		    "must be a PCI address or instance id");
		return (-1);
	}
	for (j = 0; j < i; j++) {
		if (strcmp(src->reqs[j].id, s) == 0) {
			snprintf(field, sizeof(field), "source.devices[%zu]",
			    i);
			compat_fail(st, COMPAT_EINVAL, field,
			    "duplicate device %s", s);
			return (-1);
		}
	}
	src->reqs[i].id = s;
	return (0);
}

/* With host and vm set: the combination is one the SPEC knows. */
static int
check_shape(const struct source *src, bool devices, struct compat_status *st)
{
	if (src->vm != NULL && devices) {
		compat_fail(st, COMPAT_EINVAL, "source",
		    "give either devices or vm, not both");
		return (-1);
	}
	if (src->vm == NULL && (!devices || src->host == NULL)) {
		compat_fail(st, COMPAT_EINVAL,
		    src->host == NULL ? "source" : "source.devices",
		    "source must be {host, devices}, {host, vm}, {vm} or "
		    "{descriptors}");
		return (-1);
	}
	return (0);
}

/* Room for n requirements, zeroed: one, the GET form's, needs no
 * allocation. */
static void
reqs_alloc(struct source *src, size_t n)
{
	if (n <= 1) {
		memset(&src->req1, 0, sizeof(src->req1));
		src->reqs = &src->req1;
	} else
		src->reqs = xcalloc(n + 1, sizeof(*src->reqs));
	src->nreqs = n;
}

static int
parse_devices(const json_t *devs, struct source *src,
    struct compat_status *st)
{
	const json_t	*v;
	size_t		 i;

	if (!json_is_array(devs)) {
		compat_fail(st, COMPAT_EINVAL, "source.devices",
		    "must be an array of device ids");
		return (-1);
	}
	if (json_array_size(devs) == 0 ||
	    json_array_size(devs) > COMPAT_MAX_DEVICES) {
		compat_fail(st, COMPAT_EINVAL, "source.devices",
		    "must hold 1 to %d device ids", COMPAT_MAX_DEVICES);
		return (-1);
	}
	reqs_alloc(src, json_array_size(devs));
	json_array_foreach(devs, i, v) {
		if (set_device(src, i, json_string_value(v), st) == -1)
			return (-1);
	}
	return (0);
}

/* A copy of obj with every missing key of strs/ints set to null. */
static json_t *
fill_defaults(const json_t *obj, const char *const *strs,
    const char *const *ints)
{
	json_t	*o = json_copy((json_t *)obj);
	size_t	 i;

	for (i = 0; strs != NULL && strs[i] != NULL; i++)
		if (json_object_get(o, strs[i]) == NULL)
			json_object_set_new(o, strs[i], json_null());
	for (i = 0; ints != NULL && ints[i] != NULL; i++)
		if (json_object_get(o, ints[i]) == NULL)
			json_object_set_new(o, ints[i], json_null());
	return (o);
}

static int
parse_descriptor(const struct policy *pol, const json_t *obj, size_t idx,
    struct source *src, struct compat_status *st)
{
	struct inventory	*inv = src->scratch;
	struct inv_device	*d = &inv->devices[idx];
	struct requirement	*r = &src->reqs[idx];
	struct inv_type		*t;
	struct inv_error	 err;
	const json_t		*dj, *tj, *idj;
	json_t			*copy = NULL, *m;
	char			 path[64], field[96], label[32];
	const char		*id;
	unsigned int		 flags;
	int			 known, rc = -1;

	snprintf(path, sizeof(path), "source.descriptors[%zu]", idx);
	if (!json_is_object(obj)) {
		compat_fail(st, COMPAT_EINVAL, path,
		    "must be an object");
		return (-1);
	}
	if (compat_check_keys(obj, path, descriptor_keys, st) == -1)
		return (-1);
	snprintf(label, sizeof(label), "descriptor-%zu", idx);
	id = label;
	if ((idj = json_object_get(obj, "id")) != NULL) {
		snprintf(field, sizeof(field), "%s.id", path);
		if (!json_is_string(idj) ||
		    !str_is_device_id(json_string_value(idj))) {
			compat_fail(st, COMPAT_EINVAL, field,
			    "must be a device name of [A-Za-z0-9._:-], "
			    "at most 64");
			return (-1);
		}
		id = json_string_value(idj);
	}

	snprintf(field, sizeof(field), "%s.device", path);
	if ((dj = json_object_get(obj, "device")) == NULL ||
	    !json_is_object(dj)) {
		compat_fail(st, COMPAT_EINVAL, field,
		    "must be an object with the fields of a device entry");
		return (-1);
	}
	copy = fill_defaults(dj, dev_str_keys, dev_int_keys);
	if (json_object_get(copy, "address") == NULL)
		json_object_set_new(copy, "address", json_string(id));
	if (json_object_get(copy, "types") == NULL)
		json_object_set_new(copy, "types", json_array());
	if (json_object_get(copy, "attributes") == NULL)
		json_object_set_new(copy, "attributes", json_object());
	if (json_object_get(copy, "migration") == NULL) {
		/* What the collector would say about this driver. */
		const json_t	*drv = json_object_get(copy, "driver");

		known = json_is_string(drv) && inv_builtin_driver_flags(
		    json_string_value(drv), &flags) == 0;
		m = json_pack("{s:b,s:[],s:s,s:n}", "capable", known,
		    "flags", "flags_source", known ? "builtin" : "none",
		    "version");
		if (known) {
			unsigned int	 i;

			for (i = 0; i < 4; i++)
				if (flags & (1u << i))
					json_array_append_new(
					    json_object_get(m, "flags"),
					    json_string(inv_flag_names[i]));
		}
		json_object_set_new(copy, "migration", m);
	}
	memset(d, 0, sizeof(*d));
	if (inv_device_from_json(inv, copy, d, field, &err) == -1) {
		compat_fail(st, COMPAT_EINVAL, err.field, "%s",
		    err.message);
		goto fail;
	}
	json_decref(copy);
	copy = NULL;

	memset(r, 0, sizeof(*r));
	r->id = inv_str(inv, id);
	r->dev = d;
	if ((tj = json_object_get(obj, "type")) == NULL) {
		set_pci(pol, r);
		return (0);
	}
	snprintf(field, sizeof(field), "%s.type", path);
	if (!json_is_object(tj)) {
		compat_fail(st, COMPAT_EINVAL, field,
		    "must be an object with the fields of a type entry");
		goto fail;
	}
	copy = fill_defaults(tj, type_opt_keys, NULL);
	t = arena_calloc(inv->arena, 1, sizeof(*t));
	if (inv_type_from_json(inv, copy, t, field, &err) == -1) {
		compat_fail(st, COMPAT_EINVAL, err.field, "%s",
		    err.message);
		goto fail;
	}
	if (t->device_api == NULL) {
		snprintf(field, sizeof(field), "%s.type.device_api", path);
		compat_fail(st, COMPAT_EINVAL, field,
		    "must be given for a type descriptor");
		goto fail;
	}
	r->kind = REQ_INSTANCE;
	r->type = t;
	r->tkind = t->kind;
	r->tid = t->id;
	r->device_api = t->device_api;
	r->parent = d->address;
	if (r->tid == NULL)
		r->null_key = "type";
	r->flags = d->p->migration.flags;
	r->flags_known = d->p->migration.flags_source != INV_FLAGS_NONE;
	r->rule = policy_match(pol, d, t);
	rc = 0;

fail:
	json_decref(copy);
	return (rc);
}

static int
parse_descriptors(const struct policy *pol, const json_t *descs,
    const json_t *platform, struct source *src, struct compat_status *st)
{
	struct inventory	*inv;
	const json_t		*v;
	size_t			 i, n;
	char			 field[64];

	if (!json_is_array(descs) || json_array_size(descs) == 0 ||
	    json_array_size(descs) > COMPAT_MAX_DEVICES) {
		compat_fail(st, COMPAT_EINVAL, "source.descriptors",
		    "must be an array of 1 to %d descriptors",
		    COMPAT_MAX_DEVICES);
		return (-1);
	}
	n = json_array_size(descs);
	inv = src->scratch = inventory_new(NULL);
	/* Sized once: requirements point into this array. */
	inv->devices = arena_calloc(inv->arena, n + 1, sizeof(*inv->devices));
	inv->ndevices = inv->devices_cap = n;
	reqs_alloc(src, n);
	json_array_foreach(descs, i, v) {
		if (parse_descriptor(pol, v, i, src, st) == -1)
			return (-1);
	}
	for (i = 1; i < n; i++) {
		size_t	 j;

		for (j = 0; j < i; j++) {
			if (strcmp(src->reqs[i].id, src->reqs[j].id) != 0)
				continue;
			snprintf(field, sizeof(field),
			    "source.descriptors[%zu].id", i);
			compat_fail(st, COMPAT_EINVAL, field,
			    "duplicate id %s", src->reqs[i].id);
			return (-1);
		}
	}
	if (platform == NULL)
		return (0);
	if (!json_is_object(platform)) {
		compat_fail(st, COMPAT_EINVAL, "source.platform",
		    "must be an object");
		return (-1);
	}
	if (compat_check_keys(platform, "source.platform", platform_keys, st) == -1)
		return (-1);
	for (i = 0; platform_keys[i] != NULL; i++) {
		const char	**out;

		v = json_object_get(platform, platform_keys[i]);
		out = i == 0 ? &inv->platform.arch :
		    &inv->platform.qemu_version;
		if (v == NULL || json_is_null(v))
			continue;
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > 64 ||
		    !str_is_clean_utf8(json_string_value(v),
		    json_string_length(v))) {
			snprintf(field, sizeof(field), "source.platform.%s",
			    platform_keys[i]);
			compat_fail(st, COMPAT_EINVAL, field,
			    "must be a short string or null");
			return (-1);
		}
		*out = inv_str(inv, json_string_value(v));
	}
	src->platform = &inv->platform;
	return (0);
}

/* The VMs on the source host that hold a device the request names. */
static void
find_vms(const struct inventory *inv, struct source *src)
{
	const struct inv_vm	*vm;
	size_t			 i, k;

	for (i = 0; i < inv->nvms && src->nvms < COMPAT_MAX_DEVICES; i++) {
		vm = &inv->vms[i];
		for (k = 0; k < src->nreqs; k++) {
			if (inv_vm_holds(vm, src->reqs[k].id)) {
				src->vms[src->nvms++] = vm;
				break;
			}
		}
	}
}

int
source_resolve(const struct fleet *fleet, const struct policy *pol,
    const json_t *obj, enum mode mode, struct source *src,
    struct compat_status *st)
{
	const json_t		*host, *devs, *vm, *descs, *platform;

	memset(src, 0, sizeof(*src));
	if (obj == NULL || !json_is_object(obj)) {
		compat_fail(st, COMPAT_EINVAL, "source",
		    "must be an object");
		return (-1);
	}
	if (compat_check_keys(obj, "source", source_keys, st) == -1)
		return (-1);
	host = json_object_get(obj, "host");
	devs = json_object_get(obj, "devices");
	vm = json_object_get(obj, "vm");
	descs = json_object_get(obj, "descriptors");
	platform = json_object_get(obj, "platform");

	if (descs != NULL) {
		if (host != NULL || devs != NULL || vm != NULL) {
			compat_fail(st, COMPAT_EINVAL, "source",
			    "descriptors exclude host, devices and vm");
			return (-1);
		}
		if (mode == MODE_CPR) {
			compat_fail(st, COMPAT_EINVAL, "mode",
			    "cpr updates a host in place and needs "
			    "source.host");
			return (-1);
		}
		return (parse_descriptors(pol, descs, platform, src, st));
	}
	if (platform != NULL) {
		compat_fail(st, COMPAT_EINVAL, "source.platform",
		    "only allowed with descriptors");
		return (-1);
	}
	if (host != NULL && set_host(src, json_string_value(host), st) == -1)
		return (-1);
	if (vm != NULL && set_vm(src, json_string_value(vm), st) == -1)
		return (-1);
	if (check_shape(src, devs != NULL, st) == -1)
		return (-1);
	if (devs != NULL && parse_devices(devs, src, st) == -1)
		return (-1);
	return (source_lookup(fleet, pol, src));
}

int
source_resolve_one(const struct fleet *fleet, const struct policy *pol,
    const char *host, const char *vm, const char *device, struct source *src,
    struct compat_status *st)
{
	memset(src, 0, sizeof(*src));
	if (host != NULL && set_host(src, host, st) == -1)
		return (-1);
	if (vm != NULL && set_vm(src, vm, st) == -1)
		return (-1);
	if (check_shape(src, device != NULL, st) == -1)
		return (-1);
	if (device != NULL) {
		reqs_alloc(src, 1);
		if (set_device(src, 0, device, st) == -1)
			return (-1);
	}
	return (source_lookup(fleet, pol, src));
}

/* With the request's ids in src: the source host, its VM and what each
 * id names there. */
static int
source_lookup(const struct fleet *fleet, const struct policy *pol,
    struct source *src)
{
	const struct inv_vm	*ivm = NULL;
	const struct inventory	*inv;
	size_t			 i;

	if (src->host != NULL)
		src->fh = fleet_get(fleet, src->host);
	if (src->vm != NULL && src->host == NULL) {
		src->fh = fleet_find_vm(fleet, src->vm, &ivm);
		if (src->fh != NULL)
			src->host = src->fh->inv->host;
	}
	if (src->fh == NULL) {
		src->unknown = src->any_unknown = true;
		snprintf(src->unknown_field, sizeof(src->unknown_field), "%s",
		    src->host != NULL ? "source.host" : "source.vm");
		for (i = 0; i < src->nreqs; i++) {
			src->reqs[i].state = REQ_UNKNOWN;
			src->reqs[i].why = "the source host is not known";
		}
		return (0);
	}
	inv = src->fh->inv;
	src->platform = &inv->platform;
	if (src->vm != NULL) {
		if (ivm == NULL && (ivm = inv_find_vm(inv, src->vm)) == NULL) {
			src->unknown = src->any_unknown = true;
			snprintf(src->unknown_field,
			    sizeof(src->unknown_field), "source.vm");
			return (0);
		}
		reqs_alloc(src, ivm->ndevices);
		for (i = 0; i < ivm->ndevices; i++)
			src->reqs[i].id = ivm->devices[i];
		src->vms[0] = ivm;
		src->nvms = 1;
		src->vm_asked = true;
	}
	for (i = 0; i < src->nreqs; i++) {
		resolve_id(inv, pol, src->reqs[i].id, &src->reqs[i]);
		if (src->reqs[i].state == REQ_UNKNOWN && !src->any_unknown) {
			src->any_unknown = true;
			snprintf(src->unknown_field,
			    sizeof(src->unknown_field), src->vm != NULL ?
			    "source.vm" : "source.devices[%zu]", i);
		}
	}
	if (!src->vm_asked)
		find_vms(inv, src);
	return (0);
}

void
source_free(struct source *src)
{
	if (src->reqs != &src->req1)
		free(src->reqs);
	inventory_free(src->scratch);
	memset(src, 0, sizeof(*src));
}

json_t *
source_to_json(const struct source *src)
{
	json_t				*o = json_object(), *devs, *d, *f;
	const struct requirement	*r;
	const char			*state;
	size_t				 i, b;

	json_object_set_new(o, "host", jstr(src->host));
	if (src->vm != NULL)
		json_object_set_new(o, "vm", json_string(src->vm));
	devs = json_array();
	for (i = 0; i < src->nreqs; i++) {
		r = &src->reqs[i];
		d = json_object();
		json_object_set_new(d, "id", json_string(r->id));
		state = r->state == REQ_UNKNOWN ? "unknown" :
		    r->null_key != NULL ? "incomplete" :
		    r->state == REQ_OK ? "ok" : "not_migratable";
		json_object_set_new(d, "state", json_string(state));
		if (r->why != NULL)
			json_object_set_new(d, "message", json_string(r->why));
		if (r->state == REQ_UNKNOWN && r->dev == NULL) {
			json_array_append_new(devs, d);
			continue;
		}
		if (r->kind == REQ_INSTANCE) {
			json_object_set_new(d, "kind",
			    json_string(inv_kind_name(r->tkind)));
			json_object_set_new(d, "type", jstr(r->tid));
			json_object_set_new(d, "device_api",
			    jstr(r->device_api));
			json_object_set_new(d, "parent", jstr(r->parent));
		} else
			json_object_set_new(d, "kind", json_string("pci"));
		if (r->dev != NULL) {
			json_object_set_new(d, "vendor_id",
			    jstr(r->dev->p->vendor_id));
			json_object_set_new(d, "device_id",
			    jstr(r->dev->p->device_id));
			json_object_set_new(d, "subsystem_vendor_id",
			    jstr(r->dev->p->subsystem_vendor_id));
			json_object_set_new(d, "subsystem_device_id",
			    jstr(r->dev->p->subsystem_device_id));
			json_object_set_new(d, "driver",
			    jstr(r->dev->p->driver));
			json_object_set_new(d, "driver_version",
			    jstr(r->dev->p->driver_version));
			json_object_set_new(d, "migration_version",
			    jstr(policy_field_value(r->dev, r->type,
			    "migration_version")));
		}
		if (r->flags_known) {
			f = json_array();
			for (b = 0; b < 4; b++)
				if (r->flags & (1u << b))
					json_array_append_new(f,
					    json_string(inv_flag_names[b]));
		} else
			f = json_null();
		json_object_set_new(d, "flags", f);
		json_object_set_new(d, "policy",
		    jstr(policy_rule_name(r->rule)));
		json_array_append_new(devs, d);
	}
	json_object_set_new(o, "devices", devs);
	return (o);
}
