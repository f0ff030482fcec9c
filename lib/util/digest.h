/* SPDX-License-Identifier: Apache-2.0 */
/*
 * digest.h -- SHA-256 as lower-case hex (tokens, inventory digests).
 */
#ifndef VC_DIGEST_H
#define VC_DIGEST_H

#include <stddef.h>

#define SHA256_HEX_LEN	64

/* out must hold SHA256_HEX_LEN + 1 bytes. Returns 0 or -1. */
int	sha256_hex(const void *, size_t, char *out);
#define SHA256_LEN	32
/*
 * A SHA-256 hash of buf with [cut, cut_end) left out, such that two
 * buffers hash alike exactly when they agree outside a cut made at the
 * same place: the SHA-256 of the offset cut, the bytes before it, the
 * length after the cut, and the SHA-256 of each half of what follows
 * it (sha256_lanes). Not a plain SHA-256 of the bytes kept: it is kept
 * in memory only, and compared only with its own kind. Returns 0 or -1.
 */
int	sha256_cut(const void *buf, size_t len, size_t cut, size_t cut_end,
	    unsigned char out[SHA256_LEN]);
/* sha256_hex() of buf with [cut, cut_end) left out, nothing added. */
int	sha256_hex_without(const void *buf, size_t len, size_t cut,
	    size_t cut_end, char *out);
/* Compare two equal-length buffers without an early exit. */
int	timingsafe_memeq(const void *, const void *, size_t);

#endif
