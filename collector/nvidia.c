/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nvidia.c -- NVIDIA SR-IOV vGPU: each VF's nvidia/ directory lists the
 * vGPU types it can create and the one it holds.
 *
 * creatable_vgpu_types is meant for people: a header line, then
 * "ID : Name" lines padded with spaces. Parse leniently and skip what
 * does not look like a numeric id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

#define NVIDIA_MAX_TYPE_ID	0x7fffffff

static void	 add_type(struct collect *, size_t, const char *,
		    const char *, int64_t);

static void
add_type(struct collect *c, size_t idx, const char *id, const char *name,
    int64_t avail)
{
	struct inv_device	*d = &c->inv->devices[idx];
	struct inv_type		*t;

	if ((t = inv_find_type(d, INV_KIND_NVIDIA_VGPU, id)) == NULL) {
		if (d->p->ntypes >= COLLECT_MAX_TYPES) {
			if (!d->p->types_truncated)
				log_warnx("%s: %s: more than %d types, rest "
				    "ignored (types_truncated)", __func__,
				    d->address, COLLECT_MAX_TYPES);
			d->p->types_truncated = true;
			return;
		}
		t = inv_add_type(c->inv, d);
		t->kind = INV_KIND_NVIDIA_VGPU;
		t->id = inv_istr(c->inv, id);
		t->device_api = inv_istr(c->inv, "vfio-pci");
	}
	if (name != NULL && *name != '\0')
		t->name = inv_istr(c->inv, name);
	inv_set_avail(d, t, (int32_t)avail);
}

int
nvidia_scan_device(struct collect *c, size_t idx, const char *devpath)
{
	char		 p[SYSFS_PATH_MAX], id[16], *list, *line, *next;
	char		*colon, *name;
	const char	*errstr;
	int64_t		 current, avail;
	int		 lineno;
	long long	 n;
	struct inv_instance *in;

	if (sysfs_path(p, sizeof(p), "%s/nvidia", devpath) == -1 ||
	    !sysfs_exists(p))
		return (0);
	collect_mark(c, idx);

	sysfs_path(p, sizeof(p), "%s/nvidia/current_vgpu_type", devpath);
	current = sysfs_read_int(p, 0, NVIDIA_MAX_TYPE_ID);
	/* One vGPU per VF: listed types are free only while it has none. */
	avail = current == INV_NULL ? INV_NULL : current == 0 ? 1 : 0;

	sysfs_path(p, sizeof(p), "%s/nvidia/creatable_vgpu_types", devpath);
	if ((list = sysfs_read(p, SYSFS_RAW)) != NULL) {
		for (line = list, lineno = 1; line != NULL;
		    line = next, lineno++) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			str_rtrim(line);
			if (*line == '\0')
				continue;
			if (!str_is_clean_utf8(line, strlen(line)) ||
			    (colon = strchr(line, ':')) == NULL) {
				log_warnx("%s: %s: line %d is not \"ID : "
				    "Name\", skipped", __func__, p, lineno);
				continue;
			}
			*colon = '\0';
			str_rtrim(line);
			n = vc_strtonum(str_ltrim(line), 1,
			    NVIDIA_MAX_TYPE_ID, &errstr);
			if (errstr != NULL) {
				/* The driver's header: "ID    : vGPU Name". */
				if (strcmp(str_ltrim(line), "ID") != 0)
					log_warnx("%s: %s: line %d: type id "
					    "is %s, skipped", __func__, p,
					    lineno, errstr);
				continue;
			}
			name = str_rtrim((char *)str_ltrim(colon + 1));
			snprintf(id, sizeof(id), "%lld", n);
			add_type(c, idx, id, name, avail);
		}
		free(list);
	}

	if (current != INV_NULL && current != 0) {
		snprintf(id, sizeof(id), "%lld", (long long)current);
		/* The held type is on offer here, with no room left. */
		add_type(c, idx, id, NULL, 0);
		in = inv_add_instance(c->inv);
		in->kind = INV_KIND_NVIDIA_VGPU;
		in->id = c->inv->devices[idx].address;
		in->type = inv_istr(c->inv, id);
		in->parent = c->inv->devices[idx].address;
	}
	return (0);
}

/* A busy VF no longer lists its own type; its siblings name it. */
void
nvidia_fill_names(struct collect *c)
{
	struct inventory	*inv = c->inv;
	struct inv_type		*t, *o;
	size_t			 i, j, k;

	for (i = 0; i < inv->ndevices; i++) {
		for (j = 0; j < inv->devices[i].p->ntypes; j++) {
			t = &inv->devices[i].p->types[j];
			if (t->kind != INV_KIND_NVIDIA_VGPU || t->name != NULL)
				continue;
			for (k = 0; k < inv->ndevices && t->name == NULL;
			    k++) {
				o = inv_find_type(&inv->devices[k],
				    INV_KIND_NVIDIA_VGPU, t->id);
				if (o != NULL && o->name != NULL)
					t->name = o->name;
			}
		}
	}
}
