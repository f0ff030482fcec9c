/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.c -- chunked bump allocator.
 *
 * Chunks grow geometrically from 1 KiB to 64 KiB so a tiny inventory
 * stays tiny; a request larger than a chunk gets a chunk of its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xmalloc.h"

static char	*arena_strndup(struct arena *, const char *, size_t);
static void	*arena_alloc(struct arena *, size_t);
static struct chunk	*new_chunk(struct arena *, size_t);

#define ARENA_MIN_CHUNK	1024
#define ARENA_MAX_CHUNK	65536
#define ARENA_ALIGN	(sizeof(max_align_t))

struct chunk {
	struct chunk	*next;
	size_t		 size;
	size_t		 used;
	max_align_t	 data[];
};

struct arena {
	struct chunk	*head;
	size_t		 next_size;
};

struct arena *
arena_new(void)
{
	struct arena	*a = xcalloc(1, sizeof(*a));

	a->next_size = ARENA_MIN_CHUNK;
	return (a);
}

void
arena_free(struct arena *a)
{
	struct chunk	*c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

static struct chunk *
new_chunk(struct arena *a, size_t csize)
{
	struct chunk	*c;

	c = xmalloc(sizeof(*c) + csize);
	c->size = csize;
	c->used = 0;
	c->next = a->head;
	a->head = c;
	return (c);
}

void
arena_reserve(struct arena *a, size_t size)
{
	size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (a->head == NULL || a->head->size - a->head->used < size)
		new_chunk(a, size);
}

static void *
arena_alloc(struct arena *a, size_t size)
{
	struct chunk	*c = a->head;
	size_t		 csize;
	void		*p;

	size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	if (c == NULL || c->size - c->used < size) {
		csize = a->next_size;
		if (csize < size)
			csize = size;
		c = new_chunk(a, csize);
		if (a->next_size < ARENA_MAX_CHUNK)
			a->next_size *= 2;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	return (p);
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size)
		abort();
	p = arena_alloc(a, n * size);
	memset(p, 0, n * size);
	return (p);
}

static char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char	*p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return (arena_strndup(a, s, strlen(s)));
}

