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
 * The walk reads the flat value array of jscan.c, not a jansson tree:
 * the text is scanned once, in place, and the model built from it (a
 * changed PUT and every stored row at start-up go this way). A path is
 * a chain of steps on the stack, printed only when an error names it.
 * Callers holding jansson values have them printed and read the same
 * way, so there is one validation, not one per representation.
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
#include "codec/jscan.h"
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

struct jp;
struct dec;

/* Reads one entry (a device, a type...) of a scanned text into elem. */
typedef int	 dec_fn(struct dec *, uint32_t, void *, const struct jp *);

static json_t	*inv_device_to_json(const struct inv_device *);
static json_t	*inv_type_to_json(const struct inv_type *, int32_t);
static size_t	 jp_render(const struct jp *, char *, size_t);
static void	 field_of(char *, size_t, const struct jp *, const char *,
		    bool);
static int	 pfail(struct dec *, const struct jp *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static const struct jv *jv_at(const struct dec *, uint32_t);
static uint32_t	 member(struct dec *, uint32_t, const char *);
static int	 get_str(struct dec *, uint32_t, const struct jp *,
		    const char *, bool, bool, enum str_syntax, const char **);
static int	 get_int(struct dec *, uint32_t, const struct jp *,
		    const char *, int32_t, int32_t, int32_t *);
static int	 get_tri(struct dec *, uint32_t, const struct jp *,
		    const char *, enum inv_tri *);
static int	 get_opt_tri(struct dec *, uint32_t, const struct jp *,
		    const char *, enum inv_tri *);
static int	 check_keys(struct dec *, uint32_t, const struct jp *,
		    const char *const *);
static int	 dec_platform(struct dec *, uint32_t, const struct jp *);
static int	 dec_migration(struct dec *, uint32_t, struct inv_migration *,
		    const struct jp *);
static int	 dec_type(struct dec *, uint32_t, struct inv_type *,
		    int32_t *, const struct jp *);
static int	 dec_attrs(struct dec *, uint32_t, struct inv_device *,
		    const struct jp *);
static int	 dec_device(struct dec *, uint32_t, struct inv_device *,
		    const struct jp *);
static int	 dec_instance(struct dec *, uint32_t, struct inv_instance *,
		    const struct jp *);
static int	 dec_vm(struct dec *, uint32_t, struct inv_vm *,
		    const struct jp *);
static size_t	 count_of(const struct dec *, uint32_t, enum jv_type);
static size_t	 model_size(struct dec *);
static int	 dec_array(struct dec *, const char *, unsigned int, size_t,
		    dec_fn *, void **, size_t *);
static int	 dec_document(struct dec *);
static struct inventory *decode(char *, size_t, struct strpool *,
		    struct inventory *, dec_fn *, void *, const char *, bool *,
		    struct inv_error *);
static char	*tree_text(const json_t *, size_t *);
static dec_fn	 one_device, one_type, one_instance, one_vm;
static int	 entry_from_json(struct inventory *, const json_t *, dec_fn *,
		    void *, const char *, struct inv_error *);
static void	*arena_array(struct inventory *, size_t, size_t);
static bool	 syntax_ok(const char *, enum str_syntax);
static const char *syntax_name(enum str_syntax);
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
			snprintf(field, sizeof(field), "%s%s%s", path,
			    *path != '\0' ? "." : "", key);
			return (inv_fail(err, field, "unknown field"));
		}
	}
	return (0);
}

/*
 * A JSON path, rendered only when an error names it: each step is a
 * member (key) or an element (idx) of the one above; the top is a
 * prefix ("" for the document, or the path a caller gave).
 */
struct jp {
	const struct jp	*up;
	const char	*key;
	size_t		 idx;
};

/* One decode: the scanned text, the inventory it fills, the error. */
struct dec {
	struct jscan		 js;
	struct inventory	*inv;
	struct inv_error	*err;
	/* Where member() looks first: the member after the last one it
	 * found, in object hint_obj. Fields are read in the order SPEC 2
	 * lists them, the order documents print them in. */
	uint32_t		 hint_obj, hint_i, hint_k;
};

static size_t
jp_render(const struct jp *p, char *buf, size_t len)
{
	size_t	 used = 0;
	int	 n;

	if (p->up != NULL)
		used = jp_render(p->up, buf, len);
	if (used >= len - 1)
		return (used);
	if (p->up == NULL)
		n = snprintf(buf, len, "%s", p->key);
	else if (p->key == NULL)
		n = snprintf(buf + used, len - used, "[%zu]", p->idx);
	else
		n = snprintf(buf + used, len - used, "%s%s",
		    used == 0 ? "" : ".", p->key);
	if (n < 0)
		return (used);
	used += (size_t)n;
	return (used >= len ? len - 1 : used);
}

/* The field path + "." + key (key NULL: the path itself); "(document)"
 * for the empty path when empty_doc. */
static void
field_of(char *buf, size_t len, const struct jp *path, const char *key,
    bool empty_doc)
{
	struct jp	 k = { path, key, 0 };

	(void)jp_render(key != NULL ? &k : path, buf, len);
	if (empty_doc && buf[0] == '\0')
		snprintf(buf, len, "(document)");
}

