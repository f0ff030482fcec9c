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
#include "inventory.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include "collector.h"

#define PREFIX		"vfio_compat_collector_"
#define TEXTFILE_MAX	(16 * 1024 * 1024)

static void	 header(FILE *, const char *, const char *, const char *);
static void	 label(FILE *, const char *, const char *, int);
static void	 type_series(FILE *, const struct inventory *, int);
static int	 write_all(int, const char *, size_t);

static void
header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name,
	    help, name, type);
}

/* name="value", with backslash, double quote and newline escaped as the
 * exposition format requires; a comma first unless it is the first. */
static void
label(FILE *f, const char *name, const char *value, int first)
{
	const char	*p;

	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	for (p = value != NULL ? value : ""; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			fputs("\\\\", f);
			break;
		case '"':
			fputs("\\\"", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		default:
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* One series per type of every parent: what can still be created
 * (avail) or how many instances of it exist. */
static void
type_series(FILE *f, const struct inventory *inv, int avail)
{
	const struct inv_device		*d;
	const struct inv_type		*t;
	size_t				 i, j, count;

	for (i = 0; i < inv->ndevices; i++) {
		d = &inv->devices[i];
		for (j = 0; j < d->ntypes; j++) {
			t = &d->types[j];
			if (avail && t->available_instances == INV_NULL)
				continue;
			fprintf(f, PREFIX "%s{", avail ?
			    "type_available_instances" : "type_instances");
			label(f, "parent", d->address, 1);
			label(f, "kind", inv_kind_name(t->kind), 0);
			label(f, "type", t->id, 0);
			if (avail) {
				fprintf(f, "} %lld\n",
				    (long long)t->available_instances);
				continue;
			}
			count = inv_count_instances(inv, d, t);
			fprintf(f, "} %zu\n", count);
		}
	}
}

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
	FILE	*f;
	char	*buf = NULL, *tmp = NULL;
	size_t	 len = 0;
	int	 fd = -1, saved;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	header(f, "info", "gauge", "The collector's version and the host "
	    "name it reports as.");
	fprintf(f, PREFIX "info{");
	label(f, "host", inv->host, 1);
	label(f, "version", PACKAGE_VERSION, 0);
	fprintf(f, "} 1\n");
	header(f, "last_scan_timestamp_seconds", "gauge",
	    "When the last scan of this host started.");
	fprintf(f, PREFIX "last_scan_timestamp_seconds %.3f\n",
	    st->scan_time);
	header(f, "scan_duration_seconds", "gauge",
	    "How long the last scan took.");
	fprintf(f, PREFIX "scan_duration_seconds %.6f\n", st->scan_seconds);
	header(f, "devices", "gauge", "Devices in the inventory.");
	fprintf(f, PREFIX "devices %zu\n", inv->ndevices);
	header(f, "instances", "gauge",
	    "Live mdev and vGPU instances in the inventory.");
	fprintf(f, PREFIX "instances %zu\n", inv->ninstances);
	header(f, "type_available_instances", "gauge",
	    "Instances of a type that can still be created on a parent.");
	type_series(f, inv, 1);
	header(f, "type_instances", "gauge",
	    "Instances of a type that exist on a parent.");
	type_series(f, inv, 0);
	if (st->push) {
		header(f, "push_failures_total", "counter",
		    "Pushes to the server that failed.");
		fprintf(f, PREFIX "push_failures_total %lu\n",
		    st->push_failures);
		header(f, "last_push_success_timestamp_seconds", "gauge",
		    "When a push last succeeded (0: not yet).");
		fprintf(f, PREFIX "last_push_success_timestamp_seconds %.3f\n",
		    st->push_ok_time);
	}
	if (fclose(f) != 0 || buf == NULL) {
		snprintf(err, errlen, "%s: cannot format the metrics", path);
		goto fail;
	}
	if (len > TEXTFILE_MAX) {
		snprintf(err, errlen, "%s: %zu bytes of metrics is too many",
		    path, len);
		goto fail;
	}

	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1)
		goto fail_errno;
	if (write_all(fd, buf, len) == -1 || fsync(fd) == -1)
		goto fail_errno;
	if (close(fd) == -1) {
		fd = -1;
		goto fail_errno;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail_errno;
	log_debug("%s: wrote %zu bytes to %s", __func__, len, path);
	free(tmp);
	free(buf);
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
	free(buf);
	return (-1);
}
