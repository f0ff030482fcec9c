/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textfile.c -- this host's metrics in the Prometheus text format, for
 * node_exporter's textfile collector (--textfile).
 *
 * The exporter reads the directory whenever it is scraped, so the file
 * is written as PATH.tmp.<pid> beside PATH and renamed over it: a scrape
 * sees the old file or the new one, never half of one, and the exporter
 * ignores the temporary name (it reads only *.prom). Series mirror the
 * server's vfio_compat_type_* gauges (SPEC 8) without the host label,
 * which the exporter's instance label already carries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "model/inventory.h"
#include "metrics/promtext.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include "collector.h"

#define PREFIX		"vfio_compat_collector_"
#define TEXTFILE_MAX	(16 * 1024 * 1024)

static int	 write_all(int, const char *, size_t);

static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t	 n;
	size_t	 off = 0;

	while (off < len) {
		if ((n = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		off += (size_t)n;
	}
	return (0);
}

int
textfile_write(const char *path, const struct inventory *inv,
    const struct textfile_stats *st, char *err, size_t errlen)
{
	struct promtext	 p;
	char		*tmp = NULL;
	int		 fd = -1, saved;

	prom_init(&p, PREFIX);
	prom_header(&p, "info", "gauge", "The collector's version and the "
	    "host name it reports as.");
	prom_printf(&p, PREFIX "info{");
	prom_label(&p, "host", inv->host, true);
	prom_label(&p, "version", PACKAGE_VERSION, false);
	prom_printf(&p, "} 1\n");
	prom_header(&p, "last_scan_timestamp_seconds", "gauge",
	    "When the last scan of this host started.");
	prom_printf(&p, PREFIX "last_scan_timestamp_seconds %.3f\n",
	    st->scan_time);
	prom_header(&p, "scan_duration_seconds", "gauge",
	    "How long the last scan took.");
	prom_printf(&p, PREFIX "scan_duration_seconds %.6f\n",
	    st->scan_seconds);
	prom_header(&p, "devices", "gauge", "Devices in the inventory.");
	prom_printf(&p, PREFIX "devices %zu\n", inv->ndevices);
	prom_header(&p, "instances", "gauge",
	    "Live mdev and vGPU instances in the inventory.");
	prom_printf(&p, PREFIX "instances %zu\n", inv->ninstances);
	prom_header(&p, "type_available_instances", "gauge",
	    "Instances of a type that can still be created on a parent.");
	prom_type_series(&p, inv, true, NULL);
	prom_header(&p, "type_instances", "gauge",
	    "Instances of a type that exist on a parent.");
	prom_type_series(&p, inv, false, NULL);
	if (st->push) {
		prom_header(&p, "push_failures_total", "counter",
		    "Pushes to the server that failed.");
		prom_printf(&p, PREFIX "push_failures_total %lu\n",
		    st->push_failures);
		prom_header(&p, "last_push_success_timestamp_seconds", "gauge",
		    "When a push last succeeded (0: not yet).");
		prom_printf(&p, PREFIX
		    "last_push_success_timestamp_seconds %.3f\n",
		    st->push_ok_time);
	}
	if (p.out.len > TEXTFILE_MAX) {
		snprintf(err, errlen, "%s: %zu bytes of metrics is too many",
		    path, p.out.len);
		goto fail;
	}

	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1)
		goto fail_errno;
	if (write_all(fd, p.out.data, p.out.len) == -1 || fsync(fd) == -1)
		goto fail_errno;
	if (close(fd) == -1) {
		fd = -1;
		goto fail_errno;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail_errno;
	log_debug("%s: wrote %zu bytes to %s", __func__, p.out.len, path);
	free(tmp);
	free(p.out.data);
	return (0);

fail_errno:
	saved = errno;
	snprintf(err, errlen, "%s: %s", tmp, strerror(saved));
fail:
	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(p.out.data);
	return (-1);
}
