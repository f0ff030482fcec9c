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
 * server) and prove the codec accepts it. What the server runs on the
 * text, inventory_parse, is the size cap, json_loadb, and
 * inventory_from_json on the tree json_loadb built. Here the text is
 * jansson's print of the very tree inventory_from_json checked, which
 * json_loadb would give back as it is (a json_t holds no duplicate key,
 * no NUL, no invalid UTF-8), so the cap on each text and the check of
 * that tree are the whole proof; tokenising the text again was a third
 * of the collector's user time on the bench host. Both texts come from
 * the one tree, so one check covers both.
 */
static int
render(const struct inventory *inv, const struct collect_options *o,
    char **pretty, char **compact, char *err, size_t errlen)
{
	struct inventory	*back;
	struct inv_error	 ie;
	json_t			*tree;
	size_t			 len;

	*pretty = *compact = NULL;
	if (o->output == NULL && o->db == NULL && o->push == NULL)
		return (0);
	if ((tree = inventory_to_json(inv)) == NULL)
		goto fail;
	if ((back = inventory_from_json(tree, NULL, &ie)) == NULL) {
		snprintf(err, errlen, "refusing to emit an invalid inventory: "
		    "%s: %s", ie.field, ie.message);
		json_decref(tree);
		goto out;
	}
	inventory_free(back);
	if (o->output != NULL) {
		if ((*pretty = json_dumps(tree, JSON_INDENT(2))) == NULL)
			goto fail_tree;
		len = strlen(*pretty);
		*pretty = xreallocarray(*pretty, len + 2, 1);
		memcpy(*pretty + len, "\n", 2);
	}
	if ((o->db != NULL || o->push != NULL) &&
	    (*compact = json_dumps(tree, JSON_COMPACT)) == NULL)
		goto fail_tree;
	json_decref(tree);
	if ((*pretty != NULL && strlen(*pretty) > INV_MAX_DOCUMENT) ||
	    (*compact != NULL && strlen(*compact) > INV_MAX_DOCUMENT)) {
		snprintf(err, errlen, "refusing to emit an invalid inventory: "
		    "(document): larger than %u bytes", INV_MAX_DOCUMENT);
		goto out;
	}
	return (0);

fail_tree:
	json_decref(tree);
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
		    pq_load_error() != NULL ? pq_load_error() :
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
