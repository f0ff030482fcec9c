/* SPDX-License-Identifier: Apache-2.0 */
/*
 * platform.c -- facts about the host rather than a device: kernel,
 * architecture, which VFIO interfaces exist, whether the IOMMU tracks
 * dirty pages, and the QEMU and libvirt versions.
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/inventory.h"
#include "util/file.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

#define QEMU_TIMEOUT_MS		5000
#define QEMU_MAX_OUTPUT		(64 * 1024)
#define QEMU_BANNER		"QEMU emulator version "
#define LIBVIRT_BANNER		"(libvirt) "
#define SYS_CLASS_IOMMU		"/sys/class/iommu"
#define PROC_CMDLINE		"/proc/cmdline"
#define MAX_IOMMUS		1024
#define KCONFIG_MAX		(4 * 1024 * 1024)
#define VERSION_CACHE_SIZE	32

/*
 * What says an IOMMU tracks DMA dirty pages itself (iommufd's
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING, Linux 6.7+), bit for bit as the
 * kernel decides it:
 * - VT-d, drivers/iommu/intel/iommu.h: ssads_supported() is
 *   sm_supported() (scalable mode: ecap_smts, bit 43, and the boot's
 *   intel_iommu_sm) && ecap_slads (bit 45, second-stage access/dirty)
 *   && ecap_smpwc (bit 48, scalable-mode page-walk coherency; required
 *   since the kernel refused dirty tracking on incoherent walks).
 * - AMD-Vi, drivers/iommu/amd/amd_iommu_types.h: FEATURE_HDSUP, EFR
 *   bit 52 (amd_iommu_hd_support() in iommu.c).
 */
#define VTD_ECAP_SMTS		(UINT64_C(1) << 43)
#define VTD_ECAP_SLADS		(UINT64_C(1) << 45)
#define VTD_ECAP_SMPWC		(UINT64_C(1) << 48)
#define AMD_EFR_HDSUP		(UINT64_C(1) << 52)
/* IOMMU dirty tracking through iommufd first shipped in Linux 6.7, as
 * did the "EFR:EFR2" order of amd-iommu/features (before: EFR2:EFR). */
#define DIRTY_KERNEL_MAJOR	6
#define DIRTY_KERNEL_MINOR	7

static char	*ask_version(const char *, const char *, const char *);
static char	*qemu_ask(const char *);
static char	*libvirt_ask(const char *);
static char	*cached_version(const char *, char *(*)(const char *));
static char	*find_program(const char *name, const char *const *dirs);
static const char *qemu_arch(const char *);
static int	 kernel_has_dirty_tracking(const char *);
static int	 hex64(const char *, uint64_t *);
static int	 intel_sm_enabled(const char *);
static enum inv_tri intel_dirty(const char *unit, const char *release);
static enum inv_tri amd_dirty(const char *unit);
static enum inv_tri iommu_dirty_tracking(const char *release);
static enum inv_tri node_present(const char *, const char *);

/* What a binary said its version was, by path, inode and mtime. */
struct version_cache {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 mtime;
	char		*(*ask)(const char *);
	char		*version;	/* NULL when it could not tell */
};
static struct version_cache	vcache[VERSION_CACHE_SIZE];
static size_t			nvcache;

/* Dotted numeric, as QEMU prints it: "9.2.0", "8.2.2". */
int
platform_version_ok(const char *s)
{
	size_t	 i, len = strlen(s);

	if (len == 0 || len > 32 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[len - 1]))
		return (0);
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    !(s[i] == '.' && s[i + 1] != '.'))
			return (0);
	return (1);
}

/*
 * Run "prog flag" and take the dotted number after banner in what it
 * prints: a malloc'd version, or NULL with one warning.
 */
static char *
ask_version(const char *prog, const char *flag, const char *banner)
{
	char	*argv[3], *out = NULL, *p, *v = NULL;
	size_t	 len;

	argv[0] = (char *)prog;
	argv[1] = (char *)flag;
	argv[2] = NULL;
	if (run_capture(argv, QEMU_TIMEOUT_MS, QEMU_MAX_OUTPUT, &out,
	    &len) != 0) {
		log_warnx("%s: %s %s failed", __func__, prog, flag);
		goto out;
	}
	if ((p = strstr(out, banner)) == NULL) {
		log_warnx("%s: %s %s: no version banner", __func__, prog,
		    flag);
		goto out;
	}
	p += strlen(banner);
	v = xstrndup(p, strspn(p, "0123456789."));
	if (!platform_version_ok(v)) {
		log_warnx("%s: %s %s: odd version", __func__, prog, flag);
		free(v);
		v = NULL;
	}
out:
	free(out);
	return (v);
}

