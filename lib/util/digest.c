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
#include "sha256_lanes.h"

static int	sha256_parts(const void *, size_t, size_t, size_t,
		    unsigned char *);
static void	hex(const unsigned char *, char *);

/* SHA-256 of buf without the cut. */
static int
sha256_parts(const void *buf, size_t len, size_t cut, size_t cut_end,
    unsigned char *md)
{
	struct sha256_ctx	 ctx;

	if (cut > cut_end || cut_end > len)
		return (-1);
	sha256_init(&ctx);
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

	if (sha256_parts(buf, len, 0, 0, md) == -1)
		return (-1);
	hex(md, out);
	return (0);
}

int
sha256_hex_without(const void *buf, size_t len, size_t cut, size_t cut_end,
    char *out)
{
	unsigned char	 md[SHA256_LEN];

	if (sha256_parts(buf, len, cut, cut_end, md) == -1)
		return (-1);
	hex(md, out);
	return (0);
}

/* What follows the cut is most of the buffer: its two halves are
 * hashed as two chains at once (sha256_lanes), then bound together
 * with the offset, what precedes the cut and the length after it. */
int
sha256_cut(const void *buf, size_t len, size_t cut, size_t cut_end,
    unsigned char out[SHA256_LEN])
{
	const uint8_t		*rest = (const uint8_t *)buf + cut_end;
	struct sha256_ctx	 ctx;
	unsigned char		 halves[2 * SHA256_LEN];
	uint64_t		 head[2];
	size_t			 n, half;

	if (cut > cut_end || cut_end > len)
		return (-1);
	n = len - cut_end;
	half = n / 2 / 64 * 64;
	sha256_lanes(rest, half, rest + half, n - half, halves,
	    halves + SHA256_LEN);
	head[0] = cut;
	head[1] = n;
	sha256_init(&ctx);
	sha256_update(&ctx, sizeof(head), (const uint8_t *)head);
	sha256_update(&ctx, cut, buf);
	sha256_update(&ctx, sizeof(halves), halves);
	sha256_digest(&ctx, SHA256_LEN, out);
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
