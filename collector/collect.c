/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collect.c -- the state of one scan (struct collect, collector.h) that
 * every source shares: which devices are VFIO-relevant (marked for
 * pci_select), and what the scan held that must be freed.
 */
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

void
collect_mark(struct collect *c, size_t idx)
{
	size_t	 ncap;

	if (idx >= c->nmarked) {
		ncap = idx + 64;
		c->marked = xreallocarray(c->marked, ncap, 1);
		memset(c->marked + c->nmarked, 0, ncap - c->nmarked);
		c->nmarked = ncap;
	}
	c->marked[idx] = 1;
}

void
collect_free(struct collect *c)
{
	size_t	 i;

	free(c->marked);
	sysfs_list_free(&c->pci_devices);
	sysfs_list_free(&c->pci_drivers);
	sysfs_list_free(&c->iommu_groups);
	for (i = 0; i < c->ndrivers; i++)
		free(c->drivers[i].driver);
	for (i = 0; i < c->nnames; i++)
		free(c->names[i].modalias);
	free(c->names);
	if (c->hwdb != NULL)
		udev_hwdb_unref(c->hwdb);
	if (c->udev != NULL)
		udev_unref(c->udev);
}
