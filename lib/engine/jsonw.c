/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonw.c -- append-only JSON text writer for large answers.
 *
 * A check against ten thousand hosts answers with megabytes of JSON.
 * Building that as a jansson tree costs tens of thousands of small
 * allocations and a second pass to print it; writing the text straight
 * into one growing buffer costs neither. The writer knows nothing about
 * structure: callers emit punctuation themselves, which is easy for the
 * fixed shapes of the check answer and keeps this file tiny. Strings are
 * escaped as RFC 8259 requires; everything else is the caller's text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compat_int.h"
#include "util/xmalloc.h"

static void	 jw_reserve(struct jsonw *, size_t);

static void
jw_reserve(struct jsonw *w, size_t n)
{
	size_t	 cap;

	if (w->len + n + 1 <= w->cap)
		return;
	cap = w->cap < 4096 ? 4096 : w->cap;
	while (cap < w->len + n + 1)
		cap *= 2;
	w->buf = xreallocarray(w->buf, cap, 1);
	w->cap = cap;
}

void
jw_raw(struct jsonw *w, const char *s, size_t n)
{
	jw_reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void
jw_str(struct jsonw *w, const char *s)
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
	jw_reserve(w, 6 * n + 2);
	w->buf[w->len++] = '"';
	for (i = 0; i < n; i++) {
		/* Copy runs that need no escaping in one go. */
		for (run = i; i < n && p[i] >= 0x20 && p[i] != '"' &&
		    p[i] != '\\'; i++)
			;
		memcpy(w->buf + w->len, p + run, i - run);
		w->len += i - run;
		if (i == n)
			break;
		if (p[i] == '"' || p[i] == '\\') {
			w->buf[w->len++] = '\\';
			w->buf[w->len++] = (char)p[i];
		} else {
			memcpy(w->buf + w->len, "\\u00", 4);
			w->len += 4;
			w->buf[w->len++] = hex[p[i] >> 4];
			w->buf[w->len++] = hex[p[i] & 0xf];
		}
	}
	w->buf[w->len++] = '"';
	w->buf[w->len] = '\0';
}

void
jw_int(struct jsonw *w, int64_t v)
{
	char	 tmp[24];
	int	 n;

	n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	jw_raw(w, tmp, (size_t)n);
}

void
jw_json(struct jsonw *w, const json_t *v)
{
	char	*s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL) {
		jw_lit(w, "null");
		return;
	}
	jw_raw(w, s, strlen(s));
	free(s);
}
