/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scan.c -- one scan of this host: every source in the order their
 * results depend on, into a fresh inventory.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libudev.h>

#include "config.h"
#include "model/inventory.h"

#include "collector.h"

static void	 utc_now(char *, size_t);
static void	 collect(struct collect *, const struct collect_options *);

static void
utc_now(char *buf, size_t size)
{
	time_t		 t = time(NULL);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The order matters: migration needs instances, selection needs VMs. */
static void
collect(struct collect *c, const struct collect_options *o)
{
	platform_scan(c, o->qemu, o->qemu_version);
	pci_scan(c);
	mdev_scan_parents(c);
	mdev_scan_instances(c);
	nvidia_fill_names(c);
	pci_set_migration(c);
	vms_scan(c);
	probe_run_dir(c, o->probe_dir);
	if (!o->all_pci)
		pci_select(c);
	inventory_sort(c->inv);
}

struct inventory *
collect_scan(const struct collect_options *o, const char *host)
{
	struct collect	 c;
	struct inventory *inv;
	char		 now[32];

	utc_now(now, sizeof(now));
	memset(&c, 0, sizeof(c));
	c.inv = inventory_new(NULL);
	c.inv->host = inv_str(c.inv, host);
	c.inv->collected_at = inv_str(c.inv, now);
	c.inv->collector_version = inv_str(c.inv, PACKAGE_VERSION);
	c.udev = udev_new();
	collect(&c, o);
	inv = c.inv;
	c.inv = NULL;
	collect_free(&c);
	return (inv);
}
