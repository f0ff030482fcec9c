/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mdev.c -- mediated device parents, their types, and live instances.
 *
 * Parents come from /sys/class/mdev_bus (PCI, s390 css and ap alike);
 * PCI parents' types were already read with the device, so this adds
 * the non-PCI parents. Instances come from /sys/bus/mdev/devices.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

static const char *read_text(struct collect *, const char *, const char *,
		    int);
static void	 read_type(struct collect *, size_t, const char *,
		    const char *);
static int	 add_other_parent(struct collect *, const char *,
		    const char *);
static int	 read_instance(struct collect *, const char *);

/* A type attribute as text; empty means unknown. */
static const char *
read_text(struct collect *c, const char *dir, const char *file, int flags)
{
	char		 p[SYSFS_PATH_MAX], *s;
	const char	*v = NULL;

	if (sysfs_join(p, sizeof(p), dir, file) == -1)
		return (NULL);
	if ((s = sysfs_read(p, flags)) != NULL && *s != '\0')
		v = inv_istr(c->inv, s);
	free(s);
	return (v);
}

/*
 * One type directory: mdev_supported_types/<id>/. Files are read
 * directly: a type has nearly all of them, so listing first would cost
 * more calls than the one or two that are absent.
 */
static void
read_type(struct collect *c, size_t idx, const char *dir, const char *id)
{
	struct inv_type		*t;
	char			 p[SYSFS_PATH_MAX];

	t = inv_add_type(c->inv, &c->inv->devices[idx]);
	t->kind = INV_KIND_MDEV;
	t->id = inv_istr(c->inv, id);
	t->name = read_text(c, dir, "name", 0);
	t->device_api = read_text(c, dir, "device_api", 0);
	/* GVT-g writes one fact per line; keep them on one. */
	t->description = read_text(c, dir, "description", SYSFS_MULTILINE);
	/* The proposal that named it was never merged: rarely there. */
	t->migration_version = read_text(c, dir, "migration_version",
	    SYSFS_OPTIONAL);
	sysfs_join(p, sizeof(p), dir, "available_instances");
	inv_set_avail(&c->inv->devices[idx], t, sysfs_read_int(p, 0, 1 << 20));
	/* The mdev ABI makes this one and device_api mandatory. */
	if (inv_avail(&c->inv->devices[idx], t) == INV_NULL &&
	    !sysfs_lexists(p))
		log_warnx("%s: %s: missing", __func__, p);
	sysfs_join(p, sizeof(p), dir, "device_api");
	if (t->device_api == NULL && !sysfs_lexists(p))
		log_warnx("%s: %s: missing", __func__, p);
}

int
mdev_read_types(struct collect *c, size_t idx, const char *devpath)
{
	char		 dir[SYSFS_PATH_MAX], p[SYSFS_PATH_MAX];
	DIR		*dp;
	struct dirent	*de;
	struct stat	 sb;
	size_t		 n = 0;

	if (sysfs_join(dir, sizeof(dir), devpath,
	    "mdev_supported_types") == -1)
		return (-1);
	if ((dp = opendir(dir)) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			log_warn("%s: %s", __func__, dir);
		return (0);
	}
	collect_mark(c, idx);
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (!str_is_device_id(de->d_name)) {
			log_warnx("%s: %s: odd type name, skipped", __func__,
			    dir);
			continue;
		}
		if (sysfs_join(p, sizeof(p), dir, de->d_name) == -1)
			continue;
		/* sysfs type entries are directories; trust d_type there. */
		if (de->d_type != DT_DIR && (de->d_type != DT_UNKNOWN ||
		    stat(p, &sb) == -1 || !S_ISDIR(sb.st_mode))) {
			log_warnx("%s: %s: not a type directory, skipped",
			    __func__, p);
			continue;
		}
		if (inv_find_type(&c->inv->devices[idx], INV_KIND_MDEV,
		    de->d_name) != NULL)
			continue;
		if (++n > COLLECT_MAX_TYPES) {
			log_warnx("%s: %s: more than %d types, rest ignored "
			    "(types_truncated)", __func__, dir,
			    COLLECT_MAX_TYPES);
			c->inv->devices[idx].p->types_truncated = true;
			break;
		}
		read_type(c, idx, p, de->d_name);
	}
	closedir(dp);
	return (0);
}

