/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vms.c -- running VMs: QEMU processes that hold VFIO files open, their
 * devices and what they themselves decide about their migration.
 *
 * Devices come from the open files as well as the command line, since
 * the command line misses every hot-plugged device: a /dev/vfio/<group>
 * fd stands for the devices of /sys/kernel/iommu_groups/<group>/devices,
 * a /dev/vfio/devices/vfioN fd for /sys/class/vfio-dev/vfioN/device. The
 * facts (backend, vIOMMU, shared RAM) come from the command line, the
 * QEMU version from the binary the process runs.
 *
 * Other users' /proc entries are often unreadable; that is normal and
 * silent. Under umockdev the VFIO nodes live below $UMOCKDEV_DIR/dev, so
 * that prefix counts too, and only that testbed's.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

#define PROC_MAX_CMDLINE	(1024 * 1024)
#define PROC_MAX_FDS		65536
#define VFIO_DEV_PREFIX		"/dev/vfio/"
#define VFIO_CDEV_PREFIX	"/dev/vfio/devices/vfio"
#define VFIO_CONTAINER		"/dev/vfio/vfio"
#define IOMMUFD_DEV		"/dev/iommu"
#define SYS_VFIO_DEV		"/sys/class/vfio-dev"
#define MAX_RAM_BACKENDS	64
#define MAX_RAM_IDS		64
#define EXE_DELETED		" (deleted)"

/* A memory-backend-* object: its id and whether it is share=on. */
struct ram_backend {
	char	*id;
	int	 share;
};

struct vm_args {
	char		*uuid;
	char		*name;
	const char	*devices[INV_MAX_VM_DEVICES];
	char		 devbuf[INV_MAX_VM_DEVICES][64];
	size_t		 ndevices;
	int		 overflow;	/* more devices than the document holds */
	int		 odd_kind;	/* a VFIO device kind not understood */
	int		 unattributed;	/* a VFIO fd that names no device */
	int		 truncated;	/* command line cut at PROC_MAX_CMDLINE */
	int		 opaque;	/* options from elsewhere, or unparsed */
	int		 iommufd;	/* -object iommufd or iommufd= */
	int		 viommu;
	int		 aux_ram_share;
	struct ram_backend ram[MAX_RAM_BACKENDS];
	size_t		 nram;
	char		*ram_ids[MAX_RAM_IDS];	/* guest RAM backends used */
	size_t		 nram_ids;
};

/* What the process's descriptors show. */
struct vm_fds {
	int	 readable;	/* /proc/PID/fd could be listed */
	int	 vfio;		/* something under /dev/vfio/ */
	int	 iommufd;	/* /dev/iommu */
};

static int	 has_uuid_arg(const char *, size_t);
static char	*read_cmdline(pid_t, size_t *, int *);
static int	 parse_cmdline(pid_t, char *, size_t, struct vm_args *);
static char	*opt_value(const char *, const char *);
static char	*opt_first(const char *);
static int	 opt_bool(const char *, int *);
static void	 add_device(struct vm_args *, const char *, int);
static void	 parse_device(struct vm_args *, const char *);
static void	 parse_device_json(struct vm_args *, const char *);
static void	 vfio_device(struct vm_args *, const char *driver,
		    const char *host, const char *sysfsdev, int iommufd);
static int	 is_viommu_driver(const char *);
static void	 parse_object(struct vm_args *, const char *);
static void	 add_ram(struct vm_args *, const char *type, const char *id,
		    int share);
static void	 add_ram_id(struct vm_args *, const char *);
static void	 parse_machine(struct vm_args *, const char *);
static void	 parse_numa(struct vm_args *, const char *);
static char	*parse_name(const char *);
static void	 scan_fds(struct collect *, pid_t, const char *,
		    struct vm_args *, struct vm_fds *);
static void	 fd_group(struct collect *, const char *, struct vm_args *);
static void	 fd_cdev(struct collect *, const char *, struct vm_args *);
static void	 attribute(struct collect *, const char *, int,
		    struct vm_args *);
static enum inv_tri ram_shared(const struct vm_args *);
static const char *vm_qemu_version(struct collect *, pid_t);
static void	 vm_args_free(struct vm_args *);

