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
 * is the whole answer's. A request the GET form's parts can state
 * (compat_check_one) must be answered or refused by the parts exactly as
 * by its JSON. Anything else, or a sanitizer report, is a bug.
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
	struct compat_config	 cfg = { NULL, now, STALE, 1 };
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

/* A string member as a C string: absent is NULL; -1 when it is there
 * but no string the parts can carry (not a string, or a NUL inside). */
static int
part(const json_t *obj, const char *key, const char **out)
{
	const json_t	*v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return (0);
	if (json_is_array(v) && json_array_size(v) == 1)
		v = json_array_get(v, 0);
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return (-1);
	*out = json_string_value(v);
	return (0);
}

/* The request in the GET form's parts, when they can state it. */
static int
parts(const json_t *request, struct compat_one *q)
{
	const json_t	*src, *v;
	const char	*key;

	if (!json_is_object(request) ||
	    !json_is_object(src = json_object_get(request, "source")))
		return (-1);
	json_object_foreach((json_t *)request, key, v)
		if (strcmp(key, "mode") != 0 && strcmp(key, "source") != 0 &&
		    strcmp(key, "destinations") != 0)
			return (-1);
	json_object_foreach((json_t *)src, key, v)
		if (strcmp(key, "host") != 0 && strcmp(key, "vm") != 0 &&
		    strcmp(key, "devices") != 0)
			return (-1);
	if (json_is_array(json_object_get(request, "mode")) ||
	    json_is_array(json_object_get(src, "host")) ||
	    json_is_array(json_object_get(src, "vm")) ||
	    (json_object_get(src, "devices") != NULL &&
	    !json_is_array(json_object_get(src, "devices"))) ||
	    (json_object_get(request, "destinations") != NULL &&
	    !json_is_array(json_object_get(request, "destinations"))))
		return (-1);
	if (part(request, "mode", &q->mode) == -1 ||
	    part(src, "host", &q->host) == -1 ||
	    part(src, "devices", &q->device) == -1 ||
	    part(src, "vm", &q->vm) == -1 ||
	    part(request, "destinations", &q->destination) == -1)
		return (-1);
	return (0);
}

/* The parts and the JSON of one request: the same text, the same
 * status. */
static void
compare_parts(const json_t *request)
{
	struct compat_config	 cfg = { NULL, now, STALE, 1 };
	struct compat_status	 st1, st2;
	struct compat_one	 q;
	char			*t1, *t2;
	size_t			 l1, l2;

	if (parts(request, &q) == -1)
		return;
	t1 = compat_check_one_text(fleet, &cfg, request, &l1, &st1);
	t2 = compat_check_one(fleet, &cfg, &q, &l2, &st2);
	if ((t1 == NULL) != (t2 == NULL) || (t1 != NULL && (l1 != l2 ||
	    strcmp(t1, t2) != 0)) || st1.error != st2.error ||
	    strcmp(st1.field, st2.field) != 0 ||
	    strcmp(st1.message, st2.message) != 0) {
		fprintf(stderr, "the parts disagree with the JSON:\n%s\n%s\n"
		    "%s %s / %s %s\n", t1 != NULL ? t1 : "(refused)",
		    t2 != NULL ? t2 : "(refused)", st1.field, st1.message,
		    st2.field, st2.message);
		abort();
	}
	free(t1);
	free(t2);
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
	compare_parts(request);
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
