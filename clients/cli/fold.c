/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fold.c -- the identifiers an operator types, folded to the form the
 * service stores.
 *
 * People copy names from wherever they saw them: GPU-A1 from a
 * dashboard, 10DE or 0x10de from lspci -n, an upper-case UUID from
 * virsh or a BIOS, 5e:00.3 from lspci without its domain. Each is
 * turned into the canonical spelling (lower case, four hex digits,
 * domain 0000) and then checked with the same syntax check the server
 * applies, so what the CLI accepts the server accepts too, and what it
 * refuses is refused before anything is sent.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/strutil.h"

static int	lower_copy(const char *, char *, size_t);

/* ASCII lower-case copy; -1 when it does not fit. */
static int
lower_copy(const char *in, char *out, size_t len)
{
	size_t	 i;

	for (i = 0; in[i] != '\0'; i++) {
		if (i + 1 >= len)
			return (-1);
		out[i] = (char)tolower((unsigned char)in[i]);
	}
	out[i] = '\0';
	return (0);
}

int
cli_fold_host(const char *in, char *out, size_t len)
{
	if (lower_copy(in, out, len) == -1 || !str_is_hostname(out))
		return (-1);
	return (0);
}

int
cli_fold_hex4(const char *in, char *out, size_t len)
{
	if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
		in += 2;
	if (lower_copy(in, out, len) == -1 || !str_is_lhex(out, 4))
		return (-1);
	return (0);
}

int
cli_fold_uuid(const char *in, char *out, size_t len)
{
	if (lower_copy(in, out, len) == -1 || !str_is_uuid(out))
		return (-1);
	return (0);
}

/*
 * A PCI address (with or without its domain) or an instance UUID is
 * folded; any other device id (an s390 "0.0.1234", an mdev parent name)
 * is case-sensitive and kept as typed.
 */
int
cli_fold_device(const char *in, char *out, size_t len)
{
	char	 low[CLI_MAX_ID + 8];

	if (lower_copy(in, low, sizeof(low)) == 0) {
		if (str_is_pci_address(low) || str_is_uuid(low))
			return (lower_copy(low, out, len));
		if (strlen(low) == 7 && snprintf(out, len, "0000:%s", low) <
		    (int)len && str_is_pci_address(out))
			return (0);
	}
	if (!str_is_device_id(in) || strlen(in) >= len)
		return (-1);
	memcpy(out, in, strlen(in) + 1);
	return (0);
}
