/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonout.h -- compact JSON text from a jansson value, fast.
 *
 * Check answers against a large fleet run to megabytes; jansson's own
 * dumper formats every token through a callback and snprintf. This one
 * writes into one growing buffer with copy runs for plain string bytes.
 * Output is what json_dumps(JSON_COMPACT) gives: keys in insertion
 * order, UTF-8 passed through, control characters escaped.
 */
#ifndef VC_JSONOUT_H
#define VC_JSONOUT_H

#include <stddef.h>

#include <jansson.h>

/* malloc'd, NUL-terminated; *lenp gets the length. */
char	*json_out(const json_t *, size_t *lenp);

#endif
