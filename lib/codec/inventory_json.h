/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inventory_json.h -- the jansson side of the inventory codec.
 *
 * lib/codec/ owns the document's JSON form: parsing with validation,
 * printing, the digest. It may use lib/model/ and lib/util/.
 *
 * inventory.h offers text in and text out; this header is for code that
 * already holds jansson values (the server's request bodies, the
 * engine's spelled-out descriptors) and wants the same validation.
 */
#ifndef VC_INVENTORY_JSON_H
#define VC_INVENTORY_JSON_H

#include <stdbool.h>

#include <jansson.h>

#include "model/inventory.h"

struct inventory	*inventory_from_json(const json_t *, struct strpool *,
			    struct inv_error *);
/*
 * inventory_parse() that also tells why a text was refused: *not_json
 * true when it is not JSON as json_loadb() with JSON_REJECT_DUPLICATES
 * | JSON_DECODE_ANY reads it, nests deeper than INV_MAX_DEPTH or is
 * larger than INV_MAX_DOCUMENT (the server's INVALID_JSON), false when
 * it is JSON but not a valid document (VALIDATION_FAILED). err->message
 * of the first kind says where: "invalid JSON at line L column C: ...".
 */
struct inventory	*inventory_read(const char *, size_t, struct strpool *,
			    bool *not_json, struct inv_error *);
/* inventory_read() of a text the caller gives up, without a copy:
 * text[len] must be '\0', and the text is decoded in place (its
 * strings are rewritten; it is no longer the document). */
struct inventory	*inventory_read_inplace(char *text, size_t len,
			    struct strpool *, bool *not_json,
			    struct inv_error *);
json_t			*inventory_to_json(const struct inventory *);

/* Parse one device entry (path names it in errors, e.g. "devices[3]"). */
int	inv_device_from_json(struct inventory *, const json_t *,
	    struct inv_device *, const char *path, struct inv_error *);
int	inv_type_from_json(struct inventory *, const json_t *,
	    struct inv_type *, const char *path, struct inv_error *);

/* Set an error; returns -1 so callers can "return inv_fail(...)". */
int	inv_fail(struct inv_error *, const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* obj must be an object whose keys are all in the NULL-terminated
 * allowed list; else -1 with err naming path.key (or path). */
int	json_check_keys(const json_t *obj, const char *path,
	    const char *const *allowed, struct inv_error *);
/* Deepest nesting of a value (scalars are 0). Iterative bound check. */
int	json_depth_exceeds(const json_t *, int max);

#endif
