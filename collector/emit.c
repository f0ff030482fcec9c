/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emit.c -- where a scanned inventory goes: printed (--output, stdout),
 * stored (--db) and handed back for --push, each only after the codec
 * has accepted what was printed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec/inventory_json.h"
#include "model/inventory.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include "collector.h"

static int	 render(const struct inventory *,
		    const struct collect_options *, char **, char **, char *,
		    size_t);
static int	 write_atomic(const char *, const char *, char *, size_t);
static int	 write_in_place(const char *, const char *, char *, size_t);
static int	 store_inventory(const char *, const struct inventory *,
		    char *, size_t);

/*
 * Print the document (pretty for people, compact for the store and the
 * server) and prove the codec accepts it; both come from one model, so
 * parsing one of them proves both.
 */
static int
render(const struct inventory *inv, const struct collect_options *o,
    char **pretty, char **compact, char *err, size_t errlen)
{
	struct inventory	*back;
	struct inv_error	 ie;
	char			*json;

	*pretty = *compact = NULL;
	if (o->output != NULL) {
		if ((json = inventory_dump(inv, true)) == NULL)
			goto fail;
		xasprintf(pretty, "%s\n", json);
		free(json);
	}
	if ((o->db != NULL || o->push != NULL) &&
	    (*compact = inventory_dump(inv, false)) == NULL)
		goto fail;
	if ((json = *pretty != NULL ? *pretty : *compact) == NULL)
		return (0);
	if ((back = inventory_parse(json, strlen(json), NULL, &ie)) == NULL) {
		snprintf(err, errlen, "refusing to emit an invalid inventory: "
		    "%s: %s", ie.field, ie.message);
		goto out;
	}
	inventory_free(back);
	return (0);

fail:
	snprintf(err, errlen, "cannot print the inventory");
out:
	free(*pretty);
	free(*compact);
	*pretty = *compact = NULL;
	return (-1);
}

/*
 * Write beside the target and rename, so readers see old or new. That
 * is for regular files only: a device, a FIFO or a socket (a symlink to
 * one included) is written in place, never replaced by a regular file;
 * --output /dev/null run as root must leave /dev/null a device.
 */
static int
write_atomic(const char *path, const char *data, char *err, size_t errlen)
{
	char		*tmp;
	size_t		 len = strlen(data), off = 0;
	ssize_t		 n;
	mode_t		 mask;
	int		 fd;
	struct stat	 sb;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return (write_in_place(path, data, err, errlen));
	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return (-1);
	}
	mask = umask(0);
	umask(mask);
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0644 & ~mask) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	free(tmp);
	return (0);

fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return (-1);
}

/* A FIFO is opened blocking: its reader is who the document is for. */
static int
write_in_place(const char *path, const char *data, char *err, size_t errlen)
{
	size_t	 len = strlen(data), off = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		goto fail;
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			goto fail;
		}
		off += (size_t)n;
	}
	if (close(fd) == -1)
		goto fail;
	return (0);

fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return (-1);
}

/* The canonical document and digest the server would store: one print. */
static int
store_inventory(const char *path, const struct inventory *inv, char *err,
    size_t errlen)
{
	struct store	*st;
	char		*serr = NULL, *json, digest[65];
	int64_t		 gen;
	bool		 changed;
	int		 rc = -1;

	if (inventory_encode(inv, &json, NULL, digest) == -1) {
		snprintf(err, errlen, "cannot encode the inventory");
		return (-1);
	}
	if ((st = store_open(path, &serr)) == NULL) {
		snprintf(err, errlen, "--db %s: %s", path,
		    serr != NULL ? serr : "cannot open");
		free(serr);
		goto out;
	}
	switch (store_put(st, inv, json, digest, (int64_t)time(NULL), &gen,
	    &changed)) {
	case 0:
		log_debug("stored %s generation %lld%s", inv->host,
		    (long long)gen, changed ? "" : " (unchanged)");
		rc = 0;
		break;
	case 1:
		snprintf(err, errlen, "--db %s: it holds a newer report of %s "
		    "(collected at %s)", path, inv->host, store_error(st));
		break;
	default:
		snprintf(err, errlen, "--db %s: %s", path, store_error(st));
		break;
	}
	store_close(st);
out:
	free(json);
	return (rc);
}

int
collect_emit(const struct collect_options *o, const struct inventory *inv,
    char **compactp, char *err, size_t errlen)
{
	char	*pretty, *compact, why[1024];
	int	 rc = -1;

	*compactp = NULL;
	if (render(inv, o, &pretty, &compact, err, errlen) == -1)
		return (-1);
	if (o->output != NULL) {
		if (strcmp(o->output, "-") == 0) {
			if (fputs(pretty, stdout) == EOF ||
			    fflush(stdout) == EOF) {
				snprintf(err, errlen, "stdout: %s",
				    strerror(errno));
				goto out;
			}
		} else if (write_atomic(o->output, pretty, why,
		    sizeof(why)) == -1) {
			snprintf(err, errlen, "--output %s", why);
			goto out;
		}
	}
	if (o->db != NULL && store_inventory(o->db, inv, err, errlen) == -1)
		goto out;
	if (o->push != NULL) {
		*compactp = compact;
		compact = NULL;
	}
	rc = 0;
out:
	free(pretty);
	free(compact);
	return (rc);
}
