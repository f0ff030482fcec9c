/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inventory_json.c -- parse, validate and print the v1 document.
 *
 * Parsing is schema-driven rather than generic: every object is walked
 * key by key against the fields it may have, so unknown keys, wrong
 * types, bad ids and oversize strings are all caught in one pass and the
 * error names the exact path ("devices[3].types[0].id"). Nothing is kept
 * from a document that fails; the caller gets NULL and the reason.
 *
 * Printing follows the field order of SPEC section 2 and relies on the
 * caller having run inventory_sort(), so the same host state always
 * prints the same bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/inventory_json.h"
#include "codec/inventory_text.h"
#include "util/buf.h"
#include "util/arena.h"
#include "util/digest.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

enum str_syntax {
	SYN_TEXT,	/* any clean UTF-8 */
	SYN_HEX4,
	SYN_HEX6,
	SYN_HEX2,
	SYN_PCI,
	SYN_DEVID,	/* PCI address or another sysfs device name */
	SYN_UUID,
	SYN_HOST,
	SYN_TIME,
	SYN_ATTRKEY
};

struct field_spec {
	const char	*name;
	bool		 seen;
};

static json_t	*inv_device_to_json(const struct inv_device *);
static json_t	*inv_type_to_json(const struct inv_type *);
static void	 jpath(char *, size_t, const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	 get_str(struct inventory *, const json_t *, const char *,
		    const char *, bool, bool, enum str_syntax, const char **,
		    struct inv_error *);
static int	 get_int(const json_t *, const char *, const char *, int32_t,
		    int32_t, int32_t *, struct inv_error *);
static size_t	 model_size(const json_t *);
static void	*arena_array(struct inventory *, size_t, size_t);
static int	 get_tri(const json_t *, const char *, const char *,
		    enum inv_tri *, struct inv_error *);
static int	 get_opt_tri(const json_t *, const char *, const char *,
		    enum inv_tri *, struct inv_error *);
static bool	 syntax_ok(const char *, enum str_syntax);
static const char *syntax_name(enum str_syntax);
static int	 parse_platform(struct inventory *, const json_t *,
		    struct inv_error *);
static int	 parse_migration(struct inventory *, const json_t *,
		    struct inv_migration *, const char *, struct inv_error *);
static int	 parse_attrs(struct inventory *, const json_t *,
		    struct inv_device *, const char *, struct inv_error *);
static int	 parse_instance(struct inventory *, const json_t *,
		    struct inv_instance *, const char *, struct inv_error *);
static int	 parse_vm(struct inventory *, const json_t *, struct inv_vm *,
		    const char *, struct inv_error *);
static int	 check_unique(const struct inventory *, struct inv_error *);
static int	 uniq_cmp(const void *, const void *);
static size_t	 first_duplicate(const void *, size_t, size_t, size_t);
static json_t	*jstr(const char *);
static json_t	*jint(int64_t);
static json_t	*jtri(enum inv_tri);

static const char *const top_keys[] = { "schema", "host", "collected_at",
	"collector_version", "platform", "devices", "instances", "vms", NULL };
/* v1.1 added iommu_dirty_tracking here and the VM facts after "devices";
 * they may be absent (a v1 document), which reads as null. */
static const char *const platform_keys[] = { "kernel_release", "arch",
	"iommufd", "vfio_container", "qemu_version", "libvirt_version",
	"iommu_dirty_tracking", NULL };
static const char *const device_keys[] = { "address", "vendor_id",
	"device_id", "subsystem_vendor_id", "subsystem_device_id", "class",
	"revision", "vendor_name", "device_name", "driver", "driver_version",
	"iommu_group", "numa_node", "physfn", "sriov_totalvfs", "sriov_numvfs",
	"migration", "types", "attributes", "types_truncated", NULL };
static const char *const migration_keys[] = { "capable", "flags",
	"flags_source", "version", NULL };
static const char *const type_keys[] = { "kind", "id", "name", "device_api",
	"description", "available_instances", "migration_version", NULL };
static const char *const instance_keys[] = { "kind", "id", "type", "parent",
	NULL };
static const char *const vm_keys[] = { "uuid", "name", "pid", "devices",
	"complete", "qemu_version", "backend", "viommu", "ram_shared", NULL };

int
inv_fail(struct inv_error *err, const char *field, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return (-1);
	snprintf(err->field, sizeof(err->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return (-1);
}

int
json_depth_exceeds(const json_t *root, int max)
{
	/* Explicit stack: a hostile body must not recurse us to death. */
	struct { const json_t *v; void *it; size_t idx; } stack[64];
	int		 top = 0;
	const json_t	*child;

	if (max >= (int)(sizeof(stack) / sizeof(stack[0])))
		max = (int)(sizeof(stack) / sizeof(stack[0])) - 1;
	if (!json_is_object(root) && !json_is_array(root))
		return (0);
	stack[0].v = root;
	stack[0].it = json_is_object(root) ?
	    json_object_iter((json_t *)root) : NULL;
	stack[0].idx = 0;
	while (top >= 0) {
		const json_t	*v = stack[top].v;

		child = NULL;
		if (json_is_object(v)) {
			if (stack[top].it != NULL) {
				child = json_object_iter_value(stack[top].it);
				stack[top].it = json_object_iter_next(
				    (json_t *)v, stack[top].it);
			}
		} else if (stack[top].idx < json_array_size(v))
			child = json_array_get(v, stack[top].idx++);
		if (child == NULL) {
			top--;
			continue;
		}
		if (!json_is_object(child) && !json_is_array(child))
			continue;
		if (top + 1 >= max)
			return (1);
		top++;
		stack[top].v = child;
		stack[top].it = json_is_object(child) ?
		    json_object_iter((json_t *)child) : NULL;
		stack[top].idx = 0;
	}
	return (0);
}

/*
 * Build the JSON path of a member: path plus a suffix such as ".id" or
 * "[3]"; at the top level (empty path) the leading dot is dropped. Paths
 * longer than the buffer are cut, which only shortens an error message.
 */
static void
jpath(char *buf, size_t len, const char *path, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 used;

	used = strlen(path);
	if (used >= len)
		used = len - 1;
	memcpy(buf, path, used);
	buf[used] = '\0';
	if (*path == '\0' && *fmt == '.')
		fmt++;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static bool
syntax_ok(const char *s, enum str_syntax syn)
{
	switch (syn) {
	case SYN_TEXT:
		return (true);
	case SYN_HEX4:
		return (str_is_lhex(s, 4));
	case SYN_HEX6:
		return (str_is_lhex(s, 6));
	case SYN_HEX2:
		return (str_is_lhex(s, 2));
	case SYN_PCI:
		return (str_is_pci_address(s));
	case SYN_DEVID:
		return (str_is_device_id(s));
	case SYN_UUID:
		return (str_is_uuid(s));
	case SYN_HOST:
		return (str_host_fold(s, NULL, 0) == 0);
	case SYN_TIME:
		return (str_is_timestamp(s));
	case SYN_ATTRKEY:
		return (str_is_attr_key(s));
	}
	return (false);
}

static const char *
syntax_name(enum str_syntax syn)
{
	switch (syn) {
	case SYN_TEXT:
		return ("text");
	case SYN_HEX4:
		return ("4 lower-case hex digits");
	case SYN_HEX6:
		return ("6 lower-case hex digits");
	case SYN_HEX2:
		return ("2 lower-case hex digits");
	case SYN_PCI:
		return ("a PCI address like 0000:3b:00.0");
	case SYN_DEVID:
		return ("a device name of [A-Za-z0-9._:-], at most 64");
	case SYN_UUID:
		return ("a lower-case UUID");
	case SYN_HOST:
		return ("a host name of letters, digits, '-', '_' and '.', "
		    "at most 253");
	case SYN_TIME:
		return ("a UTC time like 2026-11-22T10:00:00Z");
	case SYN_ATTRKEY:
		return ("a key of [A-Za-z0-9._-], at most 128");
	}
	return ("?");
}

/*
 * Fetch string member key of obj into *out. Missing keys are an error;
 * null is allowed when nullable. interned chooses pool over arena.
 */
static int
get_str(struct inventory *inv, const json_t *obj, const char *path,
    const char *key, bool nullable, bool interned, enum str_syntax syn,
    const char **out, struct inv_error *err)
{
	char		 field[256];
	const json_t	*v = json_object_get(obj, key);
	const char	*s;
	size_t		 len;

	jpath(field, sizeof(field), path, ".%s", key);
	*out = NULL;
	if (v == NULL)
		return (inv_fail(err, field, "required field is missing"));
	if (json_is_null(v)) {
		if (nullable)
			return (0);
		return (inv_fail(err, field, "must not be null"));
	}
	if (!json_is_string(v))
		return (inv_fail(err, field, "must be a string%s",
		    nullable ? " or null" : ""));
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > INV_MAX_STRING)
		return (inv_fail(err, field, "longer than %u bytes",
		    INV_MAX_STRING));
	if (strlen(s) != len || !str_is_clean_utf8(s, len))
		return (inv_fail(err, field,
		    "contains NUL or control characters"));
	if (!syntax_ok(s, syn))
		return (inv_fail(err, field, "must be %s", syntax_name(syn)));
	if (syn == SYN_HOST) {
		/* Host names are case-insensitive (SPEC 5): keep one case. */
		char	 host[STR_HOST_MAX + 1];

		(void)str_host_fold(s, host, sizeof(host));
		*out = inv_str(inv, host);
		return (0);
	}
	*out = interned ? inv_istr(inv, s) : inv_str(inv, s);
	return (0);
}

static int
get_int(const json_t *obj, const char *path, const char *key, int32_t min,
    int32_t max, int32_t *out, struct inv_error *err)
{
	char		 field[256];
	const json_t	*v = json_object_get(obj, key);
	json_int_t	 n;

	jpath(field, sizeof(field), path, ".%s", key);
	*out = INV_NULL;
	if (v == NULL)
		return (inv_fail(err, field, "required field is missing"));
	if (json_is_null(v))
		return (0);
	if (!json_is_integer(v))
		return (inv_fail(err, field, "must be an integer or null"));
	n = json_integer_value(v);
	if (n < min || n > max)
		return (inv_fail(err, field, "must be between %ld and %ld",
		    (long)min, (long)max));
	*out = (int32_t)n;
	return (0);
}

static int
get_tri(const json_t *obj, const char *path, const char *key,
    enum inv_tri *out, struct inv_error *err)
{
	char		 field[256];
	const json_t	*v = json_object_get(obj, key);

	jpath(field, sizeof(field), path, ".%s", key);
	*out = INV_TRI_NULL;
	if (v == NULL)
		return (inv_fail(err, field, "required field is missing"));
	if (json_is_null(v))
		return (0);
	if (!json_is_boolean(v))
		return (inv_fail(err, field, "must be true, false or null"));
	*out = json_is_true(v) ? INV_TRI_TRUE : INV_TRI_FALSE;
	return (0);
}

/* A v1.1 field that a v1 document lacks: absent reads as null. */
static int
get_opt_tri(const json_t *obj, const char *path, const char *key,
    enum inv_tri *out, struct inv_error *err)
{
	if (json_object_get(obj, key) == NULL) {
		*out = INV_TRI_NULL;
		return (0);
	}
	return (get_tri(obj, path, key, out, err));
}

int
json_check_keys(const json_t *obj, const char *path,
    const char *const *allowed, struct inv_error *err)
{
	const char	*key;
	const json_t	*v;
	size_t		 i;
	char		 field[256];

	if (!json_is_object(obj))
		return (inv_fail(err, *path ? path : "(document)",
		    "must be an object"));
	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] == NULL && *key == '\0')
			return (inv_fail(err, *path ? path : "(document)",
			    "has a field with an empty name"));
		if (allowed[i] == NULL) {
			jpath(field, sizeof(field), path, ".%s", key);
			return (inv_fail(err, field, "unknown field"));
		}
	}
	return (0);
}

