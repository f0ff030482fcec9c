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
#include "codec/inventory_text.h"
#include "model/inventory.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include "collector.h"

static int	 render(const struct inventory *,
		    const struct collect_options *, char **, char **, char *,
		    size_t);
static int	 json_punct(char);
static void	 newline_indent(struct buf *, size_t);
static char	*indent_json(const char *, size_t);
static int	 write_atomic(const char *, const char *, char *, size_t);
static int	 write_in_place(const char *, const char *, char *, size_t);
static int	 store_inventory(const char *, const struct inventory *,
		    char *, size_t);

/*
 * Print the document (pretty for people, compact for the store and the
 * server) and prove the codec accepts it. What the server runs on the
 * text, inventory_parse, is the size cap, json_loadb, and
 * inventory_from_json on the tree json_loadb built. Here the tree is
 * inventory_to_json's of the inventory, which json_loadb would give back
 * from its print as it is (a json_t holds no duplicate key, no NUL, no
 * invalid UTF-8), so the cap on each text and the check of that tree
 * are the whole proof; tokenising the text again was a third of the
 * collector's user time on the bench host.
 *
 * The texts are not jansson's print of that tree but the same bytes
 * made faster: the codec's inventory_print, byte for byte
 * json_dumps(tree, JSON_COMPACT) (tests/unit/test_inventory.c), and for
 * people that text laid out as JSON_INDENT(2) lays it out
 * (indent_json; tests/collector/common.inc as_jansson_prints compares
 * every document the collector tests print). jansson's own pretty print
 * was 40 % of this function's time.
 */
static int
render(const struct inventory *inv, const struct collect_options *o,
    char **pretty, char **compact, char *err, size_t errlen)
{
	struct inventory	*back;
	struct inv_error	 ie;
	struct buf		 b;
	json_t			*tree;
	size_t			 len, cut, cut_end;

	*pretty = *compact = NULL;
	if (o->output == NULL && o->db == NULL && o->push == NULL)
		return (0);
	if ((tree = inventory_to_json(inv)) == NULL) {
		snprintf(err, errlen, "cannot print the inventory");
		return (-1);
	}
	back = inventory_from_json(tree, NULL, &ie);
	json_decref(tree);
	if (back == NULL) {
		snprintf(err, errlen, "refusing to emit an invalid inventory: "
		    "%s: %s", ie.field, ie.message);
		return (-1);
	}
	inventory_free(back);
	memset(&b, 0, sizeof(b));
	inventory_print(inv, &b, &cut, &cut_end);
	if (o->output != NULL) {
		*pretty = indent_json(b.data, b.len);
		len = strlen(*pretty);
		*pretty = xreallocarray(*pretty, len + 2, 1);
		memcpy(*pretty + len, "\n", 2);
	}
	if (o->db != NULL || o->push != NULL)
		*compact = buf_release(&b, NULL);
	buf_free(&b);
	if ((*pretty != NULL && strlen(*pretty) > INV_MAX_DOCUMENT) ||
	    (*compact != NULL && strlen(*compact) > INV_MAX_DOCUMENT)) {
		snprintf(err, errlen, "refusing to emit an invalid inventory: "
		    "(document): larger than %u bytes", INV_MAX_DOCUMENT);
		free(*pretty);
		free(*compact);
		*pretty = *compact = NULL;
		return (-1);
	}
	return (0);
}

/* What starts or ends a token of compact JSON other than a literal. */
static int
json_punct(char c)
{
	return (c == '"' || c == '{' || c == '}' || c == '[' || c == ']' ||
	    c == ',' || c == ':');
}

/* A line break and two spaces a level, as JSON_INDENT(2) writes them. */
static void
newline_indent(struct buf *out, size_t depth)
{
	static const char	 spaces[] = "\n                                ";
	size_t			 n = 2 * depth, k;

	buf_add(out, spaces, 1);
	while (n > 0) {
		k = n < sizeof(spaces) - 2 ? n : sizeof(spaces) - 2;
		buf_add(out, spaces + 1, k);
		n -= k;
	}
}

/*
 * Compact JSON text as jansson prints it (no white space outside
 * strings) laid out as json_dumps(..., JSON_INDENT(2)) lays out the same
 * value: each member and element on a line of its own, indented two
 * spaces a level, ": " after a key, "{}" and "[]" when empty. Strings
 * are copied as they are: jansson escapes them alike either way.
 */
static char *
indent_json(const char *s, size_t len)
{
	struct buf	 out;
	size_t		 i = 0, run, depth = 0;

	memset(&out, 0, sizeof(out));
	buf_reserve(&out, len + len / 2);
	while (i < len) {
		switch (s[i]) {
		case '"':
			/* To the closing quote, over escaped characters. */
			for (run = i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\' && i + 1 < len)
					i++;
			i = i < len ? i + 1 : len;
			buf_add(&out, s + run, i - run);
			break;
		case '{':
		case '[':
			if (i + 1 < len && s[i + 1] == (s[i] == '{' ? '}' :
			    ']')) {
				buf_add(&out, s + i, 2);
				i += 2;
				break;
			}
			buf_add(&out, s + i++, 1);
			newline_indent(&out, ++depth);
			break;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			newline_indent(&out, depth);
			buf_add(&out, s + i++, 1);
			break;
		case ',':
			buf_add(&out, s + i++, 1);
			newline_indent(&out, depth);
			break;
		case ':':
			buf_add(&out, ": ", 2);
			i++;
			break;
		default:
			/* A number or a literal, up to what ends it (at
			 * least this byte: it is none of the above). */
			for (run = i++; i < len && !json_punct(s[i]); i++)
				;
			buf_add(&out, s + run, i - run);
			break;
		}
	}
	return (buf_release(&out, NULL));
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
		    sqlite_load_error() != NULL ? sqlite_load_error() :
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