static int
pfail(struct dec *dc, const struct jp *path, const char *key,
    const char *fmt, ...)
{
	char	 field[sizeof(dc->err->field)];
	va_list	 ap;

	if (dc->err == NULL)
		return (-1);
	field_of(field, sizeof(field), path, key, false);
	memcpy(dc->err->field, field, sizeof(field));
	va_start(ap, fmt);
	vsnprintf(dc->err->message, sizeof(dc->err->message), fmt, ap);
	va_end(ap);
	return (-1);
}

static const struct jv *
jv_at(const struct dec *dc, uint32_t i)
{
	return (i == JV_NONE ? NULL : &dc->js.v[i]);
}

/* jscan_get(), starting after the member found last. */
static uint32_t
member(struct dec *dc, uint32_t obj, const char *key)
{
	const struct jv	*v = dc->js.v;
	uint32_t	 n, i, k, tries;

	if (obj == JV_NONE || v[obj].type != JV_OBJECT ||
	    (n = v[obj].n) == 0)
		return (JV_NONE);
	if (dc->hint_obj == obj && dc->hint_i < n) {
		i = dc->hint_i;
		k = dc->hint_k;
	} else {
		i = 0;
		k = obj + 1;
	}
	for (tries = 0; tries < n; tries++) {
		if (v[k].s[0] == key[0] && strcmp(v[k].s, key) == 0) {
			dc->hint_obj = obj;
			dc->hint_i = i + 1;
			dc->hint_k = v[k + 1].end;
			return (k + 1);
		}
		if (++i == n) {
			i = 0;
			k = obj + 1;
		} else
			k = v[k + 1].end;
	}
	return (JV_NONE);
}

/*
 * Fetch string member key of obj into *out. Missing keys are an error;
 * null is allowed when nullable. interned chooses pool over arena.
 */
static int
get_str(struct dec *dc, uint32_t obj, const struct jp *path,
    const char *key, bool nullable, bool interned, enum str_syntax syn,
    const char **out)
{
	const struct jv	*v = jv_at(dc, member(dc, obj, key));

	*out = NULL;
	if (v == NULL)
		return (pfail(dc, path, key, "required field is missing"));
	if (v->type == JV_NULL) {
		if (nullable)
			return (0);
		return (pfail(dc, path, key, "must not be null"));
	}
	if (v->type != JV_STRING)
		return (pfail(dc, path, key, "must be a string%s",
		    nullable ? " or null" : ""));
	if (v->n > INV_MAX_STRING)
		return (pfail(dc, path, key, "longer than %u bytes",
		    INV_MAX_STRING));
	if (!v->plain && !str_is_clean_utf8(v->s, v->n))
		return (pfail(dc, path, key,
		    "contains NUL or control characters"));
	if (!syntax_ok(v->s, syn))
		return (pfail(dc, path, key, "must be %s", syntax_name(syn)));
	if (syn == SYN_HOST) {
		/* Host names are case-insensitive (SPEC 5): keep one case. */
		char	 host[STR_HOST_MAX + 1];

		(void)str_host_fold(v->s, host, sizeof(host));
		*out = inv_str(dc->inv, host);
		return (0);
	}
	*out = interned ? inv_istr(dc->inv, v->s) : inv_str(dc->inv, v->s);
	return (0);
}

static int
get_int(struct dec *dc, uint32_t obj, const struct jp *path,
    const char *key, int32_t min, int32_t max, int32_t *out)
{
	const struct jv	*v = jv_at(dc, member(dc, obj, key));

	*out = INV_NULL;
	if (v == NULL)
		return (pfail(dc, path, key, "required field is missing"));
	if (v->type == JV_NULL)
		return (0);
	if (v->type != JV_INT)
		return (pfail(dc, path, key, "must be an integer or null"));
	if (v->i < min || v->i > max)
		return (pfail(dc, path, key, "must be between %ld and %ld",
		    (long)min, (long)max));
	*out = (int32_t)v->i;
	return (0);
}

static int
get_tri(struct dec *dc, uint32_t obj, const struct jp *path,
    const char *key, enum inv_tri *out)
{
	const struct jv	*v = jv_at(dc, member(dc, obj, key));

	*out = INV_TRI_NULL;
	if (v == NULL)
		return (pfail(dc, path, key, "required field is missing"));
	if (v->type == JV_NULL)
		return (0);
	if (v->type != JV_TRUE && v->type != JV_FALSE)
		return (pfail(dc, path, key, "must be true, false or null"));
	*out = v->type == JV_TRUE ? INV_TRI_TRUE : INV_TRI_FALSE;
	return (0);
}

/* A v1.1 field that a v1 document lacks: absent reads as null. */
static int
get_opt_tri(struct dec *dc, uint32_t obj, const struct jp *path,
    const char *key, enum inv_tri *out)
{
	if (member(dc, obj, key) == JV_NONE) {
		*out = INV_TRI_NULL;
		return (0);
	}
	return (get_tri(dc, obj, path, key, out));
}

