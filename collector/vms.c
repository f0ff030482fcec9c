/*
 * vms.c -- running VMs: processes that hold a file under /dev/vfio open,
 * described by their QEMU command line (-uuid, -name, -device).
 *
 * Other users' /proc entries are often unreadable; that is normal and
 * silent. Under umockdev the VFIO nodes live below $UMOCKDEV_DIR/dev, so
 * that prefix counts too, and only that testbed's.
 */
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

struct vm_args {
	char		*uuid;
	char		*name;
	const char	*devices[INV_MAX_VM_DEVICES];
	char		 devbuf[INV_MAX_VM_DEVICES][64];
	size_t		 ndevices;
};

static int	 holds_vfio(pid_t, const char *);
static int	 has_uuid_arg(const char *, size_t);
static char	*read_cmdline(pid_t, size_t *);
static int	 parse_cmdline(pid_t, char *, size_t, struct vm_args *);
static char	*opt_value(const char *, const char *);
static void	 add_device(struct vm_args *, const char *, int);
static void	 parse_device(struct vm_args *, const char *);
static void	 parse_device_json(struct vm_args *, const char *);
static char	*parse_name(const char *);

/* Does pid have a VFIO group or device file open? */
static int
holds_vfio(pid_t pid, const char *testbed)
{
	char		 dir[64], p[384], target[SYSFS_PATH_MAX];
	DIR		*dp;
	struct dirent	*de;
	ssize_t		 n;
	int		 found = 0, count = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if ((dp = opendir(dir)) == NULL)
		return (0);
	while (!found && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || ++count > PROC_MAX_FDS)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if ((n = readlink(p, target, sizeof(target) - 1)) == -1)
			continue;
		target[n] = '\0';
		if (str_has_prefix(target, VFIO_DEV_PREFIX) ||
		    (testbed != NULL && str_has_prefix(target, testbed)))
			found = 1;
	}
	closedir(dp);
	return (found);
}

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

static char *
read_cmdline(pid_t pid, size_t *lenp)
{
	char	 p[64], *buf;
	size_t	 len = 0, cap = 4096;
	ssize_t	 n;
	int	 fd;

	snprintf(p, sizeof(p), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= PROC_MAX_CMDLINE)
				break;
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		/* The kernel fills the buffer while the command line lasts. */
		if (len < cap)
			break;
	}
	close(fd);
	if (len == 0) {
		free(buf);
		return (NULL);
	}
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
		return;
	}
	for (i = 0; i < a->ndevices; i++)
		if (strcmp(a->devices[i], id) == 0)
			return;
	if (a->ndevices >= INV_MAX_VM_DEVICES)
		return;
	memcpy(a->devbuf[a->ndevices], id, strlen(id) + 1);
	a->devices[a->ndevices] = a->devbuf[a->ndevices];
	a->ndevices++;
}

static void
parse_device(struct vm_args *a, const char *arg)
{
	char	*driver, *v;
	size_t	 n;

	if (arg[0] == '{') {
		parse_device_json(a, arg);
		return;
	}
	n = strcspn(arg, ",");
	if ((driver = opt_value(arg, "driver")) == NULL)
		driver = xstrndup(arg, n);
	if (strcmp(driver, "vfio-pci") != 0 &&
	    strcmp(driver, "vfio-pci-nohotplug") != 0) {
		free(driver);
		return;
	}
	free(driver);
	if ((v = opt_value(arg, "host")) != NULL) {
		add_device(a, v, 0);
		free(v);
	}
	if ((v = opt_value(arg, "sysfsdev")) != NULL) {
		add_device(a, v, 1);
		free(v);
	}
}

/* libvirt 9+ writes -device as JSON. */
static void
parse_device_json(struct vm_args *a, const char *arg)
{
	json_t		*root;
	json_error_t	 err;
	const char	*driver, *v;

	if ((root = json_loads(arg, 0, &err)) == NULL)
		return;
	driver = json_string_value(json_object_get(root, "driver"));
	if (driver != NULL && (strcmp(driver, "vfio-pci") == 0 ||
	    strcmp(driver, "vfio-pci-nohotplug") == 0)) {
		if ((v = json_string_value(json_object_get(root, "host"))) !=
		    NULL)
			add_device(a, v, 0);
		if ((v = json_string_value(json_object_get(root,
		    "sysfsdev"))) != NULL)
			add_device(a, v, 1);
	}
	json_decref(root);
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

int
vms_scan(struct collect *c)
{
	DIR		*dp;
	struct dirent	*de;
	struct vm_args	 a;
	struct inv_vm	*vm;
	const char	*errstr, *env;
	char		*cmdline, *testbed = NULL;
	size_t		 len, i;
	long long	 pid, self = getpid();

	if ((dp = opendir("/proc")) == NULL)
		return (0);
	if ((env = getenv("UMOCKDEV_DIR")) != NULL && *env == '/')
		xasprintf(&testbed, "%s%s", env, VFIO_DEV_PREFIX);
	while ((de = readdir(dp)) != NULL) {
		pid = vc_strtonum(de->d_name, 1, INT32_MAX, &errstr);
		if (errstr != NULL || pid == self)
			continue;
		/* The command line first: one read rules out most processes,
		 * where the descriptors would cost a call each. */
		if ((cmdline = read_cmdline((pid_t)pid, &len)) == NULL)
			continue;
		if (!has_uuid_arg(cmdline, len) ||
		    !holds_vfio((pid_t)pid, testbed)) {
			free(cmdline);
			continue;
		}
		memset(&a, 0, sizeof(a));
		if (parse_cmdline((pid_t)pid, cmdline, len, &a) == 0) {
			if (inv_find_vm(c->inv, a.uuid) != NULL)
				log_warnx("%s: pid %lld: VM %s already seen, "
				    "skipped", __func__, pid, a.uuid);
			else if (c->inv->nvms < INV_MAX_VMS) {
				vm = inv_add_vm(c->inv);
				vm->uuid = inv_str(c->inv, a.uuid);
				vm->name = inv_str(c->inv, a.name);
				vm->pid = pid;
				for (i = 0; i < a.ndevices; i++)
					inv_vm_add_device(c->inv, vm,
					    a.devices[i]);
			}
		}
		free(a.uuid);
		free(a.name);
		free(cmdline);
	}
	closedir(dp);
	free(testbed);
	return (0);
}
