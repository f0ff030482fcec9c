/* SPDX-License-Identifier: Apache-2.0 */
/*
 * digest.c -- SHA-256 through Nettle (the hashing GnuTLS itself uses),
 * and a constant-time compare. Nettle, not GnuTLS: every binary links
 * this, and GnuTLS brings eight more libraries whose loading and
 * relocation cost the collector 7 % of its instructions at every start.
 */
#include <stdint.h>

#include <nettle/sha2.h>

#include "digest.h"

static int	sha256_parts(const void *, size_t, const void *, size_t,
		    size_t, size_t, unsigned char *);
static void	hex(const unsigned char *, char *);

/* SHA-256 of pre (prelen bytes, may be 0) then buf without the cut. */
static int
sha256_parts(const void *pre, size_t prelen, const void *buf, size_t len,
    size_t cut, size_t cut_end, unsigned char *md)
{
	struct sha256_ctx	 ctx;

	if (cut > cut_end || cut_end > len)
		return (-1);
	sha256_init(&ctx);
	if (prelen > 0)
		sha256_update(&ctx, prelen, pre);
	sha256_update(&ctx, cut, buf);
	sha256_update(&ctx, len - cut_end, (const uint8_t *)buf + cut_end);
	sha256_digest(&ctx, SHA256_LEN, md);
	return (0);
}

static void
hex(const unsigned char *md, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0xf];
	}
	out[2 * SHA256_LEN] = '\0';
}

int
sha256_hex(const void *buf, size_t len, char *out)
{
	unsigned char	 md[SHA256_LEN];

	if (sha256_parts(NULL, 0, buf, len, 0, 0, md) == -1)
		return (-1);
	hex(md, out);
	return (0);
}

int
sha256_hex_without(const void *buf, size_t len, size_t cut, size_t cut_end,
    char *out)
{
	unsigned char	 md[SHA256_LEN];

	if (sha256_parts(NULL, 0, buf, len, cut, cut_end, md) == -1)
		return (-1);
	hex(md, out);
	return (0);
}

int
sha256_cut(const void *buf, size_t len, size_t cut, size_t cut_end,
    unsigned char out[SHA256_LEN])
{
	uint64_t	 at = cut;

	return (sha256_parts(&at, sizeof(at), buf, len, cut, cut_end, out));
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
