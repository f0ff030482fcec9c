/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256_lanes.c -- two SHA-256 computations interleaved on the x86
 * SHA extensions (SHA256RNDS2, SHA256MSG1, SHA256MSG2), chosen at run
 * time by CPUID; Nettle otherwise and on other architectures.
 *
 * Each lane is a plain SHA-256: its blocks are the buffer's full
 * 64-byte blocks, then one or two blocks of tail and padding (0x80,
 * zeros, the length in bits, big-endian). The lanes step a block at a
 * time together; the shorter one, once done, steps a scratch state
 * whose result is thrown away. The state lives in the two registers
 * the instructions want, ABEF and CDGH.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <nettle/sha2.h>

#include "util/sha256_lanes.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define LANES_TARGET	__attribute__((target("sha,sse4.1,ssse3")))

/* One lane's state, and what it still has to hash. */
struct lane {
	__m128i		 abef, cdgh;
	const uint8_t	*p;		/* full blocks of the buffer */
	size_t		 nfull;
	uint8_t		 tail[128];	/* tail and padding */
	size_t		 ntail;		/* blocks in tail: 1 or 2 */
};

static const uint32_t	k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t	h256[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
	0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static int	have_sha_ni(void);
static void	lane_init(struct lane *, const uint8_t *, size_t);
static const uint8_t *lane_block(const struct lane *, size_t);
static void	lane_digest(const struct lane *, unsigned char *);
static void	compress2(struct lane *, const uint8_t *, struct lane *,
		    const uint8_t *);
static void	lanes_sha_ni(const uint8_t *, size_t, const uint8_t *, size_t,
		    unsigned char *, unsigned char *);

/* SHA (CPUID.7.0:EBX[29]), SSSE3 and SSE4.1 (CPUID.1:ECX[9], [19]). */
static int
have_sha_ni(void)
{
	static atomic_int	 known = -1;
	unsigned int		 a, b, c, d;
	int			 yes = 0, k;

	if ((k = atomic_load_explicit(&known, memory_order_relaxed)) != -1)
		return (k);
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) &&
	    (c & bit_SSE4_1) && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
	    (b & bit_SHA))
		yes = 1;
	atomic_store_explicit(&known, yes, memory_order_relaxed);
	return (yes);
}

LANES_TARGET static void
lane_init(struct lane *l, const uint8_t *p, size_t len)
{
	__m128i		 abcd, efgh;
	uint64_t	 bits = (uint64_t)len * 8;
	size_t		 rest = len % 64, i;

	abcd = _mm_shuffle_epi32(_mm_loadu_si128((const void *)&h256[0]),
	    0xB1);
	efgh = _mm_shuffle_epi32(_mm_loadu_si128((const void *)&h256[4]),
	    0x1B);
	l->abef = _mm_alignr_epi8(abcd, efgh, 8);
	l->cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);
	l->p = p;
	l->nfull = len / 64;
	memset(l->tail, 0, sizeof(l->tail));
	if (rest > 0)
		memcpy(l->tail, p + len - rest, rest);
	l->tail[rest] = 0x80;
	l->ntail = rest < 56 ? 1 : 2;
	for (i = 0; i < 8; i++)
		l->tail[l->ntail * 64 - 1 - i] = (uint8_t)(bits >> (8 * i));
}

static const uint8_t *
lane_block(const struct lane *l, size_t i)
{
	return (i < l->nfull ? l->p + 64 * i : l->tail + 64 * (i - l->nfull));
}

