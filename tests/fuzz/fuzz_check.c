/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_check.c -- libFuzzer target for POST /v1/check bodies against a
 * small fleet (the engine fixtures, tests/unit/data/engine/).
 *
 * The engine answers in two forms written by different code: a jansson
 * tree (compat_check) and text written directly (compat_check_text,
 * what the server sends). For any body both must refuse it alike or
 * answer the same document, and the compatible-only text must be the
 * tree with compat_filter_compatible() applied. Anything else, or a
 * sanitizer report, is a bug.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "engine/compat.h"
#include "fleet/fleet.h"
#include "model/inventory.h"
#include "codec/inventory_json.h"
#include "util/file.h"

#define STALE	300

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct fleet	*fleet;
static int64_t		 now;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char		*dir = getenv("VC_FUZZ_FLEET");
	struct dirent		*e;
	struct inv_error	 err;
	struct inventory	*inv;
	DIR			*d;
	char			 path[4096], *buf;
	size_t			 len, n = 0;

	if (dir == NULL || (d = opendir(dir)) == NULL) {
		fprintf(stderr, "fuzz_check: VC_FUZZ_FLEET must name the "
		    "fixture directory\n");
		exit(2);
	}
	now = (int64_t)time(NULL);
	fleet = fleet_new();
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((buf = file_read(path, INV_MAX_DOCUMENT, &len)) == NULL)
			exit(2);
		inv = inventory_parse(buf, len, fleet_pool(fleet), &err);
		free(buf);
		if (inv == NULL) {
			fprintf(stderr, "%s: %s: %s\n", path, err.field,
			    err.message);
			exit(2);
		}
		inventory_sort(inv);
		/* One stale host, so both forms meet HOST_STALE too. */
		fleet_put(fleet, inv, now - (n++ == 3 ? 2 * STALE : 10), 1);
	}
	closedir(d);
	return (0);
}

/* The two forms, compared; abort() on a difference. */
static void
compare(const json_t *request, bool compatible_only)
{
	struct compat_config	 cfg = { NULL, now, STALE };
	struct compat_status	 st1, st2;
	json_t			*tree, *parsed;
	char			*text;
	size_t			 len;

	tree = compat_check(fleet, &cfg, request, &st1);
	text = compat_check_text(fleet, &cfg, request, compatible_only, &len,
	    &st2);
	if ((tree == NULL) != (text == NULL) ||
	    st1.http_status != st2.http_status ||
	    strcmp(st1.code, st2.code) != 0 ||
	    strcmp(st1.field, st2.field) != 0) {
		fprintf(stderr, "forms disagree: tree %s (%d %s %s), text %s "
		    "(%d %s %s)\n", tree != NULL ? "answered" : "refused",
		    st1.http_status, st1.code, st1.field, text != NULL ?
		    "answered" : "refused", st2.http_status, st2.code,
		    st2.field);
		abort();
	}
	if (tree != NULL) {
		if (compatible_only)
			compat_filter_compatible(tree);
		if ((parsed = json_loadb(text, len, 0, NULL)) == NULL) {
			fprintf(stderr, "the text form is not JSON:\n%.*s\n",
			    (int)len, text);
			abort();
		}
		if (!json_equal(tree, parsed)) {
			char	*t = json_dumps(tree, JSON_SORT_KEYS);

			fprintf(stderr, "forms differ:\ntree %s\ntext %.*s\n",
			    t, (int)len, text);
			abort();
		}
		json_decref(parsed);
	}
	json_decref(tree);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t	*request;

	/* What the server hands the engine: one JSON value, depth-checked
	 * (http_body_json). */
	request = json_loadb((const char *)data, size,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (request == NULL)
		return (0);
	if (!json_depth_exceeds(request, 16)) {
		compare(request, false);
		compare(request, true);
	}
	json_decref(request);
	return (0);
}
