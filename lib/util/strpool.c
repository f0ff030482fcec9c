/*
 * strpool.c -- open-addressing hash set of strings over an arena.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "strpool.h"
#include "xmalloc.h"

static uint64_t	hash_str(const char *);
static void	grow(struct strpool *);

struct strpool {
	pthread_mutex_t	  lock;
	struct arena	 *arena;
	const char	**slots;
	size_t		  nslots;	/* power of two */
	size_t		  count;
};

/* FNV-1a: short keys, no adversarial input worth a keyed hash here. */
static uint64_t
hash_str(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

struct strpool *
strpool_new(void)
{
	struct strpool	*p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	p->arena = arena_new();
	p->nslots = 256;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	return (p);
}

void
strpool_free(struct strpool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->lock);
	arena_free(p->arena);
	free(p->slots);
	free(p);
}

static void
grow(struct strpool *p)
{
	const char	**old = p->slots;
	size_t		  oldn = p->nslots, i, j;

	p->nslots *= 2;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	for (i = 0; i < oldn; i++) {
		if (old[i] == NULL)
			continue;
		j = hash_str(old[i]) & (p->nslots - 1);
		while (p->slots[j] != NULL)
			j = (j + 1) & (p->nslots - 1);
		p->slots[j] = old[i];
	}
	free(old);
}

const char *
strpool_intern(struct strpool *p, const char *s)
{
	const char	*found;
	size_t		 i;

	if (s == NULL)
		return (NULL);
	pthread_mutex_lock(&p->lock);
	if ((p->count + 1) * 4 > p->nslots * 3)
		grow(p);
	i = hash_str(s) & (p->nslots - 1);
	while (p->slots[i] != NULL) {
		if (strcmp(p->slots[i], s) == 0)
			break;
		i = (i + 1) & (p->nslots - 1);
	}
	if (p->slots[i] == NULL) {
		p->slots[i] = arena_strdup(p->arena, s);
		p->count++;
	}
	found = p->slots[i];
	pthread_mutex_unlock(&p->lock);
	return (found);
}

size_t
strpool_count(const struct strpool *p)
{
	return (p->count);
}

size_t
strpool_bytes(const struct strpool *p)
{
	return (arena_used(p->arena) + p->nslots * sizeof(*p->slots));
}
