/* SPDX-License-Identifier: Apache-2.0 */
/*
 * version.c -- ordering of version strings for the policy comparators
 * and the platform checks.
 *
 * Driver, QEMU and kernel versions are dotted numbers with the odd
 * suffix ("550.127.05", "9.2.0", "6.8.0-45-generic"). A string compare
 * gets "550.127.05" < "550.90.05" wrong, so both strings are cut into
 * components at '.' and '-' and compared component by component: two
 * all-digit components compare as numbers (leading zeros skipped, then
 * by length, then by digits, so no length overflows a long), anything
 * else compares as a byte string. When one version runs out of
 * components first it is the older one ("1.2" < "1.2.0"). NULL sorts
 * before any string and equals NULL.
 */
#include <stdbool.h>
#include <string.h>

#include "policy/policy.h"

static size_t	 component(const char *, const char **);
static bool	 all_digits(const char *, size_t);
static int	 compare_component(const char *, size_t, const char *, size_t);

/* Length of the component at s; *next is where the following one starts
 * or NULL at the end of the string. */
static size_t
component(const char *s, const char **next)
{
	size_t	 n;

	n = strcspn(s, ".-");
	*next = s[n] == '\0' ? NULL : s + n + 1;
	return (n);
}

static bool
all_digits(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return (false);
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return (false);
	return (true);
}

static int
compare_component(const char *a, size_t na, const char *b, size_t nb)
{
	int	 c;

	if (all_digits(a, na) && all_digits(b, nb)) {
		while (na > 1 && *a == '0') {
			a++;
			na--;
		}
		while (nb > 1 && *b == '0') {
			b++;
			nb--;
		}
		if (na != nb)
			return (na < nb ? -1 : 1);
		c = memcmp(a, b, na);
		return (c < 0 ? -1 : c > 0);
	}
	c = memcmp(a, b, na < nb ? na : nb);
	if (c != 0)
		return (c < 0 ? -1 : 1);
	if (na != nb)
		return (na < nb ? -1 : 1);
	return (0);
}

int
version_compare(const char *a, const char *b)
{
	const char	*na, *nb;
	size_t		 la, lb;
	int		 c;

	if (a == NULL || b == NULL)
		return (a == b ? 0 : a == NULL ? -1 : 1);
	if (a == b)
		return (0);
	for (;;) {
		la = component(a, &na);
		lb = component(b, &nb);
		if ((c = compare_component(a, la, b, lb)) != 0)
			return (c);
		if (na == NULL || nb == NULL)
			return (na == nb ? 0 : na == NULL ? -1 : 1);
		a = na;
		b = nb;
	}
}

int
version_major_equal(const char *a, const char *b)
{
	const char	*next;
	size_t		 la, lb;

	if (a == NULL || b == NULL)
		return (a == b);
	la = component(a, &next);
	lb = component(b, &next);
	return (compare_component(a, la, b, lb) == 0);
}