/* VMs without -uuid are skipped anyway (a UUID is what names a VM). */
static int
has_uuid_arg(const char *buf, size_t len)
{
	const char	*arg, *end = buf + len;

	for (arg = buf; arg < end; arg += strlen(arg) + 1)
		if (strcmp(arg, "-uuid") == 0 || strcmp(arg, "--uuid") == 0)
			return (1);
	return (0);
}

/* The command line, at most PROC_MAX_CMDLINE bytes; *cut when longer. */
static char *
read_cmdline(pid_t pid, size_t *lenp, int *cut)
{
	char	 p[64], *buf, extra;
	size_t	 len = 0, cap = 4096;
	ssize_t	 n;
	int	 fd;

	*cut = 0;
	snprintf(p, sizeof(p), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= PROC_MAX_CMDLINE) {
				while ((n = read(fd, &extra, 1)) == -1 &&
				    errno == EINTR)
					;
				*cut = n > 0;
				break;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		/* The kernel hands out the arguments up to the count asked
		 * for (get_mm_cmdline), so a short read was the end: no
		 * second read of every process on the host to hear it. */
		if (len < cap)
			break;
	}
	close(fd);
	if (len == 0) {
		free(buf);
		return (NULL);
	}
	/* A cut command line ends inside an argument: drop that one. */
	if (*cut)
		while (len > 0 && buf[len - 1] != '\0')
			len--;
	buf[len] = '\0';
	*lenp = len;
	return (buf);
}

/* "key=value" inside a QEMU option string, with ",," meaning ",". */
static char *
opt_value(const char *opts, const char *key)
{
	const char	*p = opts, *end;
	size_t		 klen = strlen(key);
	char		*v, *w;

	while (*p != '\0') {
		end = p;
		while (*end != '\0' && !(*end == ',' && end[1] != ','))
			end += (*end == ',' ? 2 : 1);
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			v = w = xstrndup(p + klen + 1, end - p - klen - 1);
			for (p = v; *p != '\0'; p++) {
				*w++ = *p;
				if (p[0] == ',' && p[1] == ',')
					p++;
			}
			*w = '\0';
			return (v);
		}
		p = *end == ',' ? end + 1 : end;
	}
	return (NULL);
}

/* The implied first value ("vfio-pci,host=..." names the driver), when
 * the first item has no '='. */
static char *
opt_first(const char *opts)
{
	size_t	 n = strcspn(opts, ",");

	if (memchr(opts, '=', n) != NULL)
		return (NULL);
	return (xstrndup(opts, n));
}

/* QEMU's boolean spellings (qapi/qobject-input-visitor, qemu-option.c). */
static int
opt_bool(const char *v, int *b)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "true") == 0 || strcmp(v, "y") == 0)
		*b = 1;
	else if (strcmp(v, "off") == 0 || strcmp(v, "no") == 0 ||
	    strcmp(v, "false") == 0 || strcmp(v, "n") == 0)
		*b = 0;
	else
		return (-1);
	return (0);
}

/* host= is a PCI address, short or long; sysfsdev= a sysfs path. */
static void
add_device(struct vm_args *a, const char *value, int sysfsdev)
{
	char		 id[64];
	const char	*base;
	size_t		 i;

	if (sysfsdev) {
		base = strrchr(value, '/');
		value = base == NULL ? value : base + 1;
	}
	if (strlen(value) == 7)
		snprintf(id, sizeof(id), "0000:%s", value);
	else
		snprintf(id, sizeof(id), "%s", value);
	for (i = 0; id[i] != '\0'; i++)
		id[i] = tolower((unsigned char)id[i]);
	if (!str_is_pci_address(id) && !str_is_uuid(id)) {
		log_warnx("%s: odd VFIO device \"%s\" on a QEMU command "
		    "line, skipped", __func__,
		    str_is_clean_utf8(id, strlen(id)) ? id : "?");
		a->odd_kind = 1;
		return;
	}
	for (i = 0; i < a->ndevices; i++)
		if (strcmp(a->devices[i], id) == 0)
			return;
	if (a->ndevices >= INV_MAX_VM_DEVICES) {
		a->overflow = 1;
		return;
	}
	memcpy(a->devbuf[a->ndevices], id, strlen(id) + 1);
	a->devices[a->ndevices] = a->devbuf[a->ndevices];
	a->ndevices++;
}

/* The vIOMMU devices QEMU's VFIO code sees as a non-system DMA address
 * space (vfio_viommu_preset): it blocks migration with any of them. */