/* "qemu -version" (QEMU's documented spelling; "--version" works too). */
static char *
qemu_ask(const char *qemu)
{
	return (ask_version(qemu, "-version", QEMU_BANNER));
}

/* "libvirtd (libvirt) 10.0.0", "virtqemud (libvirt) 10.0.0". */
static char *
libvirt_ask(const char *prog)
{
	return (ask_version(prog, "--version", LIBVIRT_BANNER));
}

/*
 * Asking a binary costs a fork and exec (QEMU: tens of milliseconds),
 * and watch mode scans every interval: ask each binary once for as long
 * as it is the same file. A malloc'd copy, or NULL.
 */
static char *
cached_version(const char *path, char *(*ask)(const char *))
{
	struct version_cache	*vc;
	struct stat		 sb;
	char			*v;
	size_t			 i;

	if (stat(path, &sb) == -1)
		return (ask(path));
	for (i = 0; i < nvcache; i++) {
		vc = &vcache[i];
		if (vc->ask == ask && vc->dev == sb.st_dev &&
		    vc->ino == sb.st_ino &&
		    vc->mtime.tv_sec == sb.st_mtim.tv_sec &&
		    vc->mtime.tv_nsec == sb.st_mtim.tv_nsec &&
		    strcmp(vc->path, path) == 0)
			return (vc->version == NULL ? NULL :
			    xstrdup(vc->version));
	}
	v = ask(path);
	if (nvcache < VERSION_CACHE_SIZE) {
		vc = &vcache[nvcache++];
		vc->path = xstrdup(path);
		vc->dev = sb.st_dev;
		vc->ino = sb.st_ino;
		vc->mtime = sb.st_mtim;
		vc->ask = ask;
		vc->version = v == NULL ? NULL : xstrdup(v);
	}
	return (v);
}

char *
platform_qemu_version(const char *path)
{
	return (cached_version(path, qemu_ask));
}

/* name in $PATH, else in dirs (NULL-terminated; NULL for PATH only): a
 * malloc'd path to an executable regular file, or NULL. */
static char *
find_program(const char *name, const char *const *dirs)
{
	struct stat	 sb;
	const char	*path, *dir, *end;
	char		*cand;
	size_t		 i, n;

	path = getenv("PATH");
	for (dir = path; dir != NULL && *dir != '\0'; dir = end) {
		end = strchr(dir, ':');
		n = end == NULL ? strlen(dir) : (size_t)(end - dir);
		end = end == NULL ? NULL : end + 1;
		/* An empty or relative entry means the working directory:
		 * never where a daemon's binaries live. */
		if (n == 0 || dir[0] != '/')
			continue;
		xasprintf(&cand, "%.*s/%s", (int)n, dir, name);
		if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(cand, X_OK) == 0)
			return (cand);
		free(cand);
	}
	for (i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		xasprintf(&cand, "%s/%s", dirs[i], name);
		if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(cand, X_OK) == 0)
			return (cand);
		free(cand);
	}
	return (NULL);
}

/* uname's machine to QEMU's target name: the ones that differ. */
static const char *
qemu_arch(const char *machine)
{
	if (strcmp(machine, "ppc64le") == 0)
		return ("ppc64");
	if (strcmp(machine, "i686") == 0 || strcmp(machine, "i586") == 0)
		return ("i386");
	return (machine);
}

/* 1 when release is DIRTY_KERNEL_MAJOR.MINOR or newer, 0 when older,
 * -1 when it does not start with two numbers. */
static int
kernel_has_dirty_tracking(const char *release)
{
	unsigned int	 major, minor;

	if (release == NULL || sscanf(release, "%u.%u", &major, &minor) != 2)
		return (-1);
	return (major > DIRTY_KERNEL_MAJOR || (major == DIRTY_KERNEL_MAJOR &&
	    minor >= DIRTY_KERNEL_MINOR));
}

/* A register as sysfs prints it ("%llx"): 1..16 hex digits, no 0x. */
static int
hex64(const char *s, uint64_t *v)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > 16)
		return (-1);
	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return (-1);
		*v = *v << 4 | (uint64_t)(isdigit((unsigned char)s[i]) ?
		    s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return (0);
}

/*
 * Whether VT-d scalable mode is on (the kernel's intel_iommu_sm): the
 * boot's intel_iommu=...,sm_on|sm_off wins (the last one), else the
 * kernel's CONFIG_INTEL_IOMMU_SCALABLE_MODE_DEFAULT_ON. 1, 0, or -1
 * when neither says.
 */
