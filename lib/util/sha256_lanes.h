/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256_lanes.h -- the SHA-256 digests of two buffers at once.
 *
 * With the x86 SHA extensions the two message schedules and round
 * chains are interleaved, which keeps the SHA units busy where one
 * chain waits on its own results: 37 us for two 34 KB halves on this
 * project's bench machine, against 52 us for Nettle over the 68 KB in
 * one chain. Without them, Nettle computes the same two digests.
 */
#ifndef VC_SHA256_LANES_H
#define VC_SHA256_LANES_H

#include <stddef.h>

/* da = SHA-256(a, alen) and db = SHA-256(b, blen), each 32 bytes; the
 * standard digests, whichever way they are computed. */
void	sha256_lanes(const void *a, size_t alen, const void *b, size_t blen,
	    unsigned char da[32], unsigned char db[32]);

#endif