static int
is_viommu_driver(const char *driver)
{
	static const char *const drivers[] = { "intel-iommu", "amd-iommu",
	    "virtio-iommu-pci", "virtio-iommu", "virtio-iommu-device",
	    "arm-smmuv3", NULL };
	size_t	 i;

	for (i = 0; drivers[i] != NULL; i++)
		if (strcmp(driver, drivers[i]) == 0)
			return (1);
	return (0);
}

/*
 * A VFIO -device. vfio-pci (and its -nohotplug twin) is what the rest of
 * the project understands; vfio-ap, vfio-ccw, vfio-platform and the
 * other vfio-* kinds are listed when they name a device but make the VM
 * incomplete: nothing here can say where they may go.
 */
static void
vfio_device(struct vm_args *a, const char *driver, const char *host,
    const char *sysfsdev, int iommufd)
{
	if (!str_has_prefix(driver, "vfio-") &&
	    !str_has_prefix(driver, "vfio_"))
		return;
	if (strcmp(driver, "vfio-pci") != 0 &&
	    strcmp(driver, "vfio-pci-nohotplug") != 0)
		a->odd_kind = 1;
	if (host != NULL)
		add_device(a, host, 0);
	if (sysfsdev != NULL)
		add_device(a, sysfsdev, 1);
	if (iommufd)
		a->iommufd = 1;
}

static void
parse_device(struct vm_args *a, const char *arg)
{
	char	*driver, *host, *sysfsdev, *iommufd;

	if (arg[0] == '{') {
		parse_device_json(a, arg);
		return;
	}
	if ((driver = opt_value(arg, "driver")) == NULL &&
	    (driver = opt_first(arg)) == NULL)
		return;
	if (is_viommu_driver(driver))
		a->viommu = 1;
	host = opt_value(arg, "host");
	sysfsdev = opt_value(arg, "sysfsdev");
	iommufd = opt_value(arg, "iommufd");
	vfio_device(a, driver, host, sysfsdev, iommufd != NULL);
	free(driver);
	free(host);
	free(sysfsdev);
	free(iommufd);
}

/* libvirt 9+ writes -device as JSON. */
static void
parse_device_json(struct vm_args *a, const char *arg)
{
	json_t		*root;
	json_error_t	 err;
	const char	*driver;

	if ((root = json_loads(arg, 0, &err)) == NULL ||
	    !json_is_object(root)) {
		log_warnx("%s: -device is not a JSON object", __func__);
		a->opaque = 1;
		json_decref(root);
		return;
	}
	if ((driver = json_string_value(json_object_get(root, "driver"))) !=
	    NULL) {
		if (is_viommu_driver(driver))
			a->viommu = 1;
		vfio_device(a, driver,
		    json_string_value(json_object_get(root, "host")),
		    json_string_value(json_object_get(root, "sysfsdev")),
		    json_object_get(root, "iommufd") != NULL);
	}
	json_decref(root);
}

static void
add_ram(struct vm_args *a, const char *type, const char *id, int share)
{
	if (!str_has_prefix(type, "memory-backend-"))
		return;
	if (a->nram >= MAX_RAM_BACKENDS || id == NULL) {
		/* Untold: ram_shared cannot be answered. */
		a->opaque = 1;
		return;
	}
	/* memfd and shm are the backends shared unless told otherwise
	 * (backends/hostmem-memfd.c, hostmem-shm.c). */
	if (share == -1)
		share = strcmp(type, "memory-backend-memfd") == 0 ||
		    strcmp(type, "memory-backend-shm") == 0;
	a->ram[a->nram].id = xstrdup(id);
	a->ram[a->nram].share = share;
	a->nram++;
}

static void
add_ram_id(struct vm_args *a, const char *id)
{
	if (a->nram_ids >= MAX_RAM_IDS) {
		a->opaque = 1;
		return;
	}
	a->ram_ids[a->nram_ids++] = xstrdup(id);
}

