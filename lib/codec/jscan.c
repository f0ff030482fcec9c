/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jscan.c -- a strict JSON reader into one flat array of values.
 *
 * One pass over the text, no recursion (an explicit stack, bounded by
 * maxdepth), one growing array. What it accepts is what json_loadb()
 * accepts with JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, so that the
 * inventory codec refuses exactly the bodies it refused when it read
 * them through jansson (tests/unit/test_jscan.c compares the two).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/jscan.h"
#include "util/xmalloc.h"

#define JSCAN_STACK	64	/* deepest maxdepth honoured */

/* Byte-parallel tests on a 64-bit word (Hacker's Delight 6-1): some
 * byte is zero; some byte is below n (n <= 0x80). */
#define ONES		0x0101010101010101ull
#define HIGHS		0x8080808080808080ull
#define HAS_ZERO(x)	(((x) - ONES) & ~(x) & HIGHS)
#define HAS_LESS(x, n)	(((x) - ONES * (n)) & ~(x) & HIGHS)

struct scan {
	struct jscan	*js;
	char		*buf;
	size_t		 len;
	size_t		 pos;
	size_t		 line_start;
	int		 line;
};

static int	 fail(struct scan *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static uint32_t	 push(struct scan *, enum jv_type);
static void	 skip_ws(struct scan *);
static int	 scan_string(struct scan *, uint32_t, bool);
static int	 scan_number(struct scan *);
static int	 scan_literal(struct scan *);
static int	 hex4(const char *, unsigned int *);
static size_t	 utf8_seq(const unsigned char *);
static void	 skip_peeked_nul(struct scan *);
static int	 check_dups(struct scan *, uint32_t);

static int
fail(struct scan *sc, const char *fmt, ...)
{
	va_list	 ap;

	sc->js->line = sc->line;
	sc->js->column = (int)(sc->pos - sc->line_start) + 1;
	va_start(ap, fmt);
	vsnprintf(sc->js->error, sizeof(sc->js->error), fmt, ap);
	va_end(ap);
	return (-1);
}

static uint32_t
push(struct scan *sc, enum jv_type type)
{
	struct jscan	*js = sc->js;
	struct jv	*v;

	if (js->nv == js->cap) {
		js->cap = js->cap < 64 ? 64 : js->cap * 2;
		js->v = xreallocarray(js->v, js->cap, sizeof(*js->v));
	}
	v = &js->v[js->nv];
	v->s = NULL;
	v->i = 0;
	v->n = 0;
	v->type = (uint8_t)type;
	v->plain = 0;
	v->end = (uint32_t)++js->nv;
	return ((uint32_t)(js->nv - 1));
}

/* The four whitespace bytes of RFC 8259; lines counted for errors. */
static void
skip_ws(struct scan *sc)
{
	const char	*b = sc->buf;
	size_t		 p = sc->pos;

	for (;;) {
		if (b[p] == ' ' || b[p] == '\t' || b[p] == '\r')
			p++;
		else if (b[p] == '\n') {
			sc->line++;
			sc->line_start = ++p;
		} else
			break;
	}
	sc->pos = p;
}

/*
 * json_loadb() looks at the byte after a number or a literal and puts
 * it back; a NUL put back is dropped by its stream (it reads a NUL in
 * its buffer as "refill"), so "2\0" and "[true\0]" are accepted. The
 * same texts are accepted here.
 */
static void
skip_peeked_nul(struct scan *sc)
{
	if (sc->pos < sc->len && sc->buf[sc->pos] == '\0')
		sc->pos++;
}

static int
hex4(const char *s, unsigned int *out)
{
	unsigned int	 v = 0;
	int		 i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return (-1);
		v = v << 4 | (unsigned int)c;
	}
	*out = v;
	return (0);
}

/*
 * Length of the well-formed UTF-8 sequence at p (its first byte is
 * 0x80 or more), or 0: no overlong forms, no surrogates, nothing past
 * U+10FFFF -- jansson's utf8_check_first/utf8_check_full.
 */
