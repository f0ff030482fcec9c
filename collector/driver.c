/* SPDX-License-Identifier: Apache-2.0 */
/*
 * driver.c -- a bound driver's version, read once per driver per scan:
 * /sys/module/<module>/version, else srcversion, else the kernel release
 * for drivers that ship with the kernel. PCI devices and mdev parents
 * (css, ap, mtty) alike take theirs from here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

static const char *const in_tree_drivers[] = {
	"vfio_pci", "mlx5_vfio_pci", "hisi_acc_vfio_pci", "pds_vfio_pci",
	"virtio_vfio_pci", "qat_vfio_pci", "xe_vfio_pci", "vfio_ccw",
	"vfio_ap", "i915", "mtty", "mdpy", "mbochs", NULL
};

static const char	*module_version(struct collect *, const char *,
			    const char *);
static int		 driver_in_tree(const char *);

/* A driver's version is the same for every device it binds: ask once. */
const char *
driver_version_of(struct collect *c, const char *devpath,
    const char *driver)
{
	struct driver_cache	*dc;
	const char		*v;
	size_t			 i;

	if (driver == NULL)
		return (NULL);
	for (i = 0; i < c->ndrivers; i++)
		if (strcmp(c->drivers[i].driver, driver) == 0)
			return (c->drivers[i].version);
	v = module_version(c, devpath, driver);
	if (c->ndrivers < COLLECT_MAX_DRIVERS) {
		dc = &c->drivers[c->ndrivers++];
		dc->driver = xstrdup(driver);
		dc->version = v;
	}
	return (v);
}

/*
 * The module's version, else its srcversion, else the running kernel's
 * release for modules that ship with it. Out-of-tree modules without a
 * version stay null: the kernel release says nothing about them.
 */
static const char *
module_version(struct collect *c, const char *devpath, const char *driver)
{
	char	 p[SYSFS_PATH_MAX], mod[256], *s, *taint;
	size_t	 i;
	int	 in_tree;
	const char *v;

	if (sysfs_path(p, sizeof(p), "%s/driver/module", devpath) == 0 &&
	    sysfs_exists(p) && (s = sysfs_link_base(p)) != NULL) {
		snprintf(mod, sizeof(mod), "%s", s);
		free(s);
	} else {
		snprintf(mod, sizeof(mod), "%s", driver);
		for (i = 0; mod[i] != '\0'; i++)
			if (mod[i] == '-')
				mod[i] = '_';
	}
	if (sysfs_path(p, sizeof(p), "%s/%s/version", SYS_MODULE, mod) ==
	    -1)
		return (NULL);
	if ((s = sysfs_read(p, 0)) != NULL && *s == '\0')
		log_warnx("%s: %s: empty", __func__, p);
	if (s == NULL || *s == '\0') {
		free(s);
		sysfs_path(p, sizeof(p), "%s/%s/srcversion", SYS_MODULE, mod);
		s = sysfs_read(p, 0);
	}
	if (s != NULL && *s != '\0') {
		v = inv_istr(c->inv, s);
		free(s);
		return (v);
	}
	free(s);

	/*
	 * A loadable module's taint tells (O: out-of-tree, P: proprietary,
	 * E: unsigned); a module directory without one is built into the
	 * kernel. With no module directory at all, only drivers we know.
	 */
	sysfs_path(p, sizeof(p), "%s/%s", SYS_MODULE, mod);
	if (sysfs_exists(p)) {
		sysfs_path(p, sizeof(p), "%s/%s/taint", SYS_MODULE, mod);
		if ((taint = sysfs_read(p, 0)) != NULL)
			in_tree = strpbrk(taint, "OPE") == NULL;
		else
			in_tree = !sysfs_exists(p);
		free(taint);
	} else
		in_tree = driver_in_tree(driver);
	if (in_tree && c->kernel_release != NULL)
		return (inv_istr(c->inv, c->kernel_release));
	return (NULL);
}

static int
driver_in_tree(const char *driver)
{
	size_t	 i;

	for (i = 0; in_tree_drivers[i] != NULL; i++)
		if (inv_driver_eq(in_tree_drivers[i], driver))
			return (1);
	return (0);
}
