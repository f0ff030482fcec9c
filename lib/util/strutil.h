/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strutil.h -- small string helpers: bounded number parsing and the
 * syntax checks for the identifiers the inventory format uses.
 */
#ifndef VC_STRUTIL_H
#define VC_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * OpenBSD strtonum: decimal only, whole string, range checked. On error
 * returns 0 and points *errstr at "invalid", "too small" or "too large".
 */
long long	 vc_strtonum(const char *, long long, long long, const char **);

/* Exactly n lower-case hex digits. */
bool	str_is_lhex(const char *, size_t n);
/* PCI address in canonical sysfs form: dddd:bb:dd.f, lower case. */
bool	str_is_pci_address(const char *);
/* RFC 4122 textual UUID, lower case. */
bool	str_is_uuid(const char *);
/* A host name in canonical form: 1 to STR_HOST_MAX of [a-z0-9._-]. */
#define STR_HOST_MAX	253
bool	str_is_hostname(const char *);
/* Validate a host name of any case (letters, digits, '-', '_', '.') and
 * write its canonical lower-case form to out (outlen > strlen(s)); out
 * may be NULL to validate only. 0 when valid, else -1. */
int	str_host_fold(const char *, char *out, size_t outlen);
/* An mdev/css/ap parent or instance id: [A-Za-z0-9._:-]+, max 64. */
bool	str_is_device_id(const char *);
/* Inventory attribute key: [A-Za-z0-9._-], 1 to 128 characters. */
bool	str_is_attr_key(const char *);
/* RFC 3339 UTC timestamp of the form YYYY-MM-DDTHH:MM:SSZ. */
bool	str_is_timestamp(const char *);
/* Valid UTF-8 without control characters other than tab. */
bool	str_is_clean_utf8(const char *, size_t);

/* Strip trailing white space in place; returns s. */
char	*str_rtrim(char *);
/* Skip leading white space. */
const char	*str_ltrim(const char *);
bool	 str_has_prefix(const char *, const char *);
/* v in decimal at out, no NUL; returns the length (at most
 * STR_U64_MAX). For lines written per request, where snprintf is the
 * cost. */
#define STR_U64_MAX	20
size_t	 str_put_u64(char *out, uint64_t v);

#endif
