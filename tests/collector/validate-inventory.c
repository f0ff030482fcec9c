/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate-inventory.c -- run a document through the codec: exit 0 if
 * inventory_parse accepts it, else print the field and reason, exit 1.
 *
 * With --jansson, the text must also be byte for byte jansson's print
 * of the inventory it holds, json_dumps(inventory_to_json(inv)): with
 * JSON_INDENT(2) when it starts "{\n" (what the collector prints for
 * people), else JSON_COMPACT; one final newline may follow either. The
 * collector prints without jansson (collector/emit.c), so this holds it
 * to the layout its documents always had.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec/inventory_json.h"
#include "model/inventory.h"

#define MAX_INPUT	(INV_MAX_DOCUMENT + 1)

static int	 same_as_jansson(const struct inventory *, const char *,
		    size_t);

static int
same_as_jansson(const struct inventory *inv, const char *buf, size_t len)
{
	json_t	*tree;
	char	*want;
	size_t	 wlen, i;
	int	 pretty = len > 1 && buf[1] == '\n', rc = -1;

	if ((tree = inventory_to_json(inv)) == NULL)
		return (-1);
	want = json_dumps(tree, pretty ? JSON_INDENT(2) : JSON_COMPACT);
	json_decref(tree);
	if (want == NULL)
		return (-1);
	wlen = strlen(want);
	if ((len == wlen || (len == wlen + 1 && buf[wlen] == '\n')) &&
	    memcmp(buf, want, wlen) == 0)
		rc = 0;
	else {
		for (i = 0; i < len && i < wlen && buf[i] == want[i]; i++)
			;
		fprintf(stderr, "not as jansson prints it (%s): first "
		    "difference at byte %zu of %zu (jansson: %zu)\n",
		    pretty ? "JSON_INDENT(2)" : "JSON_COMPACT", i, len, wlen);
	}
	free(want);
	return (rc);
}

int
main(int argc, char **argv)
{
	struct inventory	*inv;
	struct inv_error	 err;
	FILE			*f = stdin;
	char			*buf;
	size_t			 len;
	int			 jansson = 0, rc = 0;

	if (argc > 1 && strcmp(argv[1], "--jansson") == 0) {
		jansson = 1;
		argc--;
		argv++;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: validate-inventory [--jansson] "
		    "[FILE]\n");
		return (2);
	}
	if (argc == 2 && (f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return (2);
	}
	if ((buf = malloc(MAX_INPUT)) == NULL)
		return (2);
	len = fread(buf, 1, MAX_INPUT, f);
	if ((inv = inventory_parse(buf, len, NULL, &err)) == NULL) {
		fprintf(stderr, "invalid: %s: %s\n", err.field, err.message);
		free(buf);
		return (1);
	}
	if (jansson && same_as_jansson(inv, buf, len) == -1)
		rc = 1;
	inventory_free(inv);
	free(buf);
	return (rc);
}