/* json_check_keys() on a scanned object. */
static int
check_keys(struct dec *dc, uint32_t obj, const struct jp *path,
    const char *const *allowed)
{
	const struct jv	*v = dc->js.v;
	char		 field[sizeof(dc->err->field)];
	uint32_t	 i, k;
	size_t		 a = 0, at = 0, na, t;

	if (obj == JV_NONE || v[obj].type != JV_OBJECT) {
		field_of(field, sizeof(field), path, NULL, true);
		return (inv_fail(dc->err, field, "must be an object"));
	}
	for (na = 0; allowed[na] != NULL; na++)
		;
	/* Keys come in the allowed order: look after the last match. */
	for (i = 0, k = obj + 1; i < v[obj].n; i++, k = v[k + 1].end) {
		for (t = 0; t < na; t++) {
			a = at + t < na ? at + t : at + t - na;
			if (allowed[a][0] == v[k].s[0] &&
			    strcmp(allowed[a], v[k].s) == 0)
				break;
		}
		if (t < na) {
			at = a + 1 < na ? a + 1 : 0;
			continue;
		}
		if (v[k].s[0] == '\0') {
			field_of(field, sizeof(field), path, NULL, true);
			return (inv_fail(dc->err, field,
			    "has a field with an empty name"));
		}
		return (pfail(dc, path, v[k].s, "unknown field"));
	}
	return (0);
}

static int
dec_platform(struct dec *dc, uint32_t obj, const struct jp *path)
{
	struct inv_platform	*p = &dc->inv->platform;

	if (check_keys(dc, obj, path, platform_keys) == -1 ||
	    get_str(dc, obj, path, "kernel_release", true, true, SYN_TEXT,
	    &p->kernel_release) == -1 ||
	    get_str(dc, obj, path, "arch", true, true, SYN_TEXT,
	    &p->arch) == -1 ||
	    get_tri(dc, obj, path, "iommufd", &p->iommufd) == -1 ||
	    get_tri(dc, obj, path, "vfio_container", &p->vfio_container) == -1 ||
	    get_str(dc, obj, path, "qemu_version", true, true, SYN_TEXT,
	    &p->qemu_version) == -1 ||
	    get_str(dc, obj, path, "libvirt_version", true, true, SYN_TEXT,
	    &p->libvirt_version) == -1 ||
	    get_opt_tri(dc, obj, path, "iommu_dirty_tracking",
	    &p->iommu_dirty_tracking) == -1)
		return (-1);
	return (0);
}

static int
dec_migration(struct dec *dc, uint32_t obj, struct inv_migration *m,
    const struct jp *path)
{
	const struct jv	*v = dc->js.v, *c;
	struct jp	 fp = { path, "flags", 0 }, ep = { &fp, NULL, 0 };
	const char	*src;
	unsigned int	 bit;
	uint32_t	 flags, e, i;

	if (check_keys(dc, obj, path, migration_keys) == -1)
		return (-1);
	c = jv_at(dc, member(dc, obj, "capable"));
	if (c == NULL || (c->type != JV_TRUE && c->type != JV_FALSE))
		return (pfail(dc, path, "capable", "must be true or false"));
	m->capable = c->type == JV_TRUE;

	flags = member(dc, obj, "flags");
	if (flags == JV_NONE || v[flags].type != JV_ARRAY)
		return (pfail(dc, path, "flags", "must be an array"));
	m->flags = 0;
	for (i = 0, e = flags + 1; i < v[flags].n; i++, e = v[e].end) {
		ep.idx = i;
		if (v[e].type != JV_STRING ||
		    inv_flag_parse(v[e].s, &bit) == -1)
			return (pfail(dc, &ep, NULL, "must be one of "
			    "stop_copy, p2p, pre_copy, dirty_tracking"));
		if (m->flags & bit)
			return (pfail(dc, &ep, NULL, "duplicate flag"));
		m->flags |= bit;
	}

	if (get_str(dc, obj, path, "flags_source", false, true, SYN_TEXT,
	    &src) == -1)
		return (-1);
	if (strcmp(src, "none") == 0)
		m->flags_source = INV_FLAGS_NONE;
	else if (strcmp(src, "probe") == 0)
		m->flags_source = INV_FLAGS_PROBE;
	else if (strcmp(src, "builtin") == 0)
		m->flags_source = INV_FLAGS_BUILTIN;
	else if (strcmp(src, "kernel") == 0)
		m->flags_source = INV_FLAGS_KERNEL;
	else
		return (pfail(dc, path, "flags_source",
		    "must be one of none, probe, builtin, kernel"));
	if (m->flags_source == INV_FLAGS_NONE && m->flags != 0)
		return (pfail(dc, path, "flags_source",
		    "is none but flags are listed"));
	return (get_str(dc, obj, path, "version", true, true, SYN_TEXT,
	    &m->version));
}

