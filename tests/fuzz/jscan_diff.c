/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jscan_diff.c -- lib/codec/jscan.c and jansson on the same text: same
 * verdict, and when both accept, the same values value by value.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec/inventory_json.h"
#include "codec/jscan.h"
#include "jscan_diff.h"
#include "model/inventory.h"

static int	same(const struct jscan *, uint32_t, const json_t *);

/* Value i of js and v are equal, children included, in order. */
static int
same(const struct jscan *js, uint32_t i, const json_t *v)
{
	const struct jv	*x = &js->v[i];
	const char	*key;
	json_t		*m;
	uint32_t	 k, n;
	size_t		 idx;

	switch (x->type) {
	case JV_NULL:
		return (json_is_null(v) ? 0 : -1);
	case JV_TRUE:
		return (json_is_true(v) ? 0 : -1);
	case JV_FALSE:
		return (json_is_false(v) ? 0 : -1);
	case JV_INT:
		return (json_is_integer(v) && json_integer_value(v) == x->i ?
		    0 : -1);
	case JV_REAL:
		return (json_is_real(v) ? 0 : -1);
	case JV_STRING:
		return (json_is_string(v) && json_string_length(v) == x->n &&
		    memcmp(json_string_value(v), x->s, x->n) == 0 &&
		    x->s[x->n] == '\0' ? 0 : -1);
	case JV_ARRAY:
		if (!json_is_array(v) || json_array_size(v) != x->n)
			return (-1);
		for (n = 0, k = i + 1; n < x->n; n++, k = js->v[k].end)
			if (same(js, k, json_array_get(v, n)) == -1)
				return (-1);
		return (k == x->end ? 0 : -1);
	case JV_OBJECT:
		if (!json_is_object(v) || json_object_size(v) != x->n)
			return (-1);
		/* jansson iterates in insertion order, the text's. */
		k = i + 1;
		idx = 0;
		json_object_foreach((json_t *)v, key, m) {
			if (strcmp(key, js->v[k].s) != 0 ||
			    same(js, k + 1, m) == -1)
				return (-1);
			k = js->v[k + 1].end;
			idx++;
		}
		return (k == x->end && idx == x->n ? 0 : -1);
	}
	return (-1);
}

int
jscan_diff(const char *buf, size_t len)
{
	struct jscan	 js;
	json_error_t	 jerr;
	json_t		*root;
	char		*copy;
	bool		 ja, sa;
	int		 rv = 0;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	ja = root != NULL && !json_depth_exceeds(root, INV_MAX_DEPTH);
	copy = malloc(len + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, buf, len);
	copy[len] = '\0';
	sa = jscan_parse(&js, copy, len, INV_MAX_DEPTH) == 0;
	if (ja != sa) {
		fprintf(stderr, "jscan_diff: jansson %s (%s), jscan %s (%s) "
		    "on %zu bytes: %.*s\n", ja ? "accepts" : "refuses",
		    root == NULL ? jerr.text : "depth", sa ? "accepts" :
		    "refuses", sa ? "" : js.error, len, len > 200 ? 200 :
		    (int)len, buf);
		rv = -1;
	} else if (ja && (same(&js, 0, root) == -1 || js.v[0].end != js.nv)) {
		fprintf(stderr, "jscan_diff: values differ on %.*s\n",
		    len > 200 ? 200 : (int)len, buf);
		rv = -1;
	}
	jscan_free(&js);
	free(copy);
	json_decref(root);
	return (rv);
}
