/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strpool.h -- string interning.
 *
 * A fleet of ten thousand hosts repeats the same type ids, names,
 * descriptions and driver versions over and over; the server interns
 * them so each distinct string is stored once. Interned strings compare
 * equal by pointer and live until every reference strpool_intern()
 * handed out has been given back with strpool_release(). A mutex makes
 * both safe from the server's request threads.
 */
#ifndef VC_STRPOOL_H
#define VC_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

struct strpool;

struct strpool	*strpool_new(void);
void		 strpool_free(struct strpool *);
/* One more reference to the pooled copy of s (NULL for NULL). */
const char	*strpool_intern(struct strpool *, const char *);
/* Give back one reference for each of the n pooled strings (NULLs skipped). */
void		 strpool_release(struct strpool *, const char *const *,
		    size_t n);
size_t		 strpool_count(const struct strpool *);
/* The hash the pool files s under, for callers keeping sets of their own. */
uint64_t	 strpool_hash(const char *);
size_t		 strpool_bytes(const struct strpool *);

#endif
