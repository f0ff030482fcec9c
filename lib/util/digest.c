/* SPDX-License-Identifier: Apache-2.0 */
/*
 * digest.c -- SHA-256 through GnuTLS, and a constant-time compare.
 */
#include <stdint.h>
#include <stdio.h>

#include <gnutls/crypto.h>

#include "digest.h"

int
sha256_hex(const void *buf, size_t len, char *out)
{
	unsigned char	 md[32];
	size_t		 i;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, len, md) < 0)
		return (-1);
	for (i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return (0);
}

int
sha256_cut(const void *buf, size_t len, size_t cut, size_t cut_end,
    unsigned char out[SHA256_LEN])
{
	gnutls_hash_hd_t	 h;
	uint64_t		 at = cut;
	int			 rv;

	if (cut > cut_end || cut_end > len ||
	    gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		return (-1);
	rv = gnutls_hash(h, &at, sizeof(at)) < 0 ||
	    gnutls_hash(h, buf, cut) < 0 ||
	    gnutls_hash(h, (const char *)buf + cut_end, len - cut_end) < 0 ?
	    -1 : 0;
	gnutls_hash_deinit(h, out);
	return (rv);
}

int
timingsafe_memeq(const void *a, const void *b, size_t len)
{
	const volatile unsigned char	*pa = a, *pb = b;
	unsigned char			 diff = 0;
	size_t				 i;

	for (i = 0; i < len; i++)
		diff |= pa[i] ^ pb[i];
	return (diff == 0);
}
