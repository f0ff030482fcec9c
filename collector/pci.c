/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pci.c -- PCI devices from /sys/bus/pci/devices, their names from udev,
 * driver versions from /sys/module, migration capability, and the choice
 * of which devices an inventory lists.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

static int	 pci_driver_is_vfio(const char *);
static int	 pci_read_device(struct collect *, const char *);
static void	 pci_ids(struct collect *, size_t, const char *,
		    const struct sysfs_dir *);
static void	 pci_names(struct collect *, size_t, const char *,
		    const struct sysfs_dir *);
static char	*make_modalias(const struct inv_device *);
static struct udev_device *udev_pci_device(struct udev *, const char *);
static void	 hwdb_lookup(struct collect *, const char *, char **,
		    char **);
static int	 debugfs_flags(const char *, unsigned int *);
static void	 set_kernel_flags(struct inv_device *, int, unsigned int);
static int	 is_instance_parent(const struct inventory *, const char *);

/* Drivers we know ship with the kernel, for hosts without /sys/module;
 * compared with inv_driver_eq, so "xe-vfio-pci" matches too. */
int
pci_scan(struct collect *c)
{
	size_t	 i;

	/* Listed once: link targets are checked against these lists. */
	sysfs_list(SYS_PCI_DEVICES, &c->pci_devices);
	sysfs_list(SYS_PCI_DRIVERS, &c->pci_drivers);
	sysfs_list(SYS_IOMMU_GROUPS, &c->iommu_groups);
	for (i = 0; i < c->pci_devices.n; i++) {
		if (i >= COLLECT_MAX_DEVICES) {
			log_warnx("%s: more than %d PCI devices, rest ignored",
			    __func__, COLLECT_MAX_DEVICES);
			break;
		}
		pci_read_device(c, c->pci_devices.names[i]);
	}
	return (0);
}

static int
pci_read_device(struct collect *c, const char *addr)
{
	struct inventory	*inv = c->inv;
	struct inv_device	*d;
	struct sysfs_dir	 sd;
	char			 path[SYSFS_PATH_MAX], p[SYSFS_PATH_MAX];
	char			*s;
	const char		*errstr;
	int64_t			 n;
	size_t			 idx;

	if (!str_is_pci_address(addr)) {
		log_warnx("%s: %s/%s: not a PCI address, skipped", __func__,
		    SYS_PCI_DEVICES, str_is_device_id(addr) ? addr : "?");
		return (-1);
	}
	if (sysfs_join(path, sizeof(path), SYS_PCI_DEVICES, addr) == -1)
		return (-1);
	sysfs_list(path, &sd);
	idx = inv->ndevices;
	d = inv_add_device(inv);
	d->address = inv_str(inv, addr);
	pci_ids(c, idx, path, &sd);

	d = &inv->devices[idx];
	if (sysfs_has(&sd, "numa_node") &&
	    sysfs_join(p, sizeof(p), path, "numa_node") == 0) {
		/* -1 is the kernel's "no NUMA affinity": unknown, not 0. */
		n = sysfs_read_int(p, -1, 65535);
		d->numa_node = n == -1 ? INV_NULL : n;
	}
	/* No SR-IOV capability means no VFs; garbage means unknown. */
	d->p->sriov_totalvfs = d->p->sriov_numvfs = 0;
	if (sysfs_has(&sd, "sriov_totalvfs") &&
	    sysfs_join(p, sizeof(p), path, "sriov_totalvfs") == 0)
		d->p->sriov_totalvfs = sysfs_read_int(p, 0, 65535);
	if (sysfs_has(&sd, "sriov_numvfs") &&
	    sysfs_join(p, sizeof(p), path, "sriov_numvfs") == 0)
		d->p->sriov_numvfs = sysfs_read_int(p, 0, 65535);
	if (sysfs_has(&sd, "iommu_group") &&
	    sysfs_join(p, sizeof(p), path, "iommu_group") == 0 &&
	    (s = sysfs_link_base_in(p, "iommu_groups", &c->iommu_groups)) !=
	    NULL) {
		n = vc_strtonum(s, 0, INT32_MAX, &errstr);
		if (errstr != NULL)
			log_warnx("%s: %s: group is %s", __func__, p, errstr);
		else
			d->iommu_group = n;
		free(s);
	}
	if (sysfs_has(&sd, "physfn") &&
	    sysfs_join(p, sizeof(p), path, "physfn") == 0 &&
	    (s = sysfs_link_base_in(p, NULL, &c->pci_devices)) != NULL) {
		if (str_is_pci_address(s))
			d->p->physfn = inv_istr(inv, s);
		else
			log_warnx("%s: %s: not a PCI address", __func__, p);
		free(s);
	}
	if (sysfs_has(&sd, "driver") &&
	    sysfs_join(p, sizeof(p), path, "driver") == 0 &&
	    (s = sysfs_link_base_in(p, "drivers", &c->pci_drivers)) != NULL) {
		d->p->driver = inv_istr(inv, s);
		free(s);
	}
	d->p->driver_version = driver_version_of(c, path, d->p->driver);
	if (sysfs_has(&sd, "migration_version") &&
	    sysfs_join(p, sizeof(p), path, "migration_version") == 0 &&
	    (s = sysfs_read(p, 0)) != NULL) {
		d->p->migration.version = *s != '\0' ? inv_istr(inv, s) : NULL;
		free(s);
	}
	pci_names(c, idx, path, &sd);

	/* Types straight from the device directory: this also covers hosts
	 * whose kernel has no /sys/class/mdev_bus. */
	if (sysfs_has(&sd, "mdev_supported_types"))
		mdev_read_types(c, idx, path);
	if (sysfs_has(&sd, "nvidia"))
		nvidia_scan_device(c, idx, path);
	sysfs_list_free(&sd);
	return (0);
}