static int
parse_platform(struct inventory *inv, const json_t *obj,
    struct inv_error *err)
{
	struct inv_platform	*p = &inv->platform;

	if (json_check_keys(obj, "platform", platform_keys, err) == -1 ||
	    get_str(inv, obj, "platform", "kernel_release", true, true,
	    SYN_TEXT, &p->kernel_release, err) == -1 ||
	    get_str(inv, obj, "platform", "arch", true, true, SYN_TEXT,
	    &p->arch, err) == -1 ||
	    get_tri(obj, "platform", "iommufd", &p->iommufd, err) == -1 ||
	    get_tri(obj, "platform", "vfio_container", &p->vfio_container,
	    err) == -1 ||
	    get_str(inv, obj, "platform", "qemu_version", true, true,
	    SYN_TEXT, &p->qemu_version, err) == -1 ||
	    get_str(inv, obj, "platform", "libvirt_version", true, true,
	    SYN_TEXT, &p->libvirt_version, err) == -1 ||
	    get_opt_tri(obj, "platform", "iommu_dirty_tracking",
	    &p->iommu_dirty_tracking, err) == -1)
		return (-1);
	return (0);
}

static int
parse_migration(struct inventory *inv, const json_t *obj,
    struct inv_migration *m, const char *path, struct inv_error *err)
{
	char		 field[256];
	const json_t	*v, *flags;
	const char	*src;
	unsigned int	 bit;
	size_t		 i;

