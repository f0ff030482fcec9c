/* SPDX-License-Identifier: Apache-2.0 */
/*
 * digest.c -- SHA-256 through Nettle (the hashing GnuTLS itself uses),
 * and a constant-time compare. Nettle, not GnuTLS: every binary links
 * this, and GnuTLS brings eight more libraries whose loading and
 * relocation cost the collector 7 % of its instructions at every start.
 */
#include <stdint.h>
#include <stdio.h>

#include <nettle/sha2.h>

#include "digest.h"

int
sha256_hex(const void *buf, size_t len, char *out)
{
	struct sha256_ctx	 ctx;
	unsigned char		 md[SHA256_DIGEST_SIZE];
	size_t			 i;

	sha256_init(&ctx);
	sha256_update(&ctx, len, buf);
	sha256_digest(&ctx, sizeof(md), md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return (0);
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
