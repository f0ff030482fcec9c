/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jscan.h -- a strict JSON reader into one flat array of values.
 *
 * The inventory codec reads a document once: this scanner checks the
 * text against RFC 8259 as jansson's json_loadb() with
 * JSON_REJECT_DUPLICATES and JSON_DECODE_ANY does (strict UTF-8, no
 * \u0000, valid surrogate pairs, no duplicate key in any object, 64-bit
 * integers, reals that do not overflow, nothing after the value) and
 * leaves the values in document order in one array, strings decoded in
 * place in the caller's buffer. No tree of allocations is built; the
 * schema walk (inventory_json.c) reads the array.
 *
 * A container is followed by its children: an array by its elements,
 * an object by key, value, key, value... Each value's end is the index
 * just past its subtree, so a walk skips a member in one step.
 */
#ifndef VC_JSCAN_H
#define VC_JSCAN_H

#include <stddef.h>
#include <stdint.h>

enum jv_type {
	JV_NULL,
	JV_FALSE,
	JV_TRUE,
	JV_INT,
	JV_REAL,
	JV_STRING,
	JV_ARRAY,
	JV_OBJECT
};

#define JV_NONE	UINT32_MAX	/* no such value */

struct jv {
	const char	*s;	/* JV_STRING: decoded, NUL-terminated */
	int64_t		 i;	/* JV_INT: the value; an object key: a hash */
	uint32_t	 n;	/* string bytes, array elements, object members */
	uint32_t	 end;	/* index past this value's subtree */
	uint8_t		 type;	/* enum jv_type */
	/* JV_STRING without escapes or DEL: no control character at all,
	 * so str_is_clean_utf8() holds (the scan checked the UTF-8). */
	uint8_t		 plain;
};

struct jscan {
	struct jv	*v;		/* v[0] is the document's value */
	size_t		 nv, cap;
	uint32_t	*slots;		/* scratch of the duplicate check */
	size_t		 slots_cap;
	/* Set when jscan_parse() fails. */
	int		 line, column;
	char		 error[128];
};

/*
 * Scan buf[0..len), which must be writable and have buf[len] == '\0'
 * (strings are decoded into it). Containers nested deeper than
 * maxdepth are refused. 0 on success; -1 with line, column (1-based)
 * and error set. Either way jscan_free() releases the array.
 */
int		 jscan_parse(struct jscan *, char *buf, size_t len,
		    int maxdepth);
void		 jscan_free(struct jscan *);
/* The value of member key of object obj, or JV_NONE. */
uint32_t	 jscan_get(const struct jscan *, uint32_t obj, const char *key);

#endif
