/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_jscan.c -- libFuzzer target: jscan.c against jansson.
 *
 * The inventory codec once read every body with json_loadb() and now
 * scans it with jscan.c; the two must refuse the same texts, or a body
 * the server took before would be refused now (or worse, the reverse).
 * Any byte string must be accepted by both (json_loadb with
 * JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, nesting within
 * INV_MAX_DEPTH) with the same values, or refused by both.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jscan_diff.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (jscan_diff((const char *)data, size) != 0)
		abort();
	return (0);
}
