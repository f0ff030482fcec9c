/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.h -- bump allocator for objects that die together.
 *
 * An inventory owns many small strings that are all freed at once when
 * the inventory goes; one arena per inventory saves a malloc header per
 * string and makes freeing O(chunks). Nothing in an arena is freed alone.
 */
#ifndef VC_ARENA_H
#define VC_ARENA_H

#include <stddef.h>

struct arena;

struct arena	*arena_new(void);
void		 arena_free(struct arena *);
void		*arena_calloc(struct arena *, size_t, size_t);
/* Make the next allocations of up to size bytes come from one chunk of
 * exactly that size, for callers that know what they will need. */
void		 arena_reserve(struct arena *, size_t);
char		*arena_strdup(struct arena *, const char *);

#endif