	if (json_check_keys(obj, path, migration_keys, err) == -1)
		return (-1);
	jpath(field, sizeof(field), path, ".capable");
	if ((v = json_object_get(obj, "capable")) == NULL ||
	    !json_is_boolean(v))
		return (inv_fail(err, field, "must be true or false"));
	m->capable = json_is_true(v);

	jpath(field, sizeof(field), path, ".flags");
	flags = json_object_get(obj, "flags");
	if (flags == NULL || !json_is_array(flags))
		return (inv_fail(err, field, "must be an array"));
	m->flags = 0;
	json_array_foreach(flags, i, v) {
		jpath(field, sizeof(field), path, ".flags[%zu]", i);
		if (!json_is_string(v) ||
		    inv_flag_parse(json_string_value(v), &bit) == -1)
			return (inv_fail(err, field, "must be one of "
			    "stop_copy, p2p, pre_copy, dirty_tracking"));
		if (m->flags & bit)
			return (inv_fail(err, field, "duplicate flag"));
		m->flags |= bit;
	}

	if (get_str(inv, obj, path, "flags_source", false, true, SYN_TEXT,
	    &src, err) == -1)
		return (-1);
	jpath(field, sizeof(field), path, ".flags_source");
	if (strcmp(src, "none") == 0)
		m->flags_source = INV_FLAGS_NONE;
	else if (strcmp(src, "probe") == 0)
		m->flags_source = INV_FLAGS_PROBE;
	else if (strcmp(src, "builtin") == 0)
		m->flags_source = INV_FLAGS_BUILTIN;
	else if (strcmp(src, "kernel") == 0)
		m->flags_source = INV_FLAGS_KERNEL;
	else
		return (inv_fail(err, field,
		    "must be one of none, probe, builtin, kernel"));
	if (m->flags_source == INV_FLAGS_NONE && m->flags != 0)
		return (inv_fail(err, field,
		    "is none but flags are listed"));
	return (get_str(inv, obj, path, "version", true, true, SYN_TEXT,
	    &m->version, err));
}

int
inv_type_from_json(struct inventory *inv, const json_t *obj,
    struct inv_type *t, const char *path, struct inv_error *err)
{
	const char	*kind;
	char		 field[256];

