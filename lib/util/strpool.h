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
/* The hash the pool files s under, for callers keeping sets of their own. */
uint64_t	 strpool_hash(const char *);
/* How many distinct strings the pool holds and the bytes it uses for
 * them (text, entries, table), read under its lock: the server reports
 * them once loaded, for sizing its memory. */
void		 strpool_stats(struct strpool *, size_t *count, size_t *bytes);

#endif
