/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inventory_text.c -- the canonical compact document, printed straight
 * from the model.
 *
 * It is byte for byte what json_dumps(inventory_to_json(inv),
 * JSON_COMPACT) printed before (tests/unit/test_inventory.c compares
 * the two), so digests stored by earlier versions stay valid: members
 * in inventory_to_json()'s order, jansson's escapes ("\u001B" in upper
 * case, no escaped '/', UTF-8 as is), integers as %lld, and a string
 * that is not valid UTF-8 left out with its key, as json_string()
 * refusing it did. No tree is built: a changed PUT printed one of
 * about 2,000 jansson values and freed it again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codec/inventory_text.h"
#include "util/buf.h"

static bool	utf8_ok(const char *);
static void	put_lit(struct buf *, const char *);
static void	put_str(struct buf *, const char *);
static void	put_int(struct buf *, int64_t);
static void	key(struct buf *, bool *, const char *);
static void	m_str(struct buf *, bool *, const char *, const char *);
static void	m_int(struct buf *, bool *, const char *, int64_t);
static void	m_tri(struct buf *, bool *, const char *, int);
static void	put_type(struct buf *, const struct inv_type *, int32_t);
static void	put_device(struct buf *, const struct inv_device *);

/* What jansson accepts: shortest forms, no surrogates, <= U+10FFFF. */
static bool
utf8_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	int			 n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3, cp = *p & 0x07;
		else
			return (false);
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (false);
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return (false);
		p += n + 1;
	}
	return (true);
}

static void
put_lit(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* A JSON string (or null), escaped as json_dumps() escapes. */
static void
put_str(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const char		*run;
	char			 esc[7];
	unsigned char		 c;

	if (s == NULL) {
		put_lit(b, "null");
		return;
	}
	buf_add(b, "\"", 1);
	for (run = s; (c = (unsigned char)*s) != '\0'; s++) {
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, run, (size_t)(s - run));
		run = s + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			buf_add(b, esc, 6);
			continue;
		}
		buf_add(b, esc, 2);
	}
	buf_add(b, run, (size_t)(s - run));
	buf_add(b, "\"", 1);
}