	if (json_check_keys(obj, path, type_keys, err) == -1 ||
	    get_str(inv, obj, path, "kind", false, true, SYN_TEXT, &kind,
	    err) == -1)
		return (-1);
	if (inv_kind_parse(kind, &t->kind) == -1) {
		jpath(field, sizeof(field), path, ".kind");
		return (inv_fail(err, field, "must be mdev or nvidia-vgpu"));
	}
	if (get_str(inv, obj, path, "id", false, true, SYN_DEVID, &t->id,
	    err) == -1 ||
	    get_str(inv, obj, path, "name", true, true, SYN_TEXT, &t->name,
	    err) == -1 ||
	    get_str(inv, obj, path, "device_api", true, true, SYN_TEXT,
	    &t->device_api, err) == -1 ||
	    get_str(inv, obj, path, "description", true, true, SYN_TEXT,
	    &t->description, err) == -1 ||
	    get_int(obj, path, "available_instances", 0, 1 << 20,
	    &t->available_instances, err) == -1 ||
	    get_str(inv, obj, path, "migration_version", true, true,
	    SYN_TEXT, &t->migration_version, err) == -1)
		return (-1);
	return (0);
}

static int
parse_attrs(struct inventory *inv, const json_t *obj, struct inv_device *d,
    const char *path, struct inv_error *err)
{
	char		 field[512];
	const char	*key;
	const json_t	*v;
	size_t		 len;

	jpath(field, sizeof(field), path, ".attributes");
	if (obj == NULL)
		return (inv_fail(err, field, "required field is missing"));
	if (!json_is_object(obj))
		return (inv_fail(err, field, "must be an object"));
	if (json_object_size(obj) > INV_MAX_ATTRS)
		return (inv_fail(err, field, "more than %u attributes",
		    INV_MAX_ATTRS));
	/* Exact room up front, so inv_set_attr never regrows. */
	d->attrs_cap = (uint32_t)json_object_size(obj);
	d->attrs = arena_array(inv, d->attrs_cap, sizeof(*d->attrs));
	json_object_foreach((json_t *)obj, key, v) {
		jpath(field, sizeof(field), path, ".attributes.%s", key);
		if (!syntax_ok(key, SYN_ATTRKEY))
			return (inv_fail(err, field, "key must be %s",
			    syntax_name(SYN_ATTRKEY)));
		if (!json_is_string(v))
			return (inv_fail(err, field, "must be a string"));
		len = json_string_length(v);
		if (len > INV_MAX_STRING || strlen(json_string_value(v)) !=
		    len || !str_is_clean_utf8(json_string_value(v), len))
			return (inv_fail(err, field,
			    "must be clean text of at most %u bytes",
			    INV_MAX_STRING));
		inv_set_attr(inv, d, key, json_string_value(v));
	}
	return (0);
}

int
inv_device_from_json(struct inventory *inv, const json_t *obj,
    struct inv_device *d, const char *path, struct inv_error *err)
{
	char		 field[256];
	const json_t	*types, *v;
	size_t		 i;

	if (json_check_keys(obj, path, device_keys, err) == -1 ||
	    get_str(inv, obj, path, "address", false, true, SYN_DEVID,
	    &d->address, err) == -1 ||
	    get_str(inv, obj, path, "vendor_id", true, true, SYN_HEX4,
	    &d->vendor_id, err) == -1 ||
	    get_str(inv, obj, path, "device_id", true, true, SYN_HEX4,
	    &d->device_id, err) == -1 ||
	    get_str(inv, obj, path, "subsystem_vendor_id", true, true,
	    SYN_HEX4, &d->subsystem_vendor_id, err) == -1 ||
	    get_str(inv, obj, path, "subsystem_device_id", true, true,
	    SYN_HEX4, &d->subsystem_device_id, err) == -1 ||
	    get_str(inv, obj, path, "class", true, true, SYN_HEX6, &d->class,
	    err) == -1 ||
	    get_str(inv, obj, path, "revision", true, true, SYN_HEX2,
	    &d->revision, err) == -1 ||
	    get_str(inv, obj, path, "vendor_name", true, true, SYN_TEXT,
	    &d->vendor_name, err) == -1 ||
	    get_str(inv, obj, path, "device_name", true, true, SYN_TEXT,
	    &d->device_name, err) == -1 ||
	    get_str(inv, obj, path, "driver", true, true, SYN_TEXT,
	    &d->driver, err) == -1 ||
	    get_str(inv, obj, path, "driver_version", true, true, SYN_TEXT,
	    &d->driver_version, err) == -1 ||
	    get_int(obj, path, "iommu_group", 0, INT32_MAX, &d->iommu_group,
	    err) == -1 ||
	    get_int(obj, path, "numa_node", 0, 65535, &d->numa_node,
	    err) == -1 ||
	    get_str(inv, obj, path, "physfn", true, true, SYN_PCI,
	    &d->physfn, err) == -1 ||
	    get_int(obj, path, "sriov_totalvfs", 0, 65535,
	    &d->sriov_totalvfs, err) == -1 ||
	    get_int(obj, path, "sriov_numvfs", 0, 65535, &d->sriov_numvfs,
	    err) == -1)
		return (-1);

	jpath(field, sizeof(field), path, ".migration");
	if ((v = json_object_get(obj, "migration")) == NULL)
		return (inv_fail(err, field, "required field is missing"));
	if (parse_migration(inv, v, &d->migration, field, err) == -1)
		return (-1);