static void
pci_ids(struct collect *c, size_t idx, const char *path,
    const struct sysfs_dir *sd)
{
	static const struct {
		const char	*file;
		size_t		 digits;
		size_t		 offset;
	} ids[] = {
		{ "vendor", 4, offsetof(struct inv_profile, vendor_id) },
		{ "device", 4, offsetof(struct inv_profile, device_id) },
		{ "subsystem_vendor", 4,
		    offsetof(struct inv_profile, subsystem_vendor_id) },
		{ "subsystem_device", 4,
		    offsetof(struct inv_profile, subsystem_device_id) },
		{ "class", 6, offsetof(struct inv_profile, class) },
		{ "revision", 2, offsetof(struct inv_profile, revision) },
	};
	struct inv_device	*d = &c->inv->devices[idx];
	char			 p[SYSFS_PATH_MAX], hex[8];
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (sysfs_join(p, sizeof(p), path, ids[i].file) == -1)
			continue;
		/* Every PCI function has all of these. */
		rc = sysfs_has(sd, ids[i].file) ?
		    sysfs_read_hex(p, ids[i].digits, hex) : 1;
		if (rc == 1)
			log_warnx("%s: %s: missing", __func__, p);
		if (rc != 0)
			continue;
		*(const char **)((char *)d->p + ids[i].offset) =
		    inv_istr(c->inv, hex);
	}
}

/*
 * The kernel's modalias is made of the ids alone (pci-sysfs.c
 * modalias_show), so build it rather than read one more file.
 */
static char *
make_modalias(const struct inv_device *d)
{
	unsigned long	 cls;
	char		*m;

	if (d->p->vendor_id == NULL || d->p->device_id == NULL ||
	    d->p->subsystem_vendor_id == NULL ||
	    d->p->subsystem_device_id == NULL || d->p->class == NULL)
		return (NULL);
	cls = strtoul(d->p->class, NULL, 16);
	xasprintf(&m, "pci:v%08lXd%08lXsv%08lXsd%08lXbc%02lXsc%02lXi%02lX",
	    strtoul(d->p->vendor_id, NULL, 16),
	    strtoul(d->p->device_id, NULL, 16),
	    strtoul(d->p->subsystem_vendor_id, NULL, 16),
	    strtoul(d->p->subsystem_device_id, NULL, 16), cls >> 16,
	    (cls >> 8) & 0xff, cls & 0xff);
	return (m);
}

/*
 * The udev device of a PCI function. libudev resolves a path one
 * component at a time (an open, a stat and a close each), so the
 * device's own directory, which the kernel's link
 * /sys/bus/pci/devices/<addr> -> ../../../devices/<path> names, takes
 * half the calls of the bus path with its link and three "..": the
 * same device either way. Any other link target takes the bus path.
 */