int
mdev_scan_parents(struct collect *c)
{
	char		 path[SYSFS_PATH_MAX];
	DIR		*dp;
	struct dirent	*de;
	struct inv_device *d;

	if ((dp = opendir(SYS_MDEV_BUS)) == NULL) {
		if (errno != ENOENT)
			log_warn("%s: %s", __func__, SYS_MDEV_BUS);
		return (0);
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (!str_is_device_id(de->d_name)) {
			log_warnx("%s: %s: odd parent name, skipped", __func__,
			    SYS_MDEV_BUS);
			continue;
		}
		if (sysfs_join(path, sizeof(path), SYS_MDEV_BUS,
		    de->d_name) == -1)
			continue;
		if (!sysfs_exists(path)) {
			log_warnx("%s: %s: dangling link, skipped", __func__,
			    path);
			continue;
		}
		if ((d = inv_find_device(c->inv, de->d_name)) != NULL) {
			if (d->p->ntypes == 0)
				mdev_read_types(c, (size_t)(d - c->inv->devices),
				    path);
			continue;
		}
		if (str_is_pci_address(de->d_name))
			log_warnx("%s: %s: PCI parent not on the PCI bus",
			    __func__, path);
		if (c->inv->ndevices >= COLLECT_MAX_DEVICES)
			break;
		add_other_parent(c, de->d_name, path);
	}
	closedir(dp);
	return (0);
}

/* An s390 subchannel or the AP matrix: no PCI ids, only a name. */
static int
add_other_parent(struct collect *c, const char *name, const char *path)
{
	struct inv_device	*d;
	char			 p[SYSFS_PATH_MAX], *s;
	const char		*errstr;
	long long		 n;
	size_t			 idx = c->inv->ndevices;

	d = inv_add_device(c->inv);
	d->address = inv_str(c->inv, name);
	if (sysfs_join(p, sizeof(p), path, "driver") == 0 &&
	    (s = sysfs_link_base(p)) != NULL) {
		d->p->driver = inv_istr(c->inv, s);
		free(s);
	}
	if (sysfs_join(p, sizeof(p), path, "iommu_group") == 0 &&
	    (s = sysfs_link_base(p)) != NULL) {
		n = vc_strtonum(s, 0, INT32_MAX, &errstr);
		if (errstr == NULL)
			d->iommu_group = n;
		free(s);
	}
	d->p->driver_version = driver_version_of(c, path, d->p->driver);
	if (sysfs_join(p, sizeof(p), path, "migration_version") == 0 &&
	    (s = sysfs_read(p, 0)) != NULL) {
		d->p->migration.version = *s != '\0' ?
		    inv_istr(c->inv, s) : NULL;
		free(s);
	}
	return (mdev_read_types(c, idx, path));
}

int
mdev_scan_instances(struct collect *c)
{
	DIR		*dp;
	struct dirent	*de;
	size_t		 n = 0;

	if ((dp = opendir(SYS_MDEV_DEVICES)) == NULL) {
		if (errno != ENOENT)
			log_warn("%s: %s", __func__, SYS_MDEV_DEVICES);
		return (0);
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (++n > INV_MAX_INSTANCES) {
			log_warnx("%s: too many mdevs, rest ignored",
			    __func__);
			break;
		}
		read_instance(c, de->d_name);
	}
	closedir(dp);
	return (0);
}

/*
 * The mdev_type link resolves to .../<parent>/mdev_supported_types/<type>
 * whatever the parent's bus, so both come from one realpath.
 */
static int
read_instance(struct collect *c, const char *name)
{
	struct inv_instance	*in;
	char			 uuid[64], p[SYSFS_PATH_MAX];
	char			 real[PATH_MAX], *type, *sep, *parent;
	size_t			 i;

	if (strlen(name) >= sizeof(uuid))
		goto bad_name;
	for (i = 0; name[i] != '\0'; i++)
		uuid[i] = (name[i] >= 'A' && name[i] <= 'F') ?
		    name[i] - 'A' + 'a' : name[i];
	uuid[i] = '\0';
	if (!str_is_uuid(uuid))
		goto bad_name;
	if (sysfs_path(p, sizeof(p), "%s/%s/mdev_type", SYS_MDEV_DEVICES,
	    name) == -1)
		return (-1);
	if (realpath(p, real) == NULL) {
		log_warnx("%s: %s: %s, mdev skipped", __func__, p,
		    errno == ENOENT ? "missing or dangling" : strerror(errno));
		return (-1);
	}
	if ((type = strrchr(real, '/')) == NULL)
		goto bad_link;
	*type++ = '\0';
	if ((sep = strrchr(real, '/')) == NULL ||
	    strcmp(sep + 1, "mdev_supported_types") != 0)
		goto bad_link;
	*sep = '\0';
	if ((parent = strrchr(real, '/')) == NULL)
		goto bad_link;
	parent++;
	if (!str_is_device_id(type) || !str_is_device_id(parent))
		goto bad_link;
	in = inv_add_instance(c->inv);
	in->kind = INV_KIND_MDEV;
	in->id = inv_str(c->inv, uuid);
	in->type = inv_istr(c->inv, type);
	in->parent = inv_istr(c->inv, parent);
	return (0);

bad_name:
	log_warnx("%s: %s: mdev name is not a UUID, skipped", __func__,
	    SYS_MDEV_DEVICES);
	return (-1);
bad_link:
	log_warnx("%s: %s: mdev_type does not point into a parent's "
	    "mdev_supported_types, skipped", __func__, p);
	return (-1);
}