	jpath(field, sizeof(field), path, ".types");
	types = json_object_get(obj, "types");
	if (types == NULL || !json_is_array(types))
		return (inv_fail(err, field, "must be an array"));
	if (json_array_size(types) > INV_MAX_TYPES)
		return (inv_fail(err, field, "more than %u types",
		    INV_MAX_TYPES));
	d->ntypes = d->types_cap = (uint32_t)json_array_size(types);
	d->types = arena_array(inv, d->ntypes, sizeof(*d->types));
	json_array_foreach(types, i, v) {
		jpath(field, sizeof(field), path, ".types[%zu]", i);
		if (inv_type_from_json(inv, v, &d->types[i], field, err) == -1)
			return (-1);
		if (inv_find_type(d, d->types[i].kind, d->types[i].id) !=
		    &d->types[i])
			return (inv_fail(err, field, "duplicate type %s",
			    d->types[i].id));
	}
	/* Only true is ever written; absent (every complete list) is false. */
	jpath(field, sizeof(field), path, ".types_truncated");
	if ((v = json_object_get(obj, "types_truncated")) != NULL) {
		if (!json_is_true(v))
			return (inv_fail(err, field, "must be true or absent"));
		d->types_truncated = true;
	}
	return (parse_attrs(inv, json_object_get(obj, "attributes"), d, path,
	    err));
}

static int
parse_instance(struct inventory *inv, const json_t *obj,
    struct inv_instance *in, const char *path, struct inv_error *err)
{
	const char	*kind;
	char		 field[256];

	if (json_check_keys(obj, path, instance_keys, err) == -1 ||
	    get_str(inv, obj, path, "kind", false, true, SYN_TEXT, &kind,
	    err) == -1)
		return (-1);
	jpath(field, sizeof(field), path, ".kind");
	if (inv_kind_parse(kind, &in->kind) == -1)
		return (inv_fail(err, field, "must be mdev or nvidia-vgpu"));
	if (get_str(inv, obj, path, "id", false, false,
	    in->kind == INV_KIND_MDEV ? SYN_UUID : SYN_PCI, &in->id,
	    err) == -1 ||
	    get_str(inv, obj, path, "type", false, true, SYN_DEVID, &in->type,
	    err) == -1 ||
	    get_str(inv, obj, path, "parent", false, true, SYN_DEVID,
	    &in->parent, err) == -1)
		return (-1);
	return (0);
}

static int
parse_vm(struct inventory *inv, const json_t *obj, struct inv_vm *vm,
    const char *path, struct inv_error *err)
{
	char		 field[256];
	const json_t	*devs, *v;
	const char	*backend;
	enum inv_tri	 complete, viommu, ram_shared;
	enum inv_backend b = INV_BACKEND_NULL;
	size_t		 i;

	if (json_check_keys(obj, path, vm_keys, err) == -1 ||
	    get_str(inv, obj, path, "uuid", false, false, SYN_UUID, &vm->uuid,
	    err) == -1 ||
	    get_str(inv, obj, path, "name", true, false, SYN_TEXT, &vm->name,
	    err) == -1 ||
	    get_int(obj, path, "pid", 1, INT32_MAX, &vm->pid, err) == -1)
		return (-1);
	jpath(field, sizeof(field), path, ".devices");
	devs = json_object_get(obj, "devices");
	if (devs == NULL || !json_is_array(devs))
		return (inv_fail(err, field, "must be an array"));
	if (json_array_size(devs) > INV_MAX_VM_DEVICES)
		return (inv_fail(err, field, "more than %u devices",
		    INV_MAX_VM_DEVICES));
	vm->devices_cap = (uint32_t)json_array_size(devs);
	vm->devices = arena_array(inv, vm->devices_cap, sizeof(*vm->devices));
	json_array_foreach(devs, i, v) {
		jpath(field, sizeof(field), path, ".devices[%zu]", i);
		if (!json_is_string(v) ||
		    !str_is_device_id(json_string_value(v)))
			return (inv_fail(err, field, "must be %s",
			    syntax_name(SYN_DEVID)));
		inv_vm_add_device(inv, vm, json_string_value(v));
	}
	if (get_opt_tri(obj, path, "complete", &complete, err) == -1 ||
	    get_opt_tri(obj, path, "viommu", &viommu, err) == -1 ||
	    get_opt_tri(obj, path, "ram_shared", &ram_shared, err) == -1)
		return (-1);
	vm->complete = (int8_t)complete;
	vm->viommu = (int8_t)viommu;
	vm->ram_shared = (int8_t)ram_shared;
	vm->qemu_version = NULL;
	if (json_object_get(obj, "qemu_version") != NULL &&
	    get_str(inv, obj, path, "qemu_version", true, true, SYN_TEXT,
	    &vm->qemu_version, err) == -1)
		return (-1);
	if (json_object_get(obj, "backend") != NULL) {
		if (get_str(inv, obj, path, "backend", true, true, SYN_TEXT,
		    &backend, err) == -1)
			return (-1);
		jpath(field, sizeof(field), path, ".backend");
		if (backend != NULL && inv_backend_parse(backend, &b) == -1)
			return (inv_fail(err, field,
			    "must be \"iommufd\", \"container\" or null"));
	}
	vm->backend = (uint8_t)b;
	return (0);
}

struct uniq_key {
	const char	*key;
	size_t		 idx;
};

static int
uniq_cmp(const void *a, const void *b)
{
	const struct uniq_key	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->key, y->key)) != 0)
		return (c);
	return (x->idx < y->idx ? -1 : x->idx > y->idx);
}

