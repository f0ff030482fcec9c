/*
 * platform.c -- facts about the host rather than a device: kernel,
 * architecture, which VFIO interfaces exist, and the QEMU version.
 */
#include <sys/utsname.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

#define QEMU_TIMEOUT_MS		5000
#define QEMU_MAX_OUTPUT		(64 * 1024)
#define QEMU_BANNER		"QEMU emulator version "

static char	*qemu_ask(const char *);

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

/* Run "qemu --version" and take the number after the banner. */
static char *
qemu_ask(const char *qemu)
{
	char	*argv[3], *out = NULL, *p, *v = NULL;
	size_t	 len, n;

	argv[0] = (char *)qemu;
	argv[1] = (char *)"--version";
	argv[2] = NULL;
	if (run_capture(argv, QEMU_TIMEOUT_MS, QEMU_MAX_OUTPUT, &out,
	    &len) != 0) {
		log_warnx("%s: %s --version failed", __func__, qemu);
		goto out;
	}
	if ((p = strstr(out, QEMU_BANNER)) == NULL) {
		log_warnx("%s: %s --version: no version banner", __func__,
		    qemu);
		goto out;
	}
	p += strlen(QEMU_BANNER);
	n = strspn(p, "0123456789.");
	v = xstrndup(p, n);
	if (!platform_version_ok(v)) {
		log_warnx("%s: %s --version: odd version", __func__, qemu);
		free(v);
		v = NULL;
	}
out:
	free(out);
	return (v);
}

int
platform_scan(struct collect *c, const char *qemu, const char *qemu_version)
{
	struct inv_platform	*p = &c->inv->platform;
	struct utsname		 u;
	char			*v;

	if (uname(&u) == 0) {
		p->kernel_release = inv_str(c->inv, u.release);
		p->arch = inv_str(c->inv, u.machine);
		c->kernel_release = p->kernel_release;
	} else
		log_warn("%s: uname", __func__);
	p->iommufd = sysfs_exists("/dev/iommu") ? INV_TRI_TRUE : INV_TRI_FALSE;
	p->vfio_container = sysfs_exists("/dev/vfio/vfio") ?
	    INV_TRI_TRUE : INV_TRI_FALSE;

	if (qemu_version != NULL)
		p->qemu_version = inv_str(c->inv, qemu_version);
	else if (qemu != NULL && (v = qemu_ask(qemu)) != NULL) {
		p->qemu_version = inv_str(c->inv, v);
		free(v);
	}
	/* No cheap honest source: libvirtd may not even run here. */
	p->libvirt_version = NULL;
	return (0);
}
