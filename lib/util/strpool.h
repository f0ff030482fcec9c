/*
 * strpool.h -- string interning.
 *
 * A fleet of ten thousand hosts repeats the same type ids, names,
 * descriptions and driver versions over and over; the server interns
 * them so each distinct string is stored once. Interned strings live as
 * long as the pool and compare equal by pointer. A mutex makes interning
 * safe from the server's request threads.
 */
#ifndef VC_STRPOOL_H
#define VC_STRPOOL_H

#include <stddef.h>

struct strpool;

struct strpool	*strpool_new(void);
void		 strpool_free(struct strpool *);
const char	*strpool_intern(struct strpool *, const char *);
size_t		 strpool_count(const struct strpool *);
size_t		 strpool_bytes(const struct strpool *);

#endif