static int
intel_sm_enabled(const char *release)
{
	char	*cmdline, *tok, *p, *opt, *o, path[SYSFS_PATH_MAX];
	char	*config, *line, *next;
	int	 sm = -1;

	if ((cmdline = sysfs_read(PROC_CMDLINE, SYSFS_RAW | SYSFS_QUIET |
	    SYSFS_OPTIONAL)) != NULL) {
		for (p = cmdline; (tok = strsep(&p, " \t")) != NULL; ) {
			if (!str_has_prefix(tok, "intel_iommu="))
				continue;
			for (o = tok + strlen("intel_iommu=");
			    (opt = strsep(&o, ",")) != NULL; ) {
				if (strcmp(opt, "sm_on") == 0)
					sm = 1;
				else if (strcmp(opt, "sm_off") == 0)
					sm = 0;
			}
		}
		free(cmdline);
	}
	if (sm != -1 || release == NULL || sysfs_path(path, sizeof(path),
	    "/boot/config-%s", release) == -1 || access(path, R_OK) == -1)
		return (sm);
	if ((config = file_read(path, KCONFIG_MAX, NULL)) == NULL)
		return (-1);
	for (line = config; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strcmp(line,
		    "CONFIG_INTEL_IOMMU_SCALABLE_MODE_DEFAULT_ON=y") == 0)
			sm = 1;
		else if (strcmp(line, "# CONFIG_INTEL_IOMMU_SCALABLE_MODE_"
		    "DEFAULT_ON is not set") == 0)
			sm = 0;
	}
	free(config);
	return (sm);
}

/* One VT-d unit: true only when the kernel would enable dirty tracking
 * on it (see VTD_ECAP_*), null when its ecap or the boot's scalable mode
 * cannot be read. */
static enum inv_tri
intel_dirty(const char *unit, const char *release)
{
	char		 path[SYSFS_PATH_MAX], *s;
	uint64_t	 ecap;
	int		 sm;

	if (sysfs_path(path, sizeof(path), "%s/%s/intel-iommu/ecap",
	    SYS_CLASS_IOMMU, unit) == -1 || (s = sysfs_read(path, 0)) == NULL)
		return (INV_TRI_NULL);
	if (hex64(s, &ecap) == -1) {
		log_warnx("%s: %s: not a register value", __func__, path);
		free(s);
		return (INV_TRI_NULL);
	}
	free(s);
	if ((ecap & VTD_ECAP_SLADS) == 0 || (ecap & VTD_ECAP_SMTS) == 0 ||
	    (ecap & VTD_ECAP_SMPWC) == 0)
		return (INV_TRI_FALSE);
	if ((sm = intel_sm_enabled(release)) == -1)
		return (INV_TRI_NULL);
	return (sm ? INV_TRI_TRUE : INV_TRI_FALSE);
}

/* One AMD-Vi unit: "EFR:EFR2" (Linux 6.7+); kernels before that have no
 * IOMMU dirty tracking, which kernel_has_dirty_tracking rules out first. */
static enum inv_tri
amd_dirty(const char *unit)
{
	char		 path[SYSFS_PATH_MAX], *s, *colon;
	uint64_t	 efr, efr2;

	if (sysfs_path(path, sizeof(path), "%s/%s/amd-iommu/features",
	    SYS_CLASS_IOMMU, unit) == -1 || (s = sysfs_read(path, 0)) == NULL)
		return (INV_TRI_NULL);
	if ((colon = strchr(s, ':')) == NULL)
		goto bad;
	*colon = '\0';
	if (hex64(s, &efr) == -1 || hex64(colon + 1, &efr2) == -1)
		goto bad;
	free(s);
	return ((efr & AMD_EFR_HDSUP) ? INV_TRI_TRUE : INV_TRI_FALSE);
bad:
	log_warnx("%s: %s: not \"EFR:EFR2\"", __func__, path);
	free(s);
	return (INV_TRI_NULL);
}

/*
 * Every IOMMU must track dirty pages for the host to say yes (a device
 * behind one that does not is tracked by QEMU or not at all): true when
 * all say yes, false when one says no, else null -- no IOMMU in sysfs,
 * or one (virtio-iommu, Arm SMMU, ...) whose registers sysfs does not
 * show.
 */