/* -object TYPE,id=...,share=... or -object {"qom-type": ...}. */
static void
parse_object(struct vm_args *a, const char *arg)
{
	json_t		*root, *v;
	json_error_t	 err;
	const char	*type, *id;
	char		*t, *i, *s;
	int		 share = -1;

	if (arg[0] == '{') {
		if ((root = json_loads(arg, 0, &err)) == NULL ||
		    !json_is_object(root) || (type = json_string_value(
		    json_object_get(root, "qom-type"))) == NULL) {
			log_warnx("%s: -object is not a QOM JSON object",
			    __func__);
			a->opaque = 1;
			json_decref(root);
			return;
		}
		if (strcmp(type, "iommufd") == 0)
			a->iommufd = 1;
		id = json_string_value(json_object_get(root, "id"));
		if ((v = json_object_get(root, "share")) != NULL) {
			if (json_is_boolean(v))
				share = json_is_true(v);
			else if (!json_is_string(v) ||
			    opt_bool(json_string_value(v), &share) == -1)
				a->opaque = 1;
		}
		add_ram(a, type, id, share);
		json_decref(root);
		return;
	}
	if ((t = opt_value(arg, "qom-type")) == NULL &&
	    (t = opt_first(arg)) == NULL) {
		a->opaque = 1;
		return;
	}
	if (strcmp(t, "iommufd") == 0)
		a->iommufd = 1;
	i = opt_value(arg, "id");
	if ((s = opt_value(arg, "share")) != NULL && opt_bool(s, &share) == -1)
		a->opaque = 1;
	add_ram(a, t, i, share);
	free(t);
	free(i);
	free(s);
}

/*
 * -machine (or -M) TYPE,...: an Arm virt machine's iommu=smmuv3 is a
 * vIOMMU, as is a pseries machine (its PCI host bridge always
 * translates through sPAPR TCE tables); memory-backend= names the main
 * RAM; aux-ram-share=on shares QEMU's own RAM blocks (cpr-transfer).
 */
static void
parse_machine(struct vm_args *a, const char *arg)
{
	char	*type, *v;
	int	 b;

	if (arg[0] == '{') {
		/* Not a form libvirt or QEMU's docs use: do not guess. */
		a->opaque = 1;
		return;
	}
	if ((type = opt_value(arg, "type")) == NULL)
		type = opt_first(arg);
	if (type != NULL && str_has_prefix(type, "pseries"))
		a->viommu = 1;
	free(type);
	if ((v = opt_value(arg, "iommu")) != NULL && strcmp(v, "none") != 0)
		a->viommu = 1;
	free(v);
	if ((v = opt_value(arg, "memory-backend")) != NULL)
		add_ram_id(a, v);
	free(v);
	if ((v = opt_value(arg, "aux-ram-share")) != NULL) {
		if (opt_bool(v, &b) == -1)
			a->opaque = 1;
		else
			a->aux_ram_share = b;
	}
	free(v);
}

/* -numa node,memdev=ID: a NUMA node's RAM. */
static void
parse_numa(struct vm_args *a, const char *arg)
{
	char	*v;

	if ((v = opt_value(arg, "memdev")) != NULL)
		add_ram_id(a, v);
	free(v);
}

/* -name guest=NAME,debug-threads=on or -name NAME[,...]. */
static char *
parse_name(const char *arg)
{
	char	*v;

	if ((v = opt_value(arg, "guest")) == NULL)
		v = xstrndup(arg, strcspn(arg, ","));
	if (*v == '\0' || strlen(v) > INV_MAX_STRING ||
	    !str_is_clean_utf8(v, strlen(v))) {
		free(v);
		return (NULL);
	}
	return (v);
}

static int
parse_cmdline(pid_t pid, char *buf, size_t len, struct vm_args *a)
{
	char	*arg, *next, *end = buf + len, *opt;
	size_t	 i;

	for (arg = buf; arg < end; arg = next) {
		next = arg + strlen(arg) + 1;
		opt = arg;
		if (opt[0] == '-' && opt[1] == '-')
			opt++;
		/* Options from a file or set after the fact: the command
		 * line no longer says everything. */
		if (strcmp(opt, "-readconfig") == 0 ||
		    strcmp(opt, "-set") == 0)
			a->opaque = 1;
		if (next >= end)
			break;
		if (strcmp(opt, "-uuid") == 0) {
			free(a->uuid);
			a->uuid = xstrdup(next);
			for (i = 0; a->uuid[i] != '\0'; i++)
				a->uuid[i] = tolower((unsigned char)a->uuid[i]);
		} else if (strcmp(opt, "-name") == 0) {
			free(a->name);
			a->name = parse_name(next);
		} else if (strcmp(opt, "-device") == 0)
			parse_device(a, next);
		else if (strcmp(opt, "-object") == 0)
			parse_object(a, next);
		else if (strcmp(opt, "-machine") == 0 || strcmp(opt, "-M") == 0)
			parse_machine(a, next);
		else if (strcmp(opt, "-numa") == 0)
			parse_numa(a, next);
		else
			continue;
		next += strlen(next) + 1;
	}
	if (a->uuid == NULL || !str_is_uuid(a->uuid)) {
		log_warnx("%s: pid %d: -uuid is not a UUID, VM skipped",
		    __func__, (int)pid);
		return (-1);
	}
	return (0);
}