/*
 * The first index (in document order) whose key appeared earlier, or
 * (size_t)-1. Sorted, so that 65,536 instances cost n log n, not the
 * n^2 / 2 comparisons of looking each one up (10 s for a 3.3 MB PUT).
 */
static size_t
first_duplicate(const void *base, size_t n, size_t stride, size_t off)
{
	struct uniq_key	*v;
	size_t		 i, dup = (size_t)-1;

	if (n < 2)
		return (dup);
	v = xreallocarray(NULL, n, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].key = *(const char *const *)((const char *)base +
		    i * stride + off);
		v[i].idx = i;
	}
	qsort(v, n, sizeof(*v), uniq_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1].key, v[i].key) == 0 && v[i].idx < dup)
			dup = v[i].idx;
	free(v);
	return (dup);
}

static int
check_unique(const struct inventory *inv, struct inv_error *err)
{
	char	 field[64];
	size_t	 i;

	i = first_duplicate(inv->devices, inv->ndevices,
	    sizeof(*inv->devices), offsetof(struct inv_device, address));
	if (i != (size_t)-1) {
		snprintf(field, sizeof(field), "devices[%zu].address", i);
		return (inv_fail(err, field, "duplicate address %s",
		    inv->devices[i].address));
	}
	i = first_duplicate(inv->instances, inv->ninstances,
	    sizeof(*inv->instances), offsetof(struct inv_instance, id));
	if (i != (size_t)-1) {
		snprintf(field, sizeof(field), "instances[%zu].id", i);
		return (inv_fail(err, field, "duplicate instance %s",
		    inv->instances[i].id));
	}
	i = first_duplicate(inv->vms, inv->nvms, sizeof(*inv->vms),
	    offsetof(struct inv_vm, uuid));
	if (i != (size_t)-1) {
		snprintf(field, sizeof(field), "vms[%zu].uuid", i);
		return (inv_fail(err, field, "duplicate VM %s",
		    inv->vms[i].uuid));
	}
	return (0);
}

/* Parse an array member into exactly sized storage. */
#define PARSE_ARRAY(key, max, arr, n, cap, fn) do {			\
	const json_t	*a_ = json_object_get(root, key);		\
	const json_t	*e_;						\
	size_t		 i_;						\
	char		 f_[64];					\
									\
	if (a_ == NULL || !json_is_array(a_)) {				\
		inv_fail(err, key, "must be an array");			\
		goto fail;						\
	}								\
	if (json_array_size(a_) > (max)) {				\
		inv_fail(err, key, "more than %u entries", (max));	\
		goto fail;						\
	}								\
	(n) = (cap) = json_array_size(a_);				\
	(arr) = arena_array(inv, (n), sizeof(*(arr)));			\
	json_array_foreach(a_, i_, e_) {				\
		snprintf(f_, sizeof(f_), "%s[%zu]", key, i_);		\
		if (fn(inv, e_, &(arr)[i_], f_, err) == -1)		\
			goto fail;					\
	}								\
} while (0)

static int
init_device(struct inventory *inv, const json_t *obj, struct inv_device *d,
    const char *path, struct inv_error *err)
{
	memset(d, 0, sizeof(*d));
	return (inv_device_from_json(inv, obj, d, path, err));
}

static int
init_vm(struct inventory *inv, const json_t *obj, struct inv_vm *vm,
    const char *path, struct inv_error *err)
{
	memset(vm, 0, sizeof(*vm));
	return (parse_vm(inv, obj, vm, path, err));
}

/* Exactly n zeroed elements; none at all for an empty array, which most
 * devices' type lists are. */
static void *
arena_array(struct inventory *inv, size_t n, size_t size)
{
	return (n == 0 ? NULL : arena_calloc(inv->arena, n, size));
}

#define ROUND16(n)	(((n) + 15) & ~(size_t)15)

/*
 * Bytes the arena will need for root's arrays and unique strings, so a
 * parsed inventory lives in one exactly sized chunk instead of a chain
 * of doubling ones: without it a restarted server holding 2,000 bench
 * hosts is 26.9 -> 31.9 KiB resident per host (3 paired rounds, equal
 * to the KiB in each). An estimate only; a short one just spills into a
 * new chunk.
 * Mirrors the allocations of the parse functions below (arena_array,
 * 16-byte rounding). The document is not validated yet, so
 * anything larger than a big real host gets no reservation at all.
 */
#define MODEL_RESERVE_MAX	(1024 * 1024)

static size_t
model_size(const json_t *root)
{
	const json_t	*a, *e;
	size_t		 i, n, total = 256;

	if (!json_is_object(root))
		return (total);
	a = json_object_get(root, "devices");
	n = json_is_array(a) ? json_array_size(a) : 0;
	total += ROUND16(n * sizeof(struct inv_device));
	for (i = 0; i < n && total <= MODEL_RESERVE_MAX; i++) {
		e = json_array_get(a, i);
		total += ROUND16(json_array_size(json_object_get(e,
		    "types")) * sizeof(struct inv_type));
		total += ROUND16(json_object_size(json_object_get(e,
		    "attributes")) * sizeof(struct inv_attr));
	}
	if (total > MODEL_RESERVE_MAX)
		return (0);
	a = json_object_get(root, "instances");
	n = json_is_array(a) ? json_array_size(a) : 0;
	/* Each instance id is a unique string: a UUID rounds to 48. */
	total += ROUND16(n * sizeof(struct inv_instance)) + n * 48;
	a = json_object_get(root, "vms");
	n = json_is_array(a) ? json_array_size(a) : 0;
	total += ROUND16(n * sizeof(struct inv_vm)) + n * 96;
	for (i = 0; i < n; i++) {
		e = json_object_get(json_array_get(a, i), "devices");
		total += ROUND16(json_array_size(e) * sizeof(char *)) +
		    json_array_size(e) * 48;
		if (total > MODEL_RESERVE_MAX)
			return (0);
	}
	return (total > MODEL_RESERVE_MAX ? 0 : total);
}

