/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate-inventory.c -- run a document through the codec: exit 0 if
 * inventory_parse accepts it, else print the field and reason, exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"

#define MAX_INPUT	(INV_MAX_DOCUMENT + 1)

int
main(int argc, char **argv)
{
	struct inventory	*inv;
	struct inv_error	 err;
	FILE			*f = stdin;
	char			*buf;
	size_t			 len;

	if (argc > 2) {
		fprintf(stderr, "usage: validate-inventory [FILE]\n");
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
	inventory_free(inv);
	free(buf);
	return (0);
}
