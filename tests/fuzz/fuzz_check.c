/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_check.c -- libFuzzer target for POST /v1/check bodies against a
 * small fleet (the engine fixtures, tests/unit/data/engine/).
 *
 * The engine answers in three forms: the whole answer and its
 * compatible-only form (compat_check_text, POST /v1/check and the
 * destinations of a VM) and the bare result for one destination
 * (compat_check_one_text, the GET form). For any body every form must be
 * JSON, refuse alike, and agree: the compatible-only results are the
 * whole answer's compatible ones in order, the one destination's result
 * is the whole answer's. Anything else, or a sanitizer report, is a bug.
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

/* One answer form, parsed; abort() when its text is not JSON. */
static json_t *
form(const json_t *request, int which, struct compat_status *st)
{
	struct compat_config	 cfg = { NULL, now, STALE };
	json_t			*parsed;
	char			*text;
	size_t			 len;

	text = which == 2 ? compat_check_one_text(fleet, &cfg, request, &len,
	    st) : compat_check_text(fleet, &cfg, request, which == 1, &len,
	    st);
	if (text == NULL)
		return (NULL);
	if ((parsed = json_loadb(text, len, 0, NULL)) == NULL) {
		fprintf(stderr, "form %d is not JSON:\n%.*s\n", which,
		    (int)len, text);
		abort();
	}
	free(text);
	return (parsed);
}

static void
disagree(const char *what, const json_t *a, const json_t *b)
{
	char	*sa = a != NULL ? json_dumps(a, JSON_SORT_KEYS) : NULL;
	char	*sb = b != NULL ? json_dumps(b, JSON_SORT_KEYS) : NULL;

	fprintf(stderr, "forms disagree on %s:\n%s\n%s\n", what,
	    sa != NULL ? sa : "(refused)", sb != NULL ? sb : "(refused)");
	abort();
}

/*
 * The answer forms, compared; abort() on a difference: the whole answer,
 * its compatible-only form (the same results less the others, in the
 * same order), and for one destination the bare result of the GET form.
 */
static void
compare(const json_t *request)
{
	struct compat_status	 st1, st2, st3;
	json_t			*all, *comp, *one, *kept, *r;
	const json_t		*dests;
	size_t			 i;

	all = form(request, 0, &st1);
	comp = form(request, 1, &st2);
	if ((all == NULL) != (comp == NULL) || st1.error != st2.error ||
	    strcmp(st1.field, st2.field) != 0)
		disagree("refusal", all, comp);
	if (all != NULL) {
		kept = json_array();
		json_array_foreach(json_object_get(all, "results"), i, r)
			if (strcmp(json_string_value(json_object_get(r,
			    "verdict")), "compatible") == 0)
				json_array_append(kept, r);
		if (!json_equal(kept, json_object_get(comp, "results")))
			disagree("compatible results", kept, comp);
		json_decref(kept);
	}
	dests = json_is_object(request) ? json_object_get(request,
	    "destinations") : NULL;
	if (all != NULL && json_is_array(dests) && json_array_size(dests) == 1) {
		one = form(request, 2, &st3);
		if (one == NULL || st3.error != st1.error || !json_equal(one,
		    json_array_get(json_object_get(all, "results"), 0)))
			disagree("the one destination", all, one);
		json_decref(one);
	}
	json_decref(all);
	json_decref(comp);
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
	if (!json_depth_exceeds(request, 16))
		compare(request);
	json_decref(request);
	return (0);
}
