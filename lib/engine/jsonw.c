/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonw.c -- append-only JSON text writer for large answers.
 *
 * A check against ten thousand hosts answers with megabytes of JSON.
 * Building that as a jansson tree costs tens of thousands of small
 * allocations and a second pass to print it; writing the text straight
 * into one growing buffer (util/buf.h) costs neither. The writer knows nothing about
 * structure: callers emit punctuation themselves, which is easy for the
 * fixed shapes of the check answer and keeps this file tiny. Strings are
 * escaped as RFC 8259 requires; everything else is the caller's text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compat_int.h"
#include "util/xmalloc.h"

void
jw_raw(struct buf *w, const char *s, size_t n)
{
	buf_add(w, s, n);
}

void
jw_str(struct buf *w, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, i, run;

	if (s == NULL) {
		jw_lit(w, "null");
		return;
	}
	n = strlen(s);
	/* Worst case every byte becomes \u00XX. */
	buf_reserve(w, 6 * n + 2);
	w->data[w->len++] = '"';
	for (i = 0; i < n; i++) {
		/* Copy runs that need no escaping in one go. */
		for (run = i; i < n && p[i] >= 0x20 && p[i] != '"' &&
		    p[i] != '\\'; i++)
			;
		memcpy(w->data + w->len, p + run, i - run);
		w->len += i - run;
		if (i == n)
			break;
		if (p[i] == '"' || p[i] == '\\') {
			w->data[w->len++] = '\\';
			w->data[w->len++] = (char)p[i];
		} else {
			memcpy(w->data + w->len, "\\u00", 4);
			w->len += 4;
			w->data[w->len++] = hex[p[i] >> 4];
			w->data[w->len++] = hex[p[i] & 0xf];
		}
	}
	w->data[w->len++] = '"';
	w->data[w->len] = '\0';
}

void
jw_int(struct buf *w, int64_t v)
{
	char		 tmp[24], *p = tmp + sizeof(tmp);
	uint64_t	 u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	/* Two per host in a fleet's answer: no snprintf. */
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	jw_raw(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
jw_json(struct buf *w, const json_t *v)
{
	char	*s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL) {
		jw_lit(w, "null");
		return;
	}
	jw_raw(w, s, strlen(s));
	free(s);
}
