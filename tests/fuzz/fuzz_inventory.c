/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_inventory.c -- libFuzzer target for the inventory codec.
 *
 * Any byte string must either be rejected with a field and a message, or
 * be accepted and then print to a document that parses back and prints
 * to the same bytes. The server feeds untrusted PUT bodies straight into
 * this parser, so it is the first thing worth fuzzing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inv_error	 err;
	struct inventory	*inv, *again;
	char			*out, *out2;

	memset(&err, 0, sizeof(err));
	inv = inventory_parse((const char *)data, size, NULL, &err);
	if (inv == NULL) {
		if (err.field[0] == '\0' || err.message[0] == '\0')
			abort();
		return (0);
	}
	inventory_sort(inv);
	out = inventory_dump(inv, false);
	again = inventory_parse(out, strlen(out), NULL, &err);
	if (again == NULL)
		abort();
	out2 = inventory_dump(again, false);
	if (strcmp(out, out2) != 0)
		abort();
	free(out);
	free(out2);
	inventory_free(inv);
	inventory_free(again);
	return (0);
}