static int
dec_type(struct dec *dc, uint32_t obj, struct inv_type *t, int32_t *avail,
    const struct jp *path)
{
	const char	*kind;

	if (check_keys(dc, obj, path, type_keys) == -1 ||
	    get_str(dc, obj, path, "kind", false, true, SYN_TEXT,
	    &kind) == -1)
		return (-1);
	if (inv_kind_parse(kind, &t->kind) == -1)
		return (pfail(dc, path, "kind", "must be mdev or nvidia-vgpu"));
	if (get_str(dc, obj, path, "id", false, true, SYN_DEVID,
	    &t->id) == -1 ||
	    get_str(dc, obj, path, "name", true, true, SYN_TEXT,
	    &t->name) == -1 ||
	    get_str(dc, obj, path, "device_api", true, true, SYN_TEXT,
	    &t->device_api) == -1 ||
	    get_str(dc, obj, path, "description", true, true, SYN_TEXT,
	    &t->description) == -1 ||
	    get_int(dc, obj, path, "available_instances", 0, 1 << 20,
	    avail) == -1 ||
	    get_str(dc, obj, path, "migration_version", true, true,
	    SYN_TEXT, &t->migration_version) == -1)
		return (-1);
	return (0);
}

static int
dec_attrs(struct dec *dc, uint32_t obj, struct inv_device *d,
    const struct jp *path)
{
	const struct jv	*v = dc->js.v;
	struct jp	 ap = { path, "attributes", 0 };
	uint32_t	 i, k;

	if (obj == JV_NONE)
		return (pfail(dc, &ap, NULL, "required field is missing"));
	if (v[obj].type != JV_OBJECT)
		return (pfail(dc, &ap, NULL, "must be an object"));
	if (v[obj].n > INV_MAX_ATTRS)
		return (pfail(dc, &ap, NULL, "more than %u attributes",
		    INV_MAX_ATTRS));
	/* Exact room up front, so inv_set_attr never regrows. */
	inv_reserve_attrs(d, v[obj].n);
	for (i = 0, k = obj + 1; i < v[obj].n; i++, k = v[k + 1].end) {
		if (!syntax_ok(v[k].s, SYN_ATTRKEY))
			return (pfail(dc, &ap, v[k].s, "key must be %s",
			    syntax_name(SYN_ATTRKEY)));
		if (v[k + 1].type != JV_STRING)
			return (pfail(dc, &ap, v[k].s, "must be a string"));
		if (v[k + 1].n > INV_MAX_STRING || (!v[k + 1].plain &&
		    !str_is_clean_utf8(v[k + 1].s, v[k + 1].n)))
			return (pfail(dc, &ap, v[k].s,
			    "must be clean text of at most %u bytes",
			    INV_MAX_STRING));
		inv_set_attr(dc->inv, d, v[k].s, v[k + 1].s);
	}
	return (0);
}

static int
dec_device(struct dec *dc, uint32_t obj, struct inv_device *d,
    const struct jp *path)
{
	const struct jv	*v = dc->js.v;
	struct jp	 mp = { path, "migration", 0 };
	struct jp	 tp = { path, "types", 0 }, ep = { &tp, NULL, 0 };
	uint32_t	 types, e, i, t;

	inv_init_devices(dc->inv, d, 1);
	if (check_keys(dc, obj, path, device_keys) == -1 ||
	    get_str(dc, obj, path, "address", false, true, SYN_DEVID,
	    &d->address) == -1 ||
	    get_str(dc, obj, path, "vendor_id", true, true, SYN_HEX4,
	    &d->p->vendor_id) == -1 ||
	    get_str(dc, obj, path, "device_id", true, true, SYN_HEX4,
	    &d->p->device_id) == -1 ||
	    get_str(dc, obj, path, "subsystem_vendor_id", true, true,
	    SYN_HEX4, &d->p->subsystem_vendor_id) == -1 ||
	    get_str(dc, obj, path, "subsystem_device_id", true, true,
	    SYN_HEX4, &d->p->subsystem_device_id) == -1 ||
	    get_str(dc, obj, path, "class", true, true, SYN_HEX6,
	    &d->p->class) == -1 ||
	    get_str(dc, obj, path, "revision", true, true, SYN_HEX2,
	    &d->p->revision) == -1 ||
	    get_str(dc, obj, path, "vendor_name", true, true, SYN_TEXT,
	    &d->p->vendor_name) == -1 ||
	    get_str(dc, obj, path, "device_name", true, true, SYN_TEXT,
	    &d->p->device_name) == -1 ||
	    get_str(dc, obj, path, "driver", true, true, SYN_TEXT,
	    &d->p->driver) == -1 ||
	    get_str(dc, obj, path, "driver_version", true, true, SYN_TEXT,
	    &d->p->driver_version) == -1 ||
	    get_int(dc, obj, path, "iommu_group", 0, INT32_MAX,
	    &d->iommu_group) == -1 ||
	    get_int(dc, obj, path, "numa_node", 0, 65535,
	    &d->numa_node) == -1 ||
	    get_str(dc, obj, path, "physfn", true, true, SYN_PCI,
	    &d->p->physfn) == -1 ||
	    get_int(dc, obj, path, "sriov_totalvfs", 0, 65535,
	    &d->p->sriov_totalvfs) == -1 ||
	    get_int(dc, obj, path, "sriov_numvfs", 0, 65535,
	    &d->p->sriov_numvfs) == -1)
		return (-1);

	if ((e = member(dc, obj, "migration")) == JV_NONE)
		return (pfail(dc, &mp, NULL, "required field is missing"));
	if (dec_migration(dc, e, &d->p->migration, &mp) == -1)
		return (-1);

	types = member(dc, obj, "types");
	if (types == JV_NONE || v[types].type != JV_ARRAY)
		return (pfail(dc, &tp, NULL, "must be an array"));
	if (v[types].n > INV_MAX_TYPES)
		return (pfail(dc, &tp, NULL, "more than %u types",
		    INV_MAX_TYPES));
	inv_alloc_types(dc->inv, d, v[types].n);
	for (i = 0, e = types + 1; i < v[types].n; i++, e = v[e].end) {
		ep.idx = i;
		if (dec_type(dc, e, &d->p->types[i], &d->avail[i], &ep) == -1)
			return (-1);
		if (inv_find_type(d, d->p->types[i].kind, d->p->types[i].id) !=
		    &d->p->types[i])
			return (pfail(dc, &ep, NULL, "duplicate type %s",
			    d->p->types[i].id));
	}
	/* Only true is ever written; absent (every complete list) is false. */
	if ((t = member(dc, obj, "types_truncated")) != JV_NONE) {
		if (v[t].type != JV_TRUE)
			return (pfail(dc, path, "types_truncated",
			    "must be true or absent"));
		d->p->types_truncated = true;
	}
	return (dec_attrs(dc, member(dc, obj, "attributes"), d, path));
}