static size_t
utf8_seq(const unsigned char *p)
{
	size_t		 n, i;
	unsigned int	 cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return (0);
	for (i = 1; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return (0);
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return (0);
	return (n);
}

/*
 * The string at pos (its opening quote), decoded in place into t; an
 * object key (key) gets a hash for the duplicate check.
 */
static int
scan_string(struct scan *sc, uint32_t t, bool key)
{
	unsigned char	*b = (unsigned char *)sc->buf;
	size_t		 r = sc->pos + 1, w, start = r, n;
	unsigned int	 cp, lo;
	uint64_t	 h;
	bool		 plain = true;

	/* Most strings have nothing to decode: nothing moves until the
	 * first escape. Eight plain bytes at a time while they are there
	 * (a word without '"', '\\', a control byte, DEL or a non-ASCII
	 * byte), then byte by byte. */
	while (r + 8 <= sc->len) {
		uint64_t	 x;

		memcpy(&x, b + r, 8);
		if ((HAS_ZERO(x ^ (ONES * '"')) | HAS_ZERO(x ^ (ONES * '\\')) |
		    HAS_ZERO(x ^ (ONES * 0x7f)) | HAS_LESS(x, 0x20) |
		    (x & HIGHS)) != 0)
			break;
		r += 8;
	}
	for (;;) {
		unsigned char	 c = b[r];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			r++;
		else if (c >= 0x80 && (n = utf8_seq(b + r)) != 0)
			r += n;
		else
			break;
	}
	w = r;
	for (;;) {
		unsigned char	 c = b[r];

		if (c == '"')
			break;
		if (c >= 0x20 && c < 0x80 && c != '\\') {
			if (c == 0x7f)
				plain = false;
			b[w++] = c;
			r++;
			continue;
		}
		if (c >= 0x80) {
			if ((n = utf8_seq(b + r)) == 0) {
				sc->pos = r;
				return (fail(sc, "invalid UTF-8 byte 0x%02x",
				    c));
			}
			memmove(b + w, b + r, n);
			w += n;
			r += n;
			continue;
		}
		if (c != '\\') {
			sc->pos = r;
			return (fail(sc, c == '\0' ? "unterminated string" :
			    "control character 0x%x in a string", c));
		}
		sc->pos = r;
		plain = false;
		switch (b[r + 1]) {
		case '"': case '\\': case '/':
			b[w++] = b[r + 1];
			r += 2;
			continue;
		case 'b': b[w++] = '\b'; r += 2; continue;
		case 'f': b[w++] = '\f'; r += 2; continue;
		case 'n': b[w++] = '\n'; r += 2; continue;
		case 'r': b[w++] = '\r'; r += 2; continue;
		case 't': b[w++] = '\t'; r += 2; continue;
		case 'u':
			break;
		default:
			return (fail(sc, "invalid escape"));
		}
		if (hex4((char *)b + r + 2, &cp) == -1)
			return (fail(sc, "invalid \\u escape"));
		r += 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (b[r] != '\\' || b[r + 1] != 'u' ||
			    hex4((char *)b + r + 2, &lo) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return (fail(sc, "invalid Unicode '\\u%04X'",
				    cp));
			r += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp <= 0xdfff)
			return (fail(sc, "invalid Unicode '\\u%04X'", cp));
		if (cp == 0)
			return (fail(sc, "\\u0000 is not allowed"));
		if (cp < 0x80)
			b[w++] = (unsigned char)cp;
		else if (cp < 0x800) {
			b[w++] = (unsigned char)(0xc0 | cp >> 6);
			b[w++] = (unsigned char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			b[w++] = (unsigned char)(0xe0 | cp >> 12);
			b[w++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[w++] = (unsigned char)(0x80 | (cp & 0x3f));
		} else {
			b[w++] = (unsigned char)(0xf0 | cp >> 18);
			b[w++] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			b[w++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[w++] = (unsigned char)(0x80 | (cp & 0x3f));
		}
	}
	/* w <= r: the NUL lands at most on the closing quote. */
	b[w] = '\0';
	sc->js->v[t].s = (char *)b + start;
	sc->js->v[t].n = (uint32_t)(w - start);
	sc->js->v[t].plain = plain;
	if (key) {
		/* Equal keys hash equal; a collision only costs a strcmp.
		 * Length and the first and last (up to) 8 bytes. */
		uint64_t	 head = 0, tail = 0;

		n = w - start < 8 ? w - start : 8;
		memcpy(&head, b + start, n);
		memcpy(&tail, b + w - n, n);
		h = (head * 0x9e3779b97f4a7c15ull) ^ (tail *
		    0xc2b2ae3d27d4eb4full) ^ (uint64_t)(w - start);
		sc->js->v[t].i = (int64_t)(h ^ h >> 29);
	}
	sc->pos = r + 1;
	return (0);
}

/*
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?: without a fraction or
 * an exponent an integer that must fit int64_t, else a real that must
 * not overflow a double (jansson's two "too big" errors).
 */
static int
scan_number(struct scan *sc)
{
	const char	*b = sc->buf, *s = b + sc->pos;
	size_t		 p = sc->pos;
	bool		 neg = false, real = false;
	uint64_t	 u = 0, lim;
	uint32_t	 t;
	double		 d;

	if (b[p] == '-') {
		neg = true;
		p++;
	}
	if (b[p] == '0')
		p++;
	else if (b[p] >= '1' && b[p] <= '9') {
		while (b[p] >= '0' && b[p] <= '9')
			p++;
	} else
		return (fail(sc, "invalid number"));
	if (b[p] == '.') {
		real = true;
		if (b[++p] < '0' || b[p] > '9') {
			sc->pos = p;
			return (fail(sc, "invalid number"));
		}
		while (b[p] >= '0' && b[p] <= '9')
			p++;
	}
	if (b[p] == 'e' || b[p] == 'E') {
		real = true;
		if (b[++p] == '+' || b[p] == '-')
			p++;
		if (b[p] < '0' || b[p] > '9') {
			sc->pos = p;
			return (fail(sc, "invalid number"));
		}
		while (b[p] >= '0' && b[p] <= '9')
			p++;
	}
	if (real) {
		errno = 0;
		d = strtod(s, NULL);
		if (errno == ERANGE && isinf(d))
			return (fail(sc, "real number overflow"));
		push(sc, JV_REAL);
		sc->pos = p;
		skip_peeked_nul(sc);
		return (0);
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (s += neg; s < b + p; s++) {
		if (u > (lim - (uint64_t)(*s - '0')) / 10)
			return (fail(sc, neg ? "too big negative integer" :
			    "too big integer"));
		u = u * 10 + (uint64_t)(*s - '0');
	}
	t = push(sc, JV_INT);
	sc->js->v[t].i = neg ? (int64_t)(0 - u) : (int64_t)u;
	sc->pos = p;
	skip_peeked_nul(sc);
	return (0);
}

static int
scan_literal(struct scan *sc)
{
	const char	*s = sc->buf + sc->pos;

	if (strncmp(s, "true", 4) == 0) {
		push(sc, JV_TRUE);
		sc->pos += 4;
	} else if (strncmp(s, "false", 5) == 0) {
		push(sc, JV_FALSE);
		sc->pos += 5;
	} else if (strncmp(s, "null", 4) == 0) {
		push(sc, JV_NULL);
		sc->pos += 4;
	} else
		return (fail(sc, *s == '\0' ? "premature end of input" :
		    "invalid token"));
	skip_peeked_nul(sc);
	return (0);
}

/*
 * Object o is complete: refuse a key that appears twice. Keys are
 * told apart by their hashes first; a few pairs are compared directly,
 * more go through an open-addressing table (linear, not n^2, for an
 * object of 100,000 members).
 */
static int
check_dups(struct scan *sc, uint32_t o)
{
	struct jscan	*js = sc->js;
	const struct jv	*v = js->v;
	size_t		 n = v[o].n, i, cap, at;
	uint32_t	 k, j, kj;

	if (n < 2)
		return (0);
	if (n <= 8) {
		for (i = 1, k = v[o + 1 + 1].end; i < n; i++,
		    k = v[k + 1].end)
			for (j = 0, kj = o + 1; j < i; j++,
			    kj = v[kj + 1].end)
				if (v[kj].i == v[k].i &&
				    strcmp(v[kj].s, v[k].s) == 0)
					goto dup;
		return (0);
	}
	for (cap = 16; cap < 2 * n; cap *= 2)
		;
	if (cap > js->slots_cap) {
		js->slots_cap = cap;
		js->slots = xreallocarray(js->slots, cap, sizeof(*js->slots));
	}
	memset(js->slots, 0xff, cap * sizeof(*js->slots));	/* JV_NONE */
	for (i = 0, k = o + 1; i < n; i++, k = v[k + 1].end) {
		for (at = (uint64_t)v[k].i & (cap - 1);
		    js->slots[at] != JV_NONE; at = (at + 1) & (cap - 1))
			if (v[js->slots[at]].i == v[k].i &&
			    strcmp(v[js->slots[at]].s, v[k].s) == 0)
				goto dup;
		js->slots[at] = k;
	}
	return (0);
dup:
	return (fail(sc, "duplicate object key"));
}

int
jscan_parse(struct jscan *js, char *buf, size_t len, int maxdepth)
{
	struct scan	 sc;
	uint32_t	 stack[JSCAN_STACK], top, t;
	int		 depth = 0;
	char		 c;

	memset(js, 0, sizeof(*js));
	if (maxdepth > JSCAN_STACK)
		maxdepth = JSCAN_STACK;
	sc.js = js;
	sc.buf = buf;
	sc.len = len;
	sc.pos = sc.line_start = 0;
	sc.line = 1;
	js->cap = len / 8 + 16;
	js->v = xreallocarray(NULL, js->cap, sizeof(*js->v));

value:
	skip_ws(&sc);
	c = buf[sc.pos];
	if (c == '{' || c == '[') {
		if (depth >= maxdepth)
			return (fail(&sc, "nested deeper than %d levels",
			    maxdepth));
		stack[depth++] = push(&sc, c == '{' ? JV_OBJECT : JV_ARRAY);
		sc.pos++;
		skip_ws(&sc);
		if (buf[sc.pos] == (c == '{' ? '}' : ']')) {
			sc.pos++;
			goto close;
		}
		if (c == '[')
			goto value;
		goto key;
	}
	if (c == '"') {
		if (scan_string(&sc, push(&sc, JV_STRING), false) == -1)
			return (-1);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		if (scan_number(&sc) == -1)
			return (-1);
	} else if (scan_literal(&sc) == -1)
		return (-1);

next:
	/* A value is complete: what may follow it in its container. */
	if (depth == 0) {
		skip_ws(&sc);
		if (sc.pos != len)
			return (fail(&sc, "end of file expected"));
		return (0);
	}
	top = stack[depth - 1];
	js->v[top].n++;
	skip_ws(&sc);
	c = buf[sc.pos];
	if (c == ',') {
		sc.pos++;
		if (js->v[top].type == JV_ARRAY)
			goto value;
		skip_ws(&sc);
		goto key;
	}
	if (c != (js->v[top].type == JV_OBJECT ? '}' : ']'))
		return (fail(&sc, c == '\0' && sc.pos == len ?
		    "premature end of input" : "',' or '%c' expected",
		    js->v[top].type == JV_OBJECT ? '}' : ']'));
	sc.pos++;

close:
	top = stack[--depth];
	js->v[top].end = (uint32_t)js->nv;
	if (js->v[top].type == JV_OBJECT && check_dups(&sc, top) == -1)
		return (-1);
	goto next;

key:
	if (buf[sc.pos] != '"')
		return (fail(&sc, "string or '}' expected"));
	t = push(&sc, JV_STRING);
	if (scan_string(&sc, t, true) == -1)
		return (-1);
	skip_ws(&sc);
	if (buf[sc.pos] != ':')
		return (fail(&sc, "':' expected"));
	sc.pos++;
	goto value;
}

void
jscan_free(struct jscan *js)
{
	free(js->v);
	free(js->slots);
	js->v = NULL;
	js->slots = NULL;
	js->nv = js->cap = js->slots_cap = 0;
}

uint32_t
jscan_get(const struct jscan *js, uint32_t obj, const char *key)
{
	const struct jv	*v = js->v;
	uint32_t	 k, i;

	if (obj == JV_NONE || v[obj].type != JV_OBJECT)
		return (JV_NONE);
	for (i = 0, k = obj + 1; i < v[obj].n; i++, k = v[k + 1].end)
		if (strcmp(v[k].s, key) == 0)
			return (k + 1);
	return (JV_NONE);
}