/*
 * One device a VFIO fd stands for. From a group, members no VM can hold
 * (a bridge on pcieport, pci-stub, no driver: what keeps a group viable
 * without being assigned) are passed over. An mdev counts when the
 * inventory knows its type's device_api is vfio-pci; other kinds
 * (vfio-ccw, vfio-ap) and names that are neither a PCI address nor a
 * UUID (vfio-platform) leave the VM incomplete.
 */
static void
attribute(struct collect *c, const char *name, int from_group,
    struct vm_args *a)
{
	const struct inv_device		*d, *parent;
	const struct inv_instance	*in;
	const struct inv_type		*t;

	if (str_is_pci_address(name)) {
		d = inv_find_device(c->inv, name);
		if (from_group && d != NULL && (d->p->driver == NULL ||
		    inv_driver_eq(d->p->driver, "pcieport") ||
		    inv_driver_eq(d->p->driver, "pci-stub")))
			return;
		if (d == NULL)
			a->unattributed = 1;
		add_device(a, name, 0);
		return;
	}
	if (str_is_uuid(name)) {
		add_device(a, name, 0);
		if ((in = inv_find_instance(c->inv, name)) == NULL ||
		    in->kind != INV_KIND_MDEV) {
			a->unattributed = 1;
			return;
		}
		if ((parent = inv_find_device(c->inv, in->parent)) == NULL ||
		    (t = inv_find_type(parent, in->kind, in->type)) == NULL ||
		    t->device_api == NULL ||
		    strcmp(t->device_api, "vfio-pci") != 0)
			a->odd_kind = 1;
		return;
	}
	a->odd_kind = 1;
}

/* /dev/vfio/<group> (or noiommu-<group>): every device of the group. */
static void
fd_group(struct collect *c, const char *group, struct vm_args *a)
{
	struct sysfs_dir	 sd;
	char			 path[SYSFS_PATH_MAX];
	const char		*errstr;
	size_t			 i;

	memset(&sd, 0, sizeof(sd));
	if (str_has_prefix(group, "noiommu-"))
		group += strlen("noiommu-");
	vc_strtonum(group, 0, INT32_MAX, &errstr);
	if (errstr != NULL || sysfs_path(path, sizeof(path),
	    "%s/%s/devices", SYS_IOMMU_GROUPS, group) == -1 ||
	    sysfs_list(path, &sd) == -1 || sd.n == 0) {
		log_warnx("%s: VFIO group %s: no devices in %s", __func__,
		    errstr == NULL ? group : "?", SYS_IOMMU_GROUPS);
		a->unattributed = 1;
		sysfs_list_free(&sd);
		return;
	}
	for (i = 0; i < sd.n; i++)
		attribute(c, sd.names[i], 1, a);
	sysfs_list_free(&sd);
}

/* /dev/vfio/devices/vfioN: the device its vfio-dev class entry names. */
static void
fd_cdev(struct collect *c, const char *n, struct vm_args *a)
{
	char		 path[SYSFS_PATH_MAX], *dev;
	const char	*errstr;

	vc_strtonum(n, 0, INT32_MAX, &errstr);
	if (errstr != NULL || sysfs_path(path, sizeof(path),
	    "%s/vfio%s/device", SYS_VFIO_DEV, n) == -1 ||
	    (dev = sysfs_link_base(path)) == NULL) {
		log_warnx("%s: VFIO device vfio%s: no %s entry", __func__,
		    errstr == NULL ? n : "?", SYS_VFIO_DEV);
		a->unattributed = 1;
		return;
	}
	attribute(c, dev, 0, a);
	free(dev);
}

