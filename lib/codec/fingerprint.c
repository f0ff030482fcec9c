/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fingerprint.c -- a one-pass scan of the top level of a JSON object.
 *
 * inv_fingerprint_at() hashes at a known offset without the scan.
 *
 * Only the top level's structure matters: a member value is skipped by
 * counting brackets outside strings (strings skipped escape by escape),
 * which is enough to find where each top-level member starts and ends.
 * Nothing else is validated: a body whose hash matches a stored one is
 * that stored, validated text outside the cut, so a malformed body can
 * only fail to match.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "codec/fingerprint.h"

static size_t	skip_ws(const char *, size_t, size_t);
static int	skip_string(const char *, size_t, size_t *, bool *);
static int	skip_value(const char *, size_t, size_t *);

static size_t
skip_ws(const char *b, size_t n, size_t i)
{
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' ||
	    b[i] == '\r'))
		i++;
	return (i);
}

/* b[*i] is '"': past the closing quote; *escaped says if any '\' was in.
 * memchr() finds each quote; one preceded by an odd run of backslashes
 * is escaped and the search goes on past it. */
static int
skip_string(const char *b, size_t n, size_t *i, bool *escaped)
{
	const char	*q, *start = b + *i + 1, *end = b + n, *p = start;
	size_t		 k;

	for (;;) {
		if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
			return (-1);
		for (k = 0; q - k > start && q[-1 - (ptrdiff_t)k] == '\\'; k++)
			;
		if (k % 2 == 0)
			break;
		p = q + 1;
	}
	*escaped = memchr(start, '\\', (size_t)(q - start)) != NULL;
	*i = (size_t)(q + 1 - b);
	return (0);
}

/* Past one value starting at b[*i] (any kind; nesting by counting). */
static int
skip_value(const char *b, size_t n, size_t *i)
{
	size_t	 j = *i, depth = 0;
	bool	 esc;

	do {
		if (j >= n)
			return (-1);
		switch (b[j]) {
		case '"':
			if (skip_string(b, n, &j, &esc) == -1)
				return (-1);
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return (-1);
			depth--;
			break;
		default:
			/* A scalar or punctuation: up to what may matter. */
			while (j < n && b[j] != '"' && b[j] != '{' &&
			    b[j] != '[' && b[j] != '}' && b[j] != ']' &&
			    (depth > 0 || b[j] != ','))
				j++;
			if (depth == 0) {
				while (j > *i && (b[j - 1] == ' ' ||
				    b[j - 1] == '\t' || b[j - 1] == '\n' ||
				    b[j - 1] == '\r'))
					j--;
				*i = j;
				return (0);
			}
			continue;
		}
		j++;
	} while (depth > 0);
	*i = j;
	return (0);
}

int
inv_fingerprint_cut(const char *buf, size_t len, size_t *cut)
{
	static const char	 key[] = "\"collected_at\"";
	size_t			 i, ks, vs = 0, ve = 0;
	int			 found = 0;
	bool			 esc, is_at;

	i = skip_ws(buf, len, 0);
	if (i >= len || buf[i] != '{')
		return (-1);
	i = skip_ws(buf, len, i + 1);
	if (i < len && buf[i] == '}')
		return (-1);
	for (;;) {
		if (i >= len || buf[i] != '"')
			return (-1);
		ks = i;
		if (skip_string(buf, len, &i, &esc) == -1)
			return (-1);
		is_at = i - ks == sizeof(key) - 1 &&
		    memcmp(buf + ks, key, sizeof(key) - 1) == 0;
		i = skip_ws(buf, len, i);
		if (i >= len || buf[i] != ':')
			return (-1);
		i = skip_ws(buf, len, i + 1);
		if (is_at) {
			if (++found > 1 || i >= len || buf[i] != '"')
				return (-1);
			vs = i;
			if (skip_string(buf, len, &i, &esc) == -1 || esc)
				return (-1);
			ve = i;
		} else if (skip_value(buf, len, &i) == -1)
			return (-1);
		i = skip_ws(buf, len, i);
		if (i < len && buf[i] == ',') {
			i = skip_ws(buf, len, i + 1);
			continue;
		}
		if (i < len && buf[i] == '}')
			break;
		return (-1);
	}
	if (skip_ws(buf, len, i + 1) != len || found != 1 ||
	    ve - vs - 2 >= INV_FP_TIME_MAX)
		return (-1);
	*cut = vs;
	return (0);
}

/* The value is found by its quotes alone: the first '"' after the
 * opening one ends it, and a '\\' anywhere in it refuses it, so that
 * the string is exactly what the scan would have taken. */
int
inv_fingerprint_at(const char *buf, size_t len, size_t cut,
    unsigned char hash[SHA256_LEN], char at[INV_FP_TIME_MAX])
{
	const char	*q;
	size_t		 n;

	if (cut >= len || buf[cut] != '"')
		return (-1);
	n = len - cut - 1 < INV_FP_TIME_MAX ? len - cut - 1 : INV_FP_TIME_MAX;
	if ((q = memchr(buf + cut + 1, '"', n)) == NULL)
		return (-1);
	n = (size_t)(q - (buf + cut + 1));
	if (memchr(buf + cut + 1, '\\', n) != NULL)
		return (-1);
	memcpy(at, buf + cut + 1, n);
	at[n] = '\0';
	return (sha256_cut(buf, len, cut, cut + n + 2, hash));
}

int
inv_fingerprint(const char *buf, size_t len, unsigned char hash[SHA256_LEN],
    char at[INV_FP_TIME_MAX], size_t *cut)
{
	if (inv_fingerprint_cut(buf, len, cut) == -1)
		return (-1);
	return (inv_fingerprint_at(buf, len, *cut, hash, at));
}