struct inventory *
inventory_from_json(const json_t *root, struct strpool *pool,
    struct inv_error *err)
{
	struct inventory	*inv = inventory_new(pool);
	const char		*schema;
	const json_t		*platform;
	size_t			 reserve;

	if (json_depth_exceeds(root, INV_MAX_DEPTH)) {
		inv_fail(err, "(document)", "nested deeper than %d levels",
		    INV_MAX_DEPTH);
		goto fail;
	}
	if ((reserve = model_size(root)) > 0)
		arena_reserve(inv->arena, reserve);
	if (json_check_keys(root, "", top_keys, err) == -1 ||
	    get_str(inv, root, "", "schema", false, true, SYN_TEXT, &schema,
	    err) == -1)
		goto fail;
	if (strcmp(schema, INV_SCHEMA) != 0) {
		inv_fail(err, "schema", "must be \"%s\"", INV_SCHEMA);
		goto fail;
	}
	if (get_str(inv, root, "", "host", false, false, SYN_HOST, &inv->host,
	    err) == -1 ||
	    get_str(inv, root, "", "collected_at", false, false, SYN_TIME,
	    &inv->collected_at, err) == -1 ||
	    get_str(inv, root, "", "collector_version", false, true,
	    SYN_TEXT, &inv->collector_version, err) == -1)
		goto fail;
	if ((platform = json_object_get(root, "platform")) == NULL) {
		inv_fail(err, "platform", "required field is missing");
		goto fail;
	}
	if (parse_platform(inv, platform, err) == -1)
		goto fail;
	PARSE_ARRAY("devices", INV_MAX_DEVICES, inv->devices, inv->ndevices,
	    inv->devices_cap, init_device);
	PARSE_ARRAY("instances", INV_MAX_INSTANCES, inv->instances,
	    inv->ninstances, inv->instances_cap, parse_instance);
	PARSE_ARRAY("vms", INV_MAX_VMS, inv->vms, inv->nvms, inv->vms_cap,
	    init_vm);
	if (check_unique(inv, err) == -1)
		goto fail;
	return (inv);

fail:
	inventory_free(inv);
	return (NULL);
}

struct inventory *
inventory_parse(const char *buf, size_t len, struct strpool *pool,
    struct inv_error *err)
{
	json_t			*root;
	json_error_t		 jerr;
	struct inventory	*inv;

	if (len > INV_MAX_DOCUMENT) {
		inv_fail(err, "(document)", "larger than %u bytes",
		    INV_MAX_DOCUMENT);
		return (NULL);
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		inv_fail(err, "(document)", "invalid JSON at line %d column "
		    "%d: %s", jerr.line, jerr.column, jerr.text);
		return (NULL);
	}
	inv = inventory_from_json(root, pool, err);
	json_decref(root);
	return (inv);
}

static json_t *
jstr(const char *s)
{
	return (s == NULL ? json_null() : json_string(s));
}

static json_t *
jint(int64_t n)
{
	return (n == INV_NULL ? json_null() : json_integer(n));
}

static json_t *
jtri(enum inv_tri t)
{
	if (t == INV_TRI_NULL)
		return (json_null());
	return (json_boolean(t == INV_TRI_TRUE));
}

static json_t *
inv_type_to_json(const struct inv_type *t)
{
	json_t	*o = json_object();

	json_object_set_new(o, "kind", json_string(inv_kind_name(t->kind)));
	json_object_set_new(o, "id", jstr(t->id));
	json_object_set_new(o, "name", jstr(t->name));
	json_object_set_new(o, "device_api", jstr(t->device_api));
	json_object_set_new(o, "description", jstr(t->description));
	json_object_set_new(o, "available_instances",
	    jint(t->available_instances));
	json_object_set_new(o, "migration_version", jstr(t->migration_version));
	return (o);
}

