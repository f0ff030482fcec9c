/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonout.c -- compact JSON text from a jansson value (see jsonout.h).
 *
 * Values nest as deep as the code that built them, which is shallow:
 * answers are built by this program, requests are depth-checked before
 * they could be echoed. The buffer doubles as needed; xmalloc aborts on
 * exhaustion like every other allocation here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "util/xmalloc.h"

struct out {
	char	*buf;
	size_t	 len, cap;
};

static void	reserve(struct out *, size_t);
static void	put(struct out *, const char *, size_t);
static void	put_string(struct out *, const char *, size_t);
static void	put_integer(struct out *, json_int_t);
static void	put_real(struct out *, double);
static void	put_value(struct out *, const json_t *);

static const char hexdigits[] = "0123456789abcdef";

static void
reserve(struct out *o, size_t n)
{
	if (o->cap - o->len >= n)
		return;
	while (o->cap - o->len < n)
		o->cap *= 2;
	o->buf = xreallocarray(o->buf, o->cap, 1);
}

static void
put(struct out *o, const char *s, size_t n)
{
	reserve(o, n);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
put_string(struct out *o, const char *s, size_t n)
{
	size_t		 i, run = 0;
	unsigned char	 c;
	char		 esc[6];

	reserve(o, n + 2);
	o->buf[o->len++] = '"';
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(o, s + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			put(o, esc, 2);
			break;
		case '\b':
			put(o, "\\b", 2);
			break;
		case '\f':
			put(o, "\\f", 2);
			break;
		case '\n':
			put(o, "\\n", 2);
			break;
		case '\r':
			put(o, "\\r", 2);
			break;
		case '\t':
			put(o, "\\t", 2);
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hexdigits[c >> 4];
			esc[5] = hexdigits[c & 0xf];
			put(o, esc, 6);
			break;
		}
	}
	put(o, s + run, n - run);
	put(o, "\"", 1);
}

static void
put_integer(struct out *o, json_int_t v)
{
	char			 tmp[24];
	size_t			 i = sizeof(tmp);
	unsigned long long	 u;

	u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		tmp[--i] = '-';
	put(o, tmp + i, sizeof(tmp) - i);
}

static void
put_real(struct out *o, double d)
{
	char	 tmp[40];
	int	 n;

	if (!isfinite(d)) {
		put(o, "null", 4);
		return;
	}
	n = snprintf(tmp, sizeof(tmp) - 2, "%.17g", d);
	if (n < 0 || (size_t)n >= sizeof(tmp) - 2)
		n = 0;
	if (strpbrk(tmp, ".eE") == NULL) {
		memcpy(tmp + n, ".0", 2);
		n += 2;
	}
	put(o, tmp, n);
}

static void
put_value(struct out *o, const json_t *v)
{
	const char	*key;
	const json_t	*item;
	size_t		 i, first;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put(o, "{", 1);
		first = 1;
		json_object_foreach((json_t *)v, key, item) {
			if (!first)
				put(o, ",", 1);
			first = 0;
			put_string(o, key, strlen(key));
			put(o, ":", 1);
			put_value(o, item);
		}
		put(o, "}", 1);
		break;
	case JSON_ARRAY:
		put(o, "[", 1);
		json_array_foreach(v, i, item) {
			if (i > 0)
				put(o, ",", 1);
			put_value(o, item);
		}
		put(o, "]", 1);
		break;
	case JSON_STRING:
		put_string(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		put_integer(o, json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(o, json_real_value(v));
		break;
	case JSON_TRUE:
		put(o, "true", 4);
		break;
	case JSON_FALSE:
		put(o, "false", 5);
		break;
	case JSON_NULL:
		put(o, "null", 4);
		break;
	}
}

char *
json_out(const json_t *v, size_t *lenp)
{
	struct out	 o;

	o.cap = 4096;
	o.len = 0;
	o.buf = xmalloc(o.cap);
	put_value(&o, v);
	reserve(&o, 1);
	o.buf[o.len] = '\0';
	*lenp = o.len;
	return (o.buf);
}