static void
put_int(struct buf *b, int64_t n)
{
	char		 d[24], *p = d + sizeof(d);
	uint64_t	 u = n < 0 ? -(uint64_t)n : (uint64_t)n;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (n < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

/* ,"name": (no comma before an object's first member). */
static void
key(struct buf *b, bool *first, const char *name)
{
	if (!*first)
		buf_add(b, ",", 1);
	*first = false;
	put_str(b, name);
	buf_add(b, ":", 1);
}

static void
m_str(struct buf *b, bool *first, const char *name, const char *s)
{
	if (s != NULL && !utf8_ok(s))
		return;
	key(b, first, name);
	put_str(b, s);
}

static void
m_int(struct buf *b, bool *first, const char *name, int64_t n)
{
	key(b, first, name);
	if (n == INV_NULL)
		put_lit(b, "null");
	else
		put_int(b, n);
}

static void
m_tri(struct buf *b, bool *first, const char *name, int t)
{
	key(b, first, name);
	put_lit(b, t == INV_TRI_NULL ? "null" : t == INV_TRI_TRUE ? "true" :
	    "false");
}

static void
put_type(struct buf *b, const struct inv_type *t, int32_t avail)
{
	bool	 first = true;

	buf_add(b, "{", 1);
	m_str(b, &first, "kind", inv_kind_name(t->kind));
	m_str(b, &first, "id", t->id);
	m_str(b, &first, "name", t->name);
	m_str(b, &first, "device_api", t->device_api);
	m_str(b, &first, "description", t->description);
	m_int(b, &first, "available_instances", avail);
	m_str(b, &first, "migration_version", t->migration_version);
	buf_add(b, "}", 1);
}

static void
put_device(struct buf *b, const struct inv_device *d)
{
	const struct inv_attr	*a;
	bool			 first = true, any;
	size_t			 i;

	buf_add(b, "{", 1);
	m_str(b, &first, "address", d->address);
	m_str(b, &first, "vendor_id", d->p->vendor_id);
	m_str(b, &first, "device_id", d->p->device_id);
	m_str(b, &first, "subsystem_vendor_id", d->p->subsystem_vendor_id);
	m_str(b, &first, "subsystem_device_id", d->p->subsystem_device_id);
	m_str(b, &first, "class", d->p->class);
	m_str(b, &first, "revision", d->p->revision);
	m_str(b, &first, "vendor_name", d->p->vendor_name);
	m_str(b, &first, "device_name", d->p->device_name);
	m_str(b, &first, "driver", d->p->driver);
	m_str(b, &first, "driver_version", d->p->driver_version);
	m_int(b, &first, "iommu_group", d->iommu_group);
	m_int(b, &first, "numa_node", d->numa_node);
	m_str(b, &first, "physfn", d->p->physfn);
	m_int(b, &first, "sriov_totalvfs", d->p->sriov_totalvfs);
	m_int(b, &first, "sriov_numvfs", d->p->sriov_numvfs);
	key(b, &first, "migration");
	put_lit(b, d->p->migration.capable ? "{\"capable\":true,\"flags\":[" :
	    "{\"capable\":false,\"flags\":[");
	for (i = 0, any = false; i < 4; i++) {
		if (!(d->p->migration.flags & (1u << i)))
			continue;
		if (any)
			buf_add(b, ",", 1);
		any = true;
		put_str(b, inv_flag_names[i]);
	}
	put_lit(b, "],\"flags_source\":");
	put_str(b, inv_flags_source_name(d->p->migration.flags_source));
	any = false;
	m_str(b, &any, "version", d->p->migration.version);
	put_lit(b, "},\"types\":[");
	for (i = 0; i < d->p->ntypes; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		put_type(b, &d->p->types[i], d->avail[i]);
	}
	put_lit(b, "],\"attributes\":{");
	for (i = 0, any = true; i < d->p->nattrs; i++) {
		a = &d->p->attrs[i];
		if (utf8_ok(a->key) && a->value != NULL)
			m_str(b, &any, a->key, a->value);
	}
	buf_add(b, "}", 1);
	if (d->p->types_truncated)
		put_lit(b, ",\"types_truncated\":true");
	buf_add(b, "}", 1);
}

void
inventory_print(const struct inventory *inv, struct buf *b, size_t *cut,
    size_t *cut_end)
{
	const struct inv_platform	*p = &inv->platform;
	bool				 first = true, any;
	size_t				 i, j;

	put_lit(b, "{\"schema\":\"" INV_SCHEMA "\"");
	first = false;
	m_str(b, &first, "host", inv->host);
	*cut = b->len;
	m_str(b, &first, "collected_at", inv->collected_at);
	*cut_end = b->len;
	m_str(b, &first, "collector_version", inv->collector_version);
	key(b, &first, "platform");
	any = true;
	buf_add(b, "{", 1);
	m_str(b, &any, "kernel_release", p->kernel_release);
	m_str(b, &any, "arch", p->arch);
	m_tri(b, &any, "iommufd", p->iommufd);
	m_tri(b, &any, "vfio_container", p->vfio_container);
	m_str(b, &any, "qemu_version", p->qemu_version);
	m_str(b, &any, "libvirt_version", p->libvirt_version);
	m_tri(b, &any, "iommu_dirty_tracking", p->iommu_dirty_tracking);
	put_lit(b, "},\"devices\":[");
	for (i = 0; i < inv->ndevices; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		put_device(b, &inv->devices[i]);
	}
	put_lit(b, "],\"instances\":[");
	for (i = 0; i < inv->ninstances; i++) {
		const struct inv_instance	*in = &inv->instances[i];

		if (i > 0)
			buf_add(b, ",", 1);
		any = true;
		buf_add(b, "{", 1);
		m_str(b, &any, "kind", inv_kind_name(in->kind));
		m_str(b, &any, "id", in->id);
		m_str(b, &any, "type", in->type);
		m_str(b, &any, "parent", in->parent);
		buf_add(b, "}", 1);
	}
	put_lit(b, "],\"vms\":[");
	for (i = 0; i < inv->nvms; i++) {
		const struct inv_vm	*vm = &inv->vms[i];
		bool			 dfirst = true;

		if (i > 0)
			buf_add(b, ",", 1);
		any = true;
		buf_add(b, "{", 1);
		m_str(b, &any, "uuid", vm->uuid);
		m_str(b, &any, "name", vm->name);
		m_int(b, &any, "pid", vm->pid);
		key(b, &any, "devices");
		buf_add(b, "[", 1);
		for (j = 0; j < vm->ndevices; j++) {
			if (!utf8_ok(vm->devices[j]))
				continue;
			if (!dfirst)
				buf_add(b, ",", 1);
			dfirst = false;
			put_str(b, vm->devices[j]);
		}
		buf_add(b, "]", 1);
		m_tri(b, &any, "complete", vm->complete);
		m_str(b, &any, "qemu_version", vm->qemu_version);
		m_str(b, &any, "backend", inv_backend_name(vm->backend));
		m_tri(b, &any, "viommu", vm->viommu);
		m_tri(b, &any, "ram_shared", vm->ram_shared);
		buf_add(b, "}", 1);
	}
	put_lit(b, "]}");
}