static json_t *
inv_device_to_json(const struct inv_device *d)
{
	json_t	*o = json_object(), *m = json_object(), *a, *attrs;
	size_t	 i;

	json_object_set_new(o, "address", jstr(d->address));
	json_object_set_new(o, "vendor_id", jstr(d->vendor_id));
	json_object_set_new(o, "device_id", jstr(d->device_id));
	json_object_set_new(o, "subsystem_vendor_id",
	    jstr(d->subsystem_vendor_id));
	json_object_set_new(o, "subsystem_device_id",
	    jstr(d->subsystem_device_id));
	json_object_set_new(o, "class", jstr(d->class));
	json_object_set_new(o, "revision", jstr(d->revision));
	json_object_set_new(o, "vendor_name", jstr(d->vendor_name));
	json_object_set_new(o, "device_name", jstr(d->device_name));
	json_object_set_new(o, "driver", jstr(d->driver));
	json_object_set_new(o, "driver_version", jstr(d->driver_version));
	json_object_set_new(o, "iommu_group", jint(d->iommu_group));
	json_object_set_new(o, "numa_node", jint(d->numa_node));
	json_object_set_new(o, "physfn", jstr(d->physfn));
	json_object_set_new(o, "sriov_totalvfs", jint(d->sriov_totalvfs));
	json_object_set_new(o, "sriov_numvfs", jint(d->sriov_numvfs));

	json_object_set_new(m, "capable", json_boolean(d->migration.capable));
	a = json_array();
	for (i = 0; i < 4; i++)
		if (d->migration.flags & (1u << i))
			json_array_append_new(a, json_string(inv_flag_names[i]));
	json_object_set_new(m, "flags", a);
	json_object_set_new(m, "flags_source",
	    json_string(inv_flags_source_name(d->migration.flags_source)));
	json_object_set_new(m, "version", jstr(d->migration.version));
	json_object_set_new(o, "migration", m);

	a = json_array();
	for (i = 0; i < d->ntypes; i++)
		json_array_append_new(a, inv_type_to_json(&d->types[i]));
	json_object_set_new(o, "types", a);
	attrs = json_object();
	for (i = 0; i < d->nattrs; i++)
		json_object_set_new(attrs, d->attrs[i].key,
		    json_string(d->attrs[i].value));
	json_object_set_new(o, "attributes", attrs);
	if (d->types_truncated)
		json_object_set_new(o, "types_truncated", json_true());
	return (o);
}

json_t *
inventory_to_json(const struct inventory *inv)
{
	json_t	*o = json_object(), *p = json_object(), *a, *e, *devs;
	size_t	 i, j;

	json_object_set_new(o, "schema", json_string(INV_SCHEMA));
	json_object_set_new(o, "host", jstr(inv->host));
	json_object_set_new(o, "collected_at", jstr(inv->collected_at));
	json_object_set_new(o, "collector_version",
	    jstr(inv->collector_version));
	json_object_set_new(p, "kernel_release",
	    jstr(inv->platform.kernel_release));
	json_object_set_new(p, "arch", jstr(inv->platform.arch));
	json_object_set_new(p, "iommufd", jtri(inv->platform.iommufd));
	json_object_set_new(p, "vfio_container",
	    jtri(inv->platform.vfio_container));
	json_object_set_new(p, "qemu_version",
	    jstr(inv->platform.qemu_version));
	json_object_set_new(p, "libvirt_version",
	    jstr(inv->platform.libvirt_version));
	json_object_set_new(p, "iommu_dirty_tracking",
	    jtri(inv->platform.iommu_dirty_tracking));
	json_object_set_new(o, "platform", p);

	a = json_array();
	for (i = 0; i < inv->ndevices; i++)
		json_array_append_new(a, inv_device_to_json(&inv->devices[i]));
	json_object_set_new(o, "devices", a);

	a = json_array();
	for (i = 0; i < inv->ninstances; i++) {
		const struct inv_instance	*in = &inv->instances[i];

		e = json_object();
		json_object_set_new(e, "kind",
		    json_string(inv_kind_name(in->kind)));
		json_object_set_new(e, "id", jstr(in->id));
		json_object_set_new(e, "type", jstr(in->type));
		json_object_set_new(e, "parent", jstr(in->parent));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "instances", a);

	a = json_array();
	for (i = 0; i < inv->nvms; i++) {
		const struct inv_vm	*vm = &inv->vms[i];

		e = json_object();
		json_object_set_new(e, "uuid", jstr(vm->uuid));
		json_object_set_new(e, "name", jstr(vm->name));
		json_object_set_new(e, "pid", jint(vm->pid));
		devs = json_array();
		for (j = 0; j < vm->ndevices; j++)
			json_array_append_new(devs, json_string(vm->devices[j]));
		json_object_set_new(e, "devices", devs);
		json_object_set_new(e, "complete", jtri(vm->complete));
		json_object_set_new(e, "qemu_version", jstr(vm->qemu_version));
		json_object_set_new(e, "backend",
		    jstr(inv_backend_name(vm->backend)));
		json_object_set_new(e, "viommu", jtri(vm->viommu));
		json_object_set_new(e, "ram_shared", jtri(vm->ram_shared));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "vms", a);
	return (o);
}

char *
inventory_dump(const struct inventory *inv, bool pretty)
{
	json_t	*o = inventory_to_json(inv);
	char	*s;

	s = json_dumps(o, pretty ? JSON_INDENT(2) : JSON_COMPACT);
	json_decref(o);
	return (s);
}

/*
 * One print serves both: the document, and the digest over it with the
 * collected_at member cut out (inventory_text.c records where it is).
 */
int
inventory_encode(const struct inventory *inv, char **docp, size_t *lenp,
    char *digest)
{
	struct buf	 b;
	size_t		 cut, cut_end;

	if (docp != NULL)
		*docp = NULL;
	memset(&b, 0, sizeof(b));
	inventory_print(inv, &b, &cut, &cut_end);
	if (sha256_hex_without(b.data, b.len, cut, cut_end, digest) == -1) {
		buf_free(&b);
		return (-1);
	}
	if (docp != NULL)
		*docp = buf_release(&b, lenp);
	else
		buf_free(&b);
	return (0);
}

int
inventory_digest(const struct inventory *inv, char *out)
{
	return (inventory_encode(inv, NULL, NULL, out));
}