static enum inv_tri
iommu_dirty_tracking(const char *release)
{
	struct sysfs_dir	 sd;
	char			 path[SYSFS_PATH_MAX];
	enum inv_tri		 t, all = INV_TRI_TRUE;
	int			 k;
	size_t			 i;

	if (sysfs_list(SYS_CLASS_IOMMU, &sd) == -1 || sd.n == 0) {
		sysfs_list_free(&sd);
		return (INV_TRI_NULL);
	}
	if ((k = kernel_has_dirty_tracking(release)) != 1) {
		sysfs_list_free(&sd);
		return (k == 0 ? INV_TRI_FALSE : INV_TRI_NULL);
	}
	for (i = 0; i < sd.n && i < MAX_IOMMUS; i++) {
		t = INV_TRI_NULL;
		if (sysfs_path(path, sizeof(path), "%s/%s/intel-iommu",
		    SYS_CLASS_IOMMU, sd.names[i]) == 0 && sysfs_exists(path))
			t = intel_dirty(sd.names[i], release);
		else if (sysfs_path(path, sizeof(path), "%s/%s/amd-iommu",
		    SYS_CLASS_IOMMU, sd.names[i]) == 0 && sysfs_exists(path))
			t = amd_dirty(sd.names[i]);
		if (t == INV_TRI_FALSE)
			all = INV_TRI_FALSE;
		else if (t == INV_TRI_NULL && all == INV_TRI_TRUE)
			all = INV_TRI_NULL;
	}
	if (sd.n > MAX_IOMMUS) {
		log_warnx("%s: more than %d IOMMUs, rest ignored", __func__,
		    MAX_IOMMUS);
		if (all == INV_TRI_TRUE)
			all = INV_TRI_NULL;
	}
	sysfs_list_free(&sd);
	return (all);
}

/*
 * A VFIO device node: present, or absent from a kernel without it (no
 * misc device registered: drivers/iommu/iommufd/main.c registers
 * "iommu", drivers/vfio/container.c "vfio"), or unknown: the kernel has
 * it but this mount namespace was not given the node (a container).
 */
static enum inv_tri
node_present(const char *node, const char *misc)
{
	if (sysfs_exists(node))
		return (INV_TRI_TRUE);
	return (sysfs_lexists(misc) ? INV_TRI_NULL : INV_TRI_FALSE);
}

int
platform_scan(struct collect *c, const char *qemu, const char *qemu_version)
{
	static const char *const sbin_dirs[] = { "/usr/sbin",
	    "/usr/local/sbin", NULL };
	/* Watch mode scans again and again: say what is missing once. */
	static bool		 warned_qemu, warned_libvirt;
	struct inv_platform	*p = &c->inv->platform;
	struct utsname		 u;
	char			*v, *prog = NULL, name[96];

	if (uname(&u) == 0) {
		p->kernel_release = inv_str(c->inv, u.release);
		p->arch = inv_str(c->inv, u.machine);
		c->kernel_release = p->kernel_release;
	} else
		log_warn("%s: uname", __func__);
	p->iommufd = node_present("/dev/iommu", "/sys/class/misc/iommu");
	p->vfio_container = node_present("/dev/vfio/vfio",
	    "/sys/class/misc/vfio");

	p->iommu_dirty_tracking = iommu_dirty_tracking(p->kernel_release);

	/* Without --qemu: the QEMU libvirt and Nova would start. */
	if (qemu_version == NULL && qemu == NULL && p->arch != NULL) {
		snprintf(name, sizeof(name), "qemu-system-%s",
		    qemu_arch(p->arch));
		if ((prog = find_program(name, NULL)) == NULL &&
		    access("/usr/libexec/qemu-kvm", X_OK) == 0)
			prog = xstrdup("/usr/libexec/qemu-kvm");
		if (prog == NULL && !warned_qemu) {
			warned_qemu = true;
			log_warnx("%s: no %s on PATH and no "
			    "/usr/libexec/qemu-kvm: QEMU version unknown",
			    __func__, name);
		}
		qemu = prog;
	}
	if (qemu_version != NULL)
		p->qemu_version = inv_str(c->inv, qemu_version);
	else if (qemu != NULL && (v = platform_qemu_version(qemu)) != NULL) {
		p->qemu_version = inv_str(c->inv, v);
		free(v);
	}
	free(prog);

	/* Monolithic libvirtd or the modular virtqemud: one package. */
	if ((prog = find_program("libvirtd", NULL)) == NULL &&
	    (prog = find_program("virtqemud", NULL)) == NULL &&
	    (prog = find_program("libvirtd", sbin_dirs)) == NULL)
		prog = find_program("virtqemud", sbin_dirs);
	if (prog == NULL && !warned_libvirt) {
		warned_libvirt = true;
		log_warnx("%s: neither libvirtd nor virtqemud found: libvirt "
		    "version unknown", __func__);
	} else if (prog != NULL &&
	    (v = cached_version(prog, libvirt_ask)) != NULL) {
		p->libvirt_version = inv_str(c->inv, v);
		free(v);
	}
	free(prog);
	return (0);
}