static int
dec_instance(struct dec *dc, uint32_t obj, struct inv_instance *in,
    const struct jp *path)
{
	const char	*kind;

	if (check_keys(dc, obj, path, instance_keys) == -1 ||
	    get_str(dc, obj, path, "kind", false, true, SYN_TEXT,
	    &kind) == -1)
		return (-1);
	if (inv_kind_parse(kind, &in->kind) == -1)
		return (pfail(dc, path, "kind", "must be mdev or nvidia-vgpu"));
	if (get_str(dc, obj, path, "id", false, false,
	    in->kind == INV_KIND_MDEV ? SYN_UUID : SYN_PCI, &in->id) == -1 ||
	    get_str(dc, obj, path, "type", false, true, SYN_DEVID,
	    &in->type) == -1 ||
	    get_str(dc, obj, path, "parent", false, true, SYN_DEVID,
	    &in->parent) == -1)
		return (-1);
	return (0);
}

static int
dec_vm(struct dec *dc, uint32_t obj, struct inv_vm *vm,
    const struct jp *path)
{
	const struct jv	*v = dc->js.v;
	struct jp	 dp = { path, "devices", 0 }, ep = { &dp, NULL, 0 };
	const char	*backend;
	enum inv_tri	 complete, viommu, ram_shared;
	enum inv_backend b = INV_BACKEND_NULL;
	uint32_t	 devs, e, i;

	if (check_keys(dc, obj, path, vm_keys) == -1 ||
	    get_str(dc, obj, path, "uuid", false, false, SYN_UUID,
	    &vm->uuid) == -1 ||
	    get_str(dc, obj, path, "name", true, false, SYN_TEXT,
	    &vm->name) == -1 ||
	    get_int(dc, obj, path, "pid", 1, INT32_MAX, &vm->pid) == -1)
		return (-1);
	devs = member(dc, obj, "devices");
	if (devs == JV_NONE || v[devs].type != JV_ARRAY)
		return (pfail(dc, &dp, NULL, "must be an array"));
	if (v[devs].n > INV_MAX_VM_DEVICES)
		return (pfail(dc, &dp, NULL, "more than %u devices",
		    INV_MAX_VM_DEVICES));
	vm->devices_cap = v[devs].n;
	vm->devices = arena_array(dc->inv, vm->devices_cap,
	    sizeof(*vm->devices));
	for (i = 0, e = devs + 1; i < v[devs].n; i++, e = v[e].end) {
		ep.idx = i;
		if (v[e].type != JV_STRING || !str_is_device_id(v[e].s))
			return (pfail(dc, &ep, NULL, "must be %s",
			    syntax_name(SYN_DEVID)));
		inv_vm_add_device(dc->inv, vm, v[e].s);
	}
	if (get_opt_tri(dc, obj, path, "complete", &complete) == -1 ||
	    get_opt_tri(dc, obj, path, "viommu", &viommu) == -1 ||
	    get_opt_tri(dc, obj, path, "ram_shared", &ram_shared) == -1)
		return (-1);
	vm->complete = (int8_t)complete;
	vm->viommu = (int8_t)viommu;
	vm->ram_shared = (int8_t)ram_shared;
	vm->qemu_version = NULL;
	if (member(dc, obj, "qemu_version") != JV_NONE &&
	    get_str(dc, obj, path, "qemu_version", true, true, SYN_TEXT,
	    &vm->qemu_version) == -1)
		return (-1);
	if (member(dc, obj, "backend") != JV_NONE) {
		if (get_str(dc, obj, path, "backend", true, true, SYN_TEXT,
		    &backend) == -1)
			return (-1);
		if (backend != NULL && inv_backend_parse(backend, &b) == -1)
			return (pfail(dc, path, "backend",
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

/* Exactly n zeroed elements; none at all for an empty array, which most
 * devices' type lists are. */
static void *
arena_array(struct inventory *inv, size_t n, size_t size)
{
	return (n == 0 ? NULL : arena_calloc(inv->arena, n, size));
}

#define ROUND16(n)	(((n) + 15) & ~(size_t)15)

/* Elements or members of value i when it has type type, else 0. */
static size_t
count_of(const struct dec *dc, uint32_t i, enum jv_type type)
{
	return (i != JV_NONE && dc->js.v[i].type == type ? dc->js.v[i].n : 0);
}

/*
 * Bytes the arena will need for the document's arrays and unique
 * strings, so a parsed inventory lives in one exactly sized chunk
 * instead of a chain of doubling ones: without it a restarted server
 * holding 2,000 bench hosts is 26.9 -> 31.9 KiB resident per host (3
 * paired rounds, equal to the KiB in each). An estimate only; a short
 * one just spills into a new chunk.
 * Mirrors the allocations of the dec_ functions above (arena_array,
 * 16-byte rounding). The document is not validated yet, so
 * anything larger than a big real host gets no reservation at all.
 */
#define MODEL_RESERVE_MAX	(1024 * 1024)

static size_t
model_size(struct dec *dc)
{
	const struct jscan	*js = &dc->js;
	uint32_t		 a, e;
	size_t			 i, n, total = 256;

	a = member(dc, 0, "devices");
	n = count_of(dc, a, JV_ARRAY);
	total += ROUND16(n * sizeof(struct inv_device));
	/* Types and attributes are the profile's, outside the arena
	 * (inv_alloc_types()); what stays is each type's avail. */
	for (i = 0, e = a + 1; i < n && total <= MODEL_RESERVE_MAX; i++,
	    e = js->v[e].end)
		total += ROUND16(count_of(dc, member(dc, e, "types"),
		    JV_ARRAY) * sizeof(int32_t));
	if (total > MODEL_RESERVE_MAX)
		return (0);
	n = count_of(dc, member(dc, 0, "instances"), JV_ARRAY);
	/* Each instance id is a unique string: a UUID rounds to 48. */
	total += ROUND16(n * sizeof(struct inv_instance)) + n * 48;
	a = member(dc, 0, "vms");
	n = count_of(dc, a, JV_ARRAY);
	total += ROUND16(n * sizeof(struct inv_vm)) + n * 96;
	for (i = 0, e = a + 1; i < n; i++, e = js->v[e].end) {
		size_t	 nd = count_of(dc, member(dc, e, "devices"),
		    JV_ARRAY);

		total += ROUND16(nd * sizeof(char *)) + nd * 48;
		if (total > MODEL_RESERVE_MAX)
			return (0);
	}
	return (total > MODEL_RESERVE_MAX ? 0 : total);
}

/* Top-level array member key (at most max entries) into exactly sized
 * storage (*arrp, *np) of elements of size bytes, each read by one. */
static int
dec_array(struct dec *dc, const char *key, unsigned int max, size_t size,
    dec_fn *one, void **arrp, size_t *np)
{
	struct jp	 root = { NULL, "", 0 }, ap = { &root, key, 0 };
	struct jp	 ep = { &ap, NULL, 0 };
	const struct jv	*v = dc->js.v;
	uint32_t	 a = member(dc, 0, key), e, i;
	char		*arr;

	*arrp = NULL;
	*np = 0;
	if (a == JV_NONE || v[a].type != JV_ARRAY)
		return (pfail(dc, &root, key, "must be an array"));
	if (v[a].n > max)
		return (pfail(dc, &root, key, "more than %u entries", max));
	*np = v[a].n;
	*arrp = arr = arena_array(dc->inv, v[a].n, size);
	for (i = 0, e = a + 1; i < v[a].n; i++, e = v[e].end) {
		ep.idx = i;
		if (one(dc, e, arr + i * size, &ep) == -1)
			return (-1);
	}
	return (0);
}

/* The scanned document into dc->inv; -1 with dc->err set. */
static int
dec_document(struct dec *dc)
{
	struct inventory	*inv = dc->inv;
	const struct jv		*v = dc->js.v;
	struct jp		 root = { NULL, "", 0 };
	struct jp		 ap = { &root, "platform", 0 };
	const char		*schema;
	uint32_t		 platform;
	size_t			 reserve;
	void			*arr;
	int			 rc;

	if (v[0].type == JV_OBJECT && (reserve = model_size(dc)) > 0)
		arena_reserve(inv->arena, reserve);
	if (check_keys(dc, 0, &root, top_keys) == -1 ||
	    get_str(dc, 0, &root, "schema", false, true, SYN_TEXT,
	    &schema) == -1)
		return (-1);
	if (strcmp(schema, INV_SCHEMA) != 0)
		return (pfail(dc, &root, "schema", "must be \"%s\"",
		    INV_SCHEMA));
	if (get_str(dc, 0, &root, "host", false, false, SYN_HOST,
	    &inv->host) == -1 ||
	    get_str(dc, 0, &root, "collected_at", false, false, SYN_TIME,
	    &inv->collected_at) == -1 ||
	    get_str(dc, 0, &root, "collector_version", false, true,
	    SYN_TEXT, &inv->collector_version) == -1)
		return (-1);
	if ((platform = member(dc, 0, "platform")) == JV_NONE)
		return (pfail(dc, &root, "platform",
		    "required field is missing"));
	if (dec_platform(dc, platform, &ap) == -1)
		return (-1);

	/* Kept on failure too: inventory_free() gives back the profiles
	 * of the devices read before the bad one. */
	rc = dec_array(dc, "devices", INV_MAX_DEVICES, sizeof(*inv->devices),
	    one_device, &arr, &inv->ndevices);
	inv->devices = arr;
	inv->devices_cap = inv->ndevices;
	if (rc == -1)
		return (-1);
	if (dec_array(dc, "instances", INV_MAX_INSTANCES,
	    sizeof(*inv->instances), one_instance, &arr,
	    &inv->ninstances) == -1)
		return (-1);
	inv->instances = arr;
	inv->instances_cap = inv->ninstances;
	if (dec_array(dc, "vms", INV_MAX_VMS, sizeof(*inv->vms), one_vm, &arr,
	    &inv->nvms) == -1)
		return (-1);
	inv->vms = arr;
	inv->vms_cap = inv->nvms;
	return (check_unique(inv, dc->err));
}

/*
 * Scan text (len bytes, writable, text[len] == '\0') as a document, or
 * as one device or type entry (one != NULL, at path prefix).
 */
static struct inventory *
decode(char *text, size_t len, struct strpool *pool, struct inventory *into,
    dec_fn *one, void *elem, const char *prefix, bool *not_json,
    struct inv_error *err)
{
	struct dec	 dc;
	struct jp	 root = { NULL, prefix, 0 };
	int		 rc;

	if (not_json != NULL)
		*not_json = false;
	dc.err = err;
	dc.hint_obj = JV_NONE;
	dc.hint_i = dc.hint_k = 0;
	dc.inv = into != NULL ? into : inventory_new(pool);
	if (jscan_parse(&dc.js, text, len, INV_MAX_DEPTH) == -1) {
		if (not_json != NULL)
			*not_json = true;
		inv_fail(err, *prefix != '\0' ? prefix : "(document)",
		    "invalid JSON at line %d column %d: %s", dc.js.line,
		    dc.js.column, dc.js.error);
		rc = -1;
	} else if (one != NULL)
		rc = one(&dc, 0, elem, &root);
	else
		rc = dec_document(&dc);
	jscan_free(&dc.js);
	if (rc == -1 && into == NULL) {
		inventory_free(dc.inv);
		return (NULL);
	}
	return (rc == -1 ? NULL : dc.inv);
}

struct inventory *
inventory_read_inplace(char *text, size_t len, struct strpool *pool,
    bool *not_json, struct inv_error *err)
{
	if (len > INV_MAX_DOCUMENT) {
		if (not_json != NULL)
			*not_json = true;
		inv_fail(err, "(document)", "larger than %u bytes",
		    INV_MAX_DOCUMENT);
		return (NULL);
	}
	return (decode(text, len, pool, NULL, NULL, NULL, "", not_json, err));
}

struct inventory *
inventory_read(const char *buf, size_t len, struct strpool *pool,
    bool *not_json, struct inv_error *err)
{
	struct inventory	*inv;
	char			*text;

	if (len > INV_MAX_DOCUMENT)
		return (inventory_read_inplace(NULL, len, pool, not_json,
		    err));
	text = xmalloc(len + 1);
	memcpy(text, buf, len);
	text[len] = '\0';
	inv = inventory_read_inplace(text, len, pool, not_json, err);
	free(text);
	return (inv);
}

struct inventory *
inventory_parse(const char *buf, size_t len, struct strpool *pool,
    struct inv_error *err)
{
	return (inventory_read(buf, len, pool, NULL, err));
}

/* The text of a jansson value, so that it is checked the one way. */
static char *
tree_text(const json_t *v, size_t *lenp)
{
	char	*s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		return (NULL);
	*lenp = strlen(s);
	return (s);
}

struct inventory *
inventory_from_json(const json_t *root, struct strpool *pool,
    struct inv_error *err)
{
	struct inventory	*inv;
	char			*text;
	size_t			 len;

	if (json_depth_exceeds(root, INV_MAX_DEPTH)) {
		inv_fail(err, "(document)", "nested deeper than %d levels",
		    INV_MAX_DEPTH);
		return (NULL);
	}
	if ((text = tree_text(root, &len)) == NULL) {
		inv_fail(err, "(document)", "cannot be printed");
		return (NULL);
	}
	inv = decode(text, len, pool, NULL, NULL, NULL, "", NULL, err);
	free(text);
	return (inv);
}

static int
one_device(struct dec *dc, uint32_t obj, void *d, const struct jp *path)
{
	return (dec_device(dc, obj, d, path));
}

static int
one_type(struct dec *dc, uint32_t obj, void *t, const struct jp *path)
{
	int32_t	 avail;	/* a descriptor's: not a fact of any device */

	return (dec_type(dc, obj, t, &avail, path));
}

static int
one_instance(struct dec *dc, uint32_t obj, void *in, const struct jp *path)
{
	return (dec_instance(dc, obj, in, path));
}

static int
one_vm(struct dec *dc, uint32_t obj, void *vm, const struct jp *path)
{
	return (dec_vm(dc, obj, vm, path));
}

/* One device or type entry of inv from a jansson value. */
static int
entry_from_json(struct inventory *inv, const json_t *obj, dec_fn *one,
    void *elem, const char *path, struct inv_error *err)
{
	char	*text;
	size_t	 len;
	bool	 ok;

	if ((text = tree_text(obj, &len)) == NULL)
		return (inv_fail(err, path, "cannot be printed"));
	ok = decode(text, len, NULL, inv, one, elem, path, NULL, err) != NULL;
	free(text);
	return (ok ? 0 : -1);
}

int
inv_device_from_json(struct inventory *inv, const json_t *obj,
    struct inv_device *d, const char *path, struct inv_error *err)
{
	return (entry_from_json(inv, obj, one_device, d, path, err));
}

int
inv_type_from_json(struct inventory *inv, const json_t *obj,
    struct inv_type *t, const char *path, struct inv_error *err)
{
	return (entry_from_json(inv, obj, one_type, t, path, err));
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
inv_type_to_json(const struct inv_type *t, int32_t avail)
{
	json_t	*o = json_object();

	json_object_set_new(o, "kind", json_string(inv_kind_name(t->kind)));
	json_object_set_new(o, "id", jstr(t->id));
	json_object_set_new(o, "name", jstr(t->name));
	json_object_set_new(o, "device_api", jstr(t->device_api));
	json_object_set_new(o, "description", jstr(t->description));
	json_object_set_new(o, "available_instances", jint(avail));
	json_object_set_new(o, "migration_version", jstr(t->migration_version));
	return (o);
}

static json_t *
inv_device_to_json(const struct inv_device *d)
{
	json_t	*o = json_object(), *m = json_object(), *a, *attrs;
	size_t	 i;

	json_object_set_new(o, "address", jstr(d->address));
	json_object_set_new(o, "vendor_id", jstr(d->p->vendor_id));
	json_object_set_new(o, "device_id", jstr(d->p->device_id));
	json_object_set_new(o, "subsystem_vendor_id",
	    jstr(d->p->subsystem_vendor_id));
	json_object_set_new(o, "subsystem_device_id",
	    jstr(d->p->subsystem_device_id));
	json_object_set_new(o, "class", jstr(d->p->class));
	json_object_set_new(o, "revision", jstr(d->p->revision));
	json_object_set_new(o, "vendor_name", jstr(d->p->vendor_name));
	json_object_set_new(o, "device_name", jstr(d->p->device_name));
	json_object_set_new(o, "driver", jstr(d->p->driver));
	json_object_set_new(o, "driver_version", jstr(d->p->driver_version));
	json_object_set_new(o, "iommu_group", jint(d->iommu_group));
	json_object_set_new(o, "numa_node", jint(d->numa_node));
	json_object_set_new(o, "physfn", jstr(d->p->physfn));
	json_object_set_new(o, "sriov_totalvfs", jint(d->p->sriov_totalvfs));
	json_object_set_new(o, "sriov_numvfs", jint(d->p->sriov_numvfs));

	json_object_set_new(m, "capable",
	    json_boolean(d->p->migration.capable));
	a = json_array();
	for (i = 0; i < 4; i++)
		if (d->p->migration.flags & (1u << i))
			json_array_append_new(a, json_string(inv_flag_names[i]));
	json_object_set_new(m, "flags", a);
	json_object_set_new(m, "flags_source",
	    json_string(inv_flags_source_name(d->p->migration.flags_source)));
	json_object_set_new(m, "version", jstr(d->p->migration.version));
	json_object_set_new(o, "migration", m);

	a = json_array();
	for (i = 0; i < d->p->ntypes; i++)
		json_array_append_new(a, inv_type_to_json(&d->p->types[i],
		    d->avail[i]));
	json_object_set_new(o, "types", a);
	attrs = json_object();
	for (i = 0; i < d->p->nattrs; i++)
		json_object_set_new(attrs, d->p->attrs[i].key,
		    json_string(d->p->attrs[i].value));
	json_object_set_new(o, "attributes", attrs);
	if (d->p->types_truncated)
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