static void
scan_fds(struct collect *c, pid_t pid, const char *testbed,
    struct vm_args *a, struct vm_fds *f)
{
	char		 dir[64], p[384], buf[SYSFS_PATH_MAX];
	const char	*target;
	DIR		*dp;
	struct dirent	*de;
	ssize_t		 n;
	int		 count = 0;

	memset(f, 0, sizeof(*f));
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if ((dp = opendir(dir)) == NULL)
		return;
	f->readable = 1;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (++count > PROC_MAX_FDS) {
			log_warnx("%s: pid %d: more than %d open files, rest "
			    "not read", __func__, (int)pid, PROC_MAX_FDS);
			a->unattributed = 1;
			break;
		}
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if ((n = readlink(p, buf, sizeof(buf) - 1)) == -1)
			continue;
		buf[n] = '\0';
		target = buf;
		if (testbed != NULL && str_has_prefix(target, testbed) &&
		    target[strlen(testbed)] == '/')
			target += strlen(testbed);
		if (strcmp(target, IOMMUFD_DEV) == 0) {
			f->iommufd = 1;
			continue;
		}
		if (!str_has_prefix(target, VFIO_DEV_PREFIX))
			continue;
		f->vfio = 1;
		/* The container holds no device; anon_inode device fds of a
		 * group are the group fd's. */
		if (strcmp(target, VFIO_CONTAINER) == 0)
			continue;
		if (str_has_prefix(target, VFIO_CDEV_PREFIX))
			fd_cdev(c, target + strlen(VFIO_CDEV_PREFIX), a);
		else if (strchr(target + strlen(VFIO_DEV_PREFIX), '/') ==
		    NULL)
			fd_group(c, target + strlen(VFIO_DEV_PREFIX), a);
		else {
			log_warnx("%s: pid %d: %s: not a VFIO file this "
			    "collector knows", __func__, (int)pid,
			    str_is_clean_utf8(target, strlen(target)) ?
			    target : "?");
			a->unattributed = 1;
		}
	}
	closedir(dp);
}

/*
 * cpr-transfer keeps guest RAM only when every memory backend is shared
 * and QEMU's own RAM blocks too (aux-ram-share=on); without an explicit
 * backend for the main RAM, QEMU allocates it private. Null when the
 * command line does not say everything.
 */
static enum inv_tri
ram_shared(const struct vm_args *a)
{
	size_t	 i, j;

	if (a->truncated || a->opaque)
		return (INV_TRI_NULL);
	if (!a->aux_ram_share || a->nram_ids == 0)
		return (INV_TRI_FALSE);
	for (i = 0; i < a->nram; i++)
		if (!a->ram[i].share)
			return (INV_TRI_FALSE);
	for (i = 0; i < a->nram_ids; i++) {
		for (j = 0; j < a->nram; j++)
			if (strcmp(a->ram_ids[i], a->ram[j].id) == 0)
				break;
		/* A backend the command line does not define. */
		if (j == a->nram)
			return (INV_TRI_NULL);
	}
	return (INV_TRI_TRUE);
}

/*
 * The version of the binary the process runs, which after an upgrade is
 * not the one on disk: /proc/PID/exe. A " (deleted)" target, or a path
 * that now names another file, has nothing left to ask. Only binaries
 * root owns and no one else may write are run: the collector often runs
 * as root, and any process can look like QEMU. VMs of one QEMU share
 * one answer (platform_qemu_version asks each binary once).
 */
