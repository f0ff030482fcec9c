/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strutil.c -- number parsing and identifier syntax checks.
 *
 * Every identifier that reaches SQL, a URL path or a metrics label goes
 * through one of these first, so the checks are deliberately narrow.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

long long
vc_strtonum(const char *s, long long min, long long max, const char **errstr)
{
	long long	 v;
	char		*end;

	*errstr = NULL;
	if (s == NULL || *s == '\0' || min > max) {
		*errstr = "invalid";
		return (0);
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || isspace((unsigned char)*s)) {
		*errstr = "invalid";
		return (0);
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < min) {
		*errstr = "too small";
		return (0);
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > max) {
		*errstr = "too large";
		return (0);
	}
	return (v);
}

static bool
is_lhex_char(char c)
{
	return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
}

bool
str_is_lhex(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_lhex_char(s[i]))
			return (false);
	return (s[n] == '\0');
}

static bool
lhex_run(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_lhex_char(s[i]))
			return (false);
	return (true);
}

bool
str_is_pci_address(const char *s)
{
	/* dddd:bb:dd.f -- 12 characters, function 0-7. */
	if (strlen(s) != 12)
		return (false);
	return (lhex_run(s, 4) && s[4] == ':' && lhex_run(s + 5, 2) &&
	    s[7] == ':' && lhex_run(s + 8, 2) && s[10] == '.' &&
	    s[11] >= '0' && s[11] <= '7');
}

bool
str_is_uuid(const char *s)
{
	static const size_t	 groups[] = { 8, 4, 4, 4, 12 };
	size_t			 i;

	for (i = 0; i < 5; i++) {
		if (!lhex_run(s, groups[i]))
			return (false);
		s += groups[i];
		if (i < 4 && *s++ != '-')
			return (false);
	}
	return (*s == '\0');
}

/*
 * SPEC 5 (v1.1): host names are case-insensitive and nova's [DEFAULT]
 * host may hold '_', so a name is 1 to 253 of letters, digits, '-', '_'
 * and '.', and its canonical form is lower case.
 */
int
str_host_fold(const char *s, char *out, size_t outlen)
{
	size_t	 len = strlen(s), i;
	char	 c;

	if (len == 0 || len > STR_HOST_MAX)
		return (-1);
	if (out != NULL && outlen <= len)
		return (-1);
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.'))
			return (-1);
		if (out != NULL)
			out[i] = c;
	}
	if (out != NULL)
		out[len] = '\0';
	return (0);
}

bool
str_is_hostname(const char *s)
{
	size_t	 i;

	if (str_host_fold(s, NULL, 0) == -1)
		return (false);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return (false);
	return (true);
}

bool
str_is_device_id(const char *s)
{
	size_t	 len = strlen(s), i;
	char	 c;

	if (len == 0 || len > 64)
		return (false);
	for (i = 0; i < len; i++) {
		c = s[i];
		if (!(isalnum((unsigned char)c) || c == '.' || c == '_' ||
		    c == ':' || c == '-'))
			return (false);
	}
	return (true);
}

bool
str_is_attr_key(const char *s)
{
	size_t	 len = strlen(s);

	if (len == 0 || len > 128)
		return (false);
	return (strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len);
}

bool
str_is_timestamp(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t			 i;

	if (strlen(s) != sizeof(shape) - 1)
		return (false);
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return (false);
		} else if (s[i] != shape[i])
			return (false);
	}
	return (true);
}

bool
str_is_clean_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	unsigned int		 cp;

	while (i < len) {
		if (p[i] < 0x80) {
			if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
				return (false);
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return (false);
		if (i + n >= len)
			return (false);
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (false);
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and out-of-range code points. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (false);
		i += n + 1;
	}
	return (true);
}

char *
str_rtrim(char *s)
{
	size_t	 len = strlen(s);

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return (s);
}

const char *
str_ltrim(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return (s);
}

bool
str_has_prefix(const char *s, const char *prefix)
{
	return (strncmp(s, prefix, strlen(prefix)) == 0);
}

size_t
str_put_u64(char *out, uint64_t v)
{
	char	 tmp[STR_U64_MAX], *p = tmp + sizeof(tmp);
	size_t	 n;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(out, p, n);
	return (n);
}