LANES_TARGET static void
lane_digest(const struct lane *l, unsigned char *md)
{
	uint32_t	 h[8];
	__m128i		 feba, dchg;
	size_t		 i;

	feba = _mm_shuffle_epi32(l->abef, 0x1B);
	dchg = _mm_shuffle_epi32(l->cdgh, 0xB1);
	_mm_storeu_si128((void *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0));
	_mm_storeu_si128((void *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
	for (i = 0; i < 8; i++) {
		md[4 * i] = (unsigned char)(h[i] >> 24);
		md[4 * i + 1] = (unsigned char)(h[i] >> 16);
		md[4 * i + 2] = (unsigned char)(h[i] >> 8);
		md[4 * i + 3] = (unsigned char)h[i];
	}
}

/*
 * One block into each lane. The 64 rounds go four at a time (two
 * SHA256RNDS2 on a vector of four W+K); W[16..63] come four at a time
 * from the four vectors before, MSG1 two groups ahead and MSG2 with
 * the alignr term one group ahead, as the instructions are meant to
 * be chained.
 */
LANES_TARGET static void
compress2(struct lane *x, const uint8_t *px, struct lane *y,
    const uint8_t *py)
{
	const __m128i	 bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
			    0x0405060700010203ULL);
	__m128i		 wx[4], wy[4], x0 = x->abef, x1 = x->cdgh;
	__m128i		 y0 = y->abef, y1 = y->cdgh, k, mx, my, t;
	int		 g;

#pragma GCC unroll 16
	for (g = 0; g < 16; g++) {
		k = _mm_loadu_si128((const void *)&k256[4 * g]);
		if (g < 4) {
			wx[g] = _mm_shuffle_epi8(_mm_loadu_si128(
			    (const void *)(px + 16 * g)), bswap);
			wy[g] = _mm_shuffle_epi8(_mm_loadu_si128(
			    (const void *)(py + 16 * g)), bswap);
		}
		mx = _mm_add_epi32(wx[g & 3], k);
		my = _mm_add_epi32(wy[g & 3], k);
		x1 = _mm_sha256rnds2_epu32(x1, x0, mx);
		y1 = _mm_sha256rnds2_epu32(y1, y0, my);
		if (g >= 3 && g <= 14) {
			t = _mm_alignr_epi8(wx[g & 3], wx[(g - 1) & 3], 4);
			wx[(g + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(
			    wx[(g + 1) & 3], t), wx[g & 3]);
			t = _mm_alignr_epi8(wy[g & 3], wy[(g - 1) & 3], 4);
			wy[(g + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(
			    wy[(g + 1) & 3], t), wy[g & 3]);
		}
		mx = _mm_shuffle_epi32(mx, 0x0E);
		my = _mm_shuffle_epi32(my, 0x0E);
		x0 = _mm_sha256rnds2_epu32(x0, x1, mx);
		y0 = _mm_sha256rnds2_epu32(y0, y1, my);
		if (g >= 1 && g <= 12) {
			wx[(g - 1) & 3] = _mm_sha256msg1_epu32(wx[(g - 1) & 3],
			    wx[g & 3]);
			wy[(g - 1) & 3] = _mm_sha256msg1_epu32(wy[(g - 1) & 3],
			    wy[g & 3]);
		}
	}
	x->abef = _mm_add_epi32(x0, x->abef);
	x->cdgh = _mm_add_epi32(x1, x->cdgh);
	y->abef = _mm_add_epi32(y0, y->abef);
	y->cdgh = _mm_add_epi32(y1, y->cdgh);
}

static void
lanes_sha_ni(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    unsigned char *da, unsigned char *db)
{
	struct lane	 la, lb, scratch;
	size_t		 na, nb, i;

	lane_init(&la, a, alen);
	lane_init(&lb, b, blen);
	lane_init(&scratch, NULL, 0);
	na = la.nfull + la.ntail;
	nb = lb.nfull + lb.ntail;
	for (i = 0; i < na || i < nb; i++)
		compress2(i < na ? &la : &scratch, lane_block(i < na ? &la :
		    &scratch, i < na ? i : 0), i < nb ? &lb : &scratch,
		    lane_block(i < nb ? &lb : &scratch, i < nb ? i : 0));
	lane_digest(&la, da);
	lane_digest(&lb, db);
}
#endif

void
sha256_lanes(const void *a, size_t alen, const void *b, size_t blen,
    unsigned char da[32], unsigned char db[32])
{
	struct sha256_ctx	 ctx;

#if defined(__x86_64__)
	if (have_sha_ni()) {
		lanes_sha_ni(a, alen, b, blen, da, db);
		return;
	}
#endif
	sha256_init(&ctx);
	sha256_update(&ctx, alen, a);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, da);
	sha256_init(&ctx);
	sha256_update(&ctx, blen, b);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, db);
}