static const char *
vm_qemu_version(struct collect *c, pid_t pid)
{
	struct stat		 run, disk;
	const char		*version;
	char			 p[64], exe[SYSFS_PATH_MAX], *v;
	ssize_t			 n;
	size_t			 len;

	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	if ((n = readlink(p, exe, sizeof(exe) - 1)) == -1)
		return (NULL);
	exe[n] = '\0';
	len = (size_t)n;
	if (len >= strlen(EXE_DELETED) &&
	    strcmp(exe + len - strlen(EXE_DELETED), EXE_DELETED) == 0)
		return (NULL);
	if (stat(p, &run) == -1 || stat(exe, &disk) == -1 ||
	    run.st_dev != disk.st_dev || run.st_ino != disk.st_ino)
		return (NULL);
	if (disk.st_uid != 0 || (disk.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_warnx("%s: pid %d: %s is not root's alone, not run",
		    __func__, (int)pid, str_is_clean_utf8(exe, len) ?
		    exe : "?");
		return (NULL);
	}
	if ((v = platform_qemu_version(exe)) == NULL)
		return (NULL);
	version = inv_istr(c->inv, v);
	free(v);
	return (version);
}

static void
vm_args_free(struct vm_args *a)
{
	size_t	 i;

	free(a->uuid);
	free(a->name);
	for (i = 0; i < a->nram; i++)
		free(a->ram[i].id);
	for (i = 0; i < a->nram_ids; i++)
		free(a->ram_ids[i]);
}

int
vms_scan(struct collect *c)
{
	DIR		*dp;
	struct dirent	*de;
	struct vm_args	*a;
	struct vm_fds	 f;
	struct inv_vm	*vm;
	const char	*errstr, *env;
	char		*cmdline, *testbed = NULL;
	size_t		 len, i;
	long long	 pid, self = getpid();
	int		 cut;

	if ((dp = opendir("/proc")) == NULL)
		return (0);
	if ((env = getenv("UMOCKDEV_DIR")) != NULL && *env == '/')
		testbed = xstrdup(env);
	a = xmalloc(sizeof(*a));
	while ((de = readdir(dp)) != NULL) {
		pid = vc_strtonum(de->d_name, 1, INT32_MAX, &errstr);
		if (errstr != NULL || pid == self)
			continue;
		/* The command line first: one read rules out most processes,
		 * where the descriptors would cost a call each. */
		if ((cmdline = read_cmdline((pid_t)pid, &len, &cut)) == NULL)
			continue;
		if (!has_uuid_arg(cmdline, len)) {
			free(cmdline);
			continue;
		}
		memset(a, 0, sizeof(*a));
		a->truncated = cut;
		scan_fds(c, (pid_t)pid, testbed, a, &f);
		if ((f.readable && !f.vfio) ||
		    parse_cmdline((pid_t)pid, cmdline, len, a) == -1 ||
		    (!f.readable && a->ndevices == 0)) {
			/* Not a VFIO VM, as far as anyone can tell. */
			vm_args_free(a);
			free(cmdline);
			continue;
		}
		if (cut)
			log_warnx("%s: pid %lld: command line longer than %d "
			    "bytes, read in part", __func__, pid,
			    PROC_MAX_CMDLINE);
		if (a->overflow)
			log_warnx("%s: pid %lld: more than %d VFIO devices, "
			    "rest not listed", __func__, pid,
			    INV_MAX_VM_DEVICES);
		if (inv_find_vm(c->inv, a->uuid) != NULL)
			log_warnx("%s: pid %lld: VM %s already seen, "
			    "skipped", __func__, pid, a->uuid);
		else if (c->inv->nvms >= INV_MAX_VMS)
			log_warnx("%s: more than %d VMs, pid %lld skipped",
			    __func__, INV_MAX_VMS, pid);
		else {
			vm = inv_add_vm(c->inv);
			vm->uuid = inv_str(c->inv, a->uuid);
			vm->name = inv_str(c->inv, a->name);
			vm->pid = pid;
			for (i = 0; i < a->ndevices; i++)
				inv_vm_add_device(c->inv, vm, a->devices[i]);
			if (!f.readable)
				vm->complete = INV_TRI_NULL;
			else
				vm->complete = a->overflow || a->odd_kind ||
				    a->unattributed || a->truncated ?
				    INV_TRI_FALSE : INV_TRI_TRUE;
			/* The descriptors are the truth about iommufd: QEMU
			 * holds /dev/iommu for as long as it uses it, even
			 * for an iommufd object added at run time (object-add),
			 * which no command line shows. */
			if (a->iommufd || f.iommufd)
				vm->backend = INV_BACKEND_IOMMUFD;
			else if (f.readable)
				vm->backend = INV_BACKEND_CONTAINER;
			if (a->viommu)
				vm->viommu = INV_TRI_TRUE;
			else if (!a->truncated && !a->opaque)
				vm->viommu = INV_TRI_FALSE;
			vm->ram_shared = ram_shared(a);
			vm->qemu_version = vm_qemu_version(c, (pid_t)pid);
		}
		vm_args_free(a);
		free(cmdline);
	}
	free(a);
	closedir(dp);
	free(testbed);
	return (0);
}