static struct udev_device *
udev_pci_device(struct udev *udev, const char *addr)
{
	static const char	 up[] = "../../../devices/";
	char			 link[SYSFS_PATH_MAX], target[SYSFS_PATH_MAX];
	char			 syspath[SYSFS_PATH_MAX];
	const char		*rest = target + strlen(up);
	ssize_t			 n;

	if (sysfs_join(link, sizeof(link), SYS_PCI_DEVICES, addr) == 0 &&
	    (n = readlink(link, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		if (strncmp(target, up, strlen(up)) == 0 && *rest != '/' &&
		    strstr(rest, "..") == NULL && strstr(rest, "//") == NULL &&
		    sysfs_path(syspath, sizeof(syspath), "/sys/devices/%s",
		    rest) == 0)
			return (udev_device_new_from_syspath(udev, syspath));
	}
	return (udev_device_new_from_subsystem_sysname(udev, "pci", addr));
}

/*
 * Vendor and model names: udev's database first, the hwdb second. udev
 * derives both from the modalias alone, so devices sharing a modalias
 * (a card's VFs) share the answer and only the first one asks.
 */
static void
pci_names(struct collect *c, size_t idx, const char *path,
    const struct sysfs_dir *sd)
{
	struct udev_device	*ud = NULL;
	struct name_cache	*nc = NULL;
	const char		*v;
	char			 p[SYSFS_PATH_MAX], *modalias = NULL;
	char			*vendor = NULL, *model = NULL;
	struct inv_device	*d = &c->inv->devices[idx];
	size_t			 i;

	if ((modalias = make_modalias(d)) == NULL &&
	    sysfs_has(sd, "modalias") &&
	    sysfs_join(p, sizeof(p), path, "modalias") == 0)
		modalias = sysfs_read(p, 0);
	for (i = 0; modalias != NULL && i < c->nnames; i++) {
		if (strcmp(c->names[i].modalias, modalias) == 0) {
			d->p->vendor_name = c->names[i].vendor;
			d->p->device_name = c->names[i].model;
			free(modalias);
			return;
		}
	}

	if (c->udev != NULL)
		ud = udev_pci_device(c->udev, d->address);
	if (ud != NULL) {
		if ((v = udev_device_get_property_value(ud,
		    "ID_VENDOR_FROM_DATABASE")) != NULL)
			vendor = xstrdup(v);
		if ((v = udev_device_get_property_value(ud,
		    "ID_MODEL_FROM_DATABASE")) != NULL)
			model = xstrdup(v);
		udev_device_unref(ud);
	}
	if ((vendor == NULL || model == NULL) && modalias != NULL)
		hwdb_lookup(c, modalias, vendor == NULL ? &vendor : NULL,
		    model == NULL ? &model : NULL);
	if (vendor != NULL && *vendor != '\0' &&
	    str_is_clean_utf8(vendor, strlen(vendor)) &&
	    strlen(vendor) <= INV_MAX_STRING)
		d->p->vendor_name = inv_istr(c->inv, vendor);
	if (model != NULL && *model != '\0' &&
	    str_is_clean_utf8(model, strlen(model)) &&
	    strlen(model) <= INV_MAX_STRING)
		d->p->device_name = inv_istr(c->inv, model);
	if (modalias != NULL && c->nnames < COLLECT_MAX_NAMES) {
		if (c->names == NULL)
			c->names = xcalloc(COLLECT_MAX_NAMES,
			    sizeof(*c->names));
		nc = &c->names[c->nnames++];
		nc->modalias = modalias;
		nc->vendor = d->p->vendor_name;
		nc->model = d->p->device_name;
		modalias = NULL;
	}
	free(modalias);
	free(vendor);
	free(model);
}

/*
 * The hwdb answers from its mmap'd file, so no udevd is needed. Each
 * query reuses the hwdb's list, hence one query for both names.
 */
static void
hwdb_lookup(struct collect *c, const char *modalias, char **vendor,
    char **model)
{
	struct udev_list_entry	*e;
	const char		*name;

	if (!c->hwdb_tried) {
		c->hwdb_tried = true;
		if (c->udev != NULL)
			c->hwdb = udev_hwdb_new(c->udev);
	}
	if (c->hwdb == NULL)
		return;
	udev_list_entry_foreach(e,
	    udev_hwdb_get_properties_list_entry(c->hwdb, modalias, 0)) {
		name = udev_list_entry_get_name(e);
		if (vendor != NULL && *vendor == NULL &&
		    strcmp(name, "ID_VENDOR_FROM_DATABASE") == 0)
			*vendor = xstrdup(udev_list_entry_get_value(e));
		else if (model != NULL && *model == NULL &&
		    strcmp(name, "ID_MODEL_FROM_DATABASE") == 0)
			*model = xstrdup(udev_list_entry_get_value(e));
	}
}

/* vfio-pci or a variant driver ("<vendor>_vfio_pci", "xe-vfio-pci"):
 * the kernel spells names either way, so '-' and '_' are equal. */
static int
pci_driver_is_vfio(const char *driver)
{
	size_t		 len;
	unsigned int	 flags;

	if (driver == NULL)
		return (0);
	len = strlen(driver);
	if (inv_driver_eq(driver, "vfio-pci") ||
	    inv_builtin_driver_flags(driver, &flags) == 0)
		return (1);
	return (len > 9 && inv_driver_eq(driver + len - 9, "_vfio_pci"));
}

static int
is_instance_parent(const struct inventory *inv, const char *addr)
{
	size_t	 i;

	for (i = 0; i < inv->ninstances; i++)
		if (strcmp(inv->instances[i].parent, addr) == 0)
			return (1);
	return (0);
}

/*
 * What the kernel says about one VFIO device (drivers/vfio/debugfs.c,
 * Linux 6.18+): every registered VFIO device has a directory named after
 * its device (BDF or mdev UUID); one whose driver has migration ops also
 * has migration/features, one line per VFIO_MIGRATION_* flag it set
 * ("stop-copy", "p2p", "pre-copy") and "dirty-tracking" when it has
 * device dirty-page logging. Returns 1 with the flags, 0 when the
 * device has no migration at all, -1 when the kernel does not say.
 */
static int
debugfs_flags(const char *name, unsigned int *flags)
{
	static const struct {
		const char	*line;
		unsigned int	 bit;
	} lines[] = {
		{ "stop-copy", MIG_STOP_COPY },
		{ "p2p", MIG_P2P },
		{ "pre-copy", MIG_PRE_COPY },
		{ "dirty-tracking", MIG_DIRTY_TRACKING },
	};
	char	 p[SYSFS_PATH_MAX], *s, *line, *next;
	size_t	 i;

	*flags = 0;
	if (sysfs_path(p, sizeof(p), "%s/%s/migration", SYS_VFIO_DEBUGFS,
	    name) == -1)
		return (-1);
	if (!sysfs_exists(p))
		return (0);
	if (sysfs_path(p, sizeof(p), "%s/%s/migration/features",
	    SYS_VFIO_DEBUGFS, name) == -1 ||
	    (s = sysfs_read(p, SYSFS_LINES)) == NULL)
		return (-1);
	for (line = s; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		str_rtrim(line);
		if (*line == '\0')
			continue;
		for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
			if (strcmp(line, lines[i].line) == 0)
				break;
		/* A flag a newer kernel added says nothing we compare. */
		if (i == sizeof(lines) / sizeof(lines[0]))
			log_warnx("%s: %s: unknown feature \"%s\", ignored",
			    __func__, p, line);
		else
			*flags |= lines[i].bit;
	}
	free(s);
	return (1);
}

/* The kernel's word replaces the table's: capable with stop-copy (what
 * VFIO migration v2 is), not capable without migration. */
static void
set_kernel_flags(struct inv_device *d, int r, unsigned int flags)
{
	d->p->migration.capable = r == 1 && (flags & MIG_STOP_COPY) != 0;
	d->p->migration.flags = r == 1 ? flags : 0;
	d->p->migration.flags_source = INV_FLAGS_KERNEL;
}

/*
 * Migration capability: the kernel's debugfs first (a device's own
 * directory; for an mdev parent, that of its live instances when they
 * all agree); else a known variant driver brings its built-in flags; a
 * device offering mdev or vGPU types migrates through its vendor driver,
 * flags unknown until a probe says. Plain vfio-pci has no migration path.
 * debugfs is root's only: unprivileged, the table answers.
 */
void
pci_set_migration(struct collect *c)
{
	struct inventory	*inv = c->inv;
	struct inv_device	*d;
	struct inv_instance	*in;
	struct sysfs_dir	 dbg;
	unsigned int		 flags, *iflags = NULL;
	int			 r, *ir = NULL, have_dbg;
	size_t			 i, j;

	for (i = 0; i < inv->ndevices; i++) {
		d = &inv->devices[i];
		if (inv_builtin_driver_flags(d->p->driver, &flags) == 0) {
			d->p->migration.capable = true;
			d->p->migration.flags = flags;
			d->p->migration.flags_source = INV_FLAGS_BUILTIN;
		} else if (d->p->ntypes > 0 ||
		    is_instance_parent(inv, d->address)) {
			d->p->migration.capable = true;
			d->p->migration.flags = 0;
			d->p->migration.flags_source = INV_FLAGS_NONE;
		}
	}

	have_dbg = access(SYS_VFIO_DEBUGFS, X_OK) == 0 &&
	    sysfs_list(SYS_VFIO_DEBUGFS, &dbg) == 0;
	if (!have_dbg)
		return;
	for (i = 0; i < inv->ndevices; i++) {
		d = &inv->devices[i];
		if (sysfs_has(&dbg, d->address) &&
		    (r = debugfs_flags(d->address, &flags)) != -1)
			set_kernel_flags(d, r, flags);
	}

	/* An mdev parent speaks through its instances: -2 none yet, -3
	 * instances that disagree (then the table's answer stays). */
	ir = xcalloc(inv->ndevices + 1, sizeof(*ir));
	iflags = xcalloc(inv->ndevices + 1, sizeof(*iflags));
	for (j = 0; j < inv->ndevices; j++)
		ir[j] = -2;
	for (i = 0; i < inv->ninstances; i++) {
		in = &inv->instances[i];
		if (in->kind != INV_KIND_MDEV || !sysfs_has(&dbg, in->id) ||
		    (r = debugfs_flags(in->id, &flags)) == -1)
			continue;
		for (j = 0; j < inv->ndevices; j++)
			if (strcmp(inv->devices[j].address, in->parent) == 0)
				break;
		if (j == inv->ndevices || ir[j] == -3)
			continue;
		if (ir[j] == -2) {
			ir[j] = r;
			iflags[j] = flags;
		} else if (ir[j] != r || iflags[j] != flags) {
			log_warnx("%s: %s: instances differ in debugfs "
			    "migration features, not used", __func__,
			    in->parent);
			ir[j] = -3;
		}
	}
	for (j = 0; j < inv->ndevices; j++)
		if (ir[j] >= 0)
			set_kernel_flags(&inv->devices[j], ir[j], iflags[j]);
	free(ir);
	free(iflags);
	sysfs_list_free(&dbg);
}

/*
 * Keep what an operator asks a VFIO inventory about: devices on vfio-pci
 * or a variant driver, mdev and vGPU parents, devices a VM holds, and the
 * PFs of all of those. The rest of the bus (bridges, NICs the host uses)
 * is noise here; --all-pci keeps it.
 */
void
pci_select(struct collect *c)
{
	struct inventory	*inv = c->inv;
	struct inv_device	*d;
	unsigned char		*keep;
	size_t			 i, j, n;
	int			 changed;

	keep = xcalloc(inv->ndevices + 1, 1);
	for (i = 0; i < inv->ndevices; i++) {
		d = &inv->devices[i];
		keep[i] = (i < c->nmarked && c->marked[i]) ||
		    !str_is_pci_address(d->address) ||
		    pci_driver_is_vfio(d->p->driver) || d->p->ntypes > 0 ||
		    is_instance_parent(inv, d->address) ||
		    inv_vm_holding(inv, d->address) != NULL;
	}
	do {
		changed = 0;
		for (i = 0; i < inv->ndevices; i++) {
			if (!keep[i] || inv->devices[i].p->physfn == NULL)
				continue;
			for (j = 0; j < inv->ndevices; j++) {
				if (!keep[j] && strcmp(inv->devices[j].address,
				    inv->devices[i].p->physfn) == 0) {
					keep[j] = 1;
					changed = 1;
				}
			}
		}
	} while (changed);
	for (i = n = 0; i < inv->ndevices; i++) {
		if (keep[i])
			inv->devices[n++] = inv->devices[i];
		else
			inv_forget_device(inv, &inv->devices[i]);
	}
	inv->ndevices = n;
	free(keep);
}
