/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strpool.c -- open-addressing hash set of reference-counted strings.
 *
 * Each interned string is its own allocation with a count of the
 * references handed out; strpool_release() drops them and frees the
 * string at zero, leaving a tombstone in its slot. Without that, a
 * probe printing a changing value (a temperature, a counter) grew the
 * server by every distinct value it ever reported. The table is
 * rebuilt, tombstones dropped, when live entries and tombstones together
 * fill three quarters of it.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"
#include "xmalloc.h"

struct pooled {
	size_t		 refs;
	size_t		 len;
	char		 s[];
};

/* A slot whose string was freed: probing continues past it. */
static struct pooled	 tombstone;
#define TOMB		(&tombstone)

static void	 rehash(struct strpool *, size_t);
static struct pooled *entry_of(const char *);
static size_t	 find(const struct strpool *, const char *, uint64_t);

struct strpool {
	pthread_mutex_t	  lock;
	struct pooled	**slots;
	size_t		  nslots;	/* power of two */
	size_t		  count;	/* live strings */
	size_t		  tombs;
	size_t		  bytes;	/* of live strings */
};

/* FNV-1a: short keys, no adversarial input worth a keyed hash here. */
uint64_t
strpool_hash(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

static struct pooled *
entry_of(const char *s)
{
	return ((struct pooled *)(void *)(s - offsetof(struct pooled, s)));
}

struct strpool *
strpool_new(void)
{
	struct strpool	*p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	p->nslots = 256;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	return (p);
}

void
strpool_free(struct strpool *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nslots; i++)
		if (p->slots[i] != NULL && p->slots[i] != TOMB)
			free(p->slots[i]);
	pthread_mutex_destroy(&p->lock);
	free(p->slots);
	free(p);
}

/* Into a table of nslots, live entries only. */
static void
rehash(struct strpool *p, size_t nslots)
{
	struct pooled	**old = p->slots;
	size_t		  oldn = p->nslots, i, j;

	p->nslots = nslots;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	for (i = 0; i < oldn; i++) {
		if (old[i] == NULL || old[i] == TOMB)
			continue;
		j = strpool_hash(old[i]->s) & (p->nslots - 1);
		while (p->slots[j] != NULL)
			j = (j + 1) & (p->nslots - 1);
		p->slots[j] = old[i];
	}
	p->tombs = 0;
	free(old);
}

/* The slot holding s (by content), or the first free one after h. */
static size_t
find(const struct strpool *p, const char *s, uint64_t h)
{
	size_t	 i = h & (p->nslots - 1);

	while (p->slots[i] != NULL) {
		if (p->slots[i] != TOMB && strcmp(p->slots[i]->s, s) == 0)
			return (i);
		i = (i + 1) & (p->nslots - 1);
	}
	return (i);
}

const char *
strpool_intern(struct strpool *p, const char *s)
{
	struct pooled	*e;
	uint64_t	 h;
	size_t		 i, len, n;

	if (s == NULL)
		return (NULL);
	h = strpool_hash(s);
	pthread_mutex_lock(&p->lock);
	if ((p->count + p->tombs + 1) * 4 > p->nslots * 3) {
		/* Grow only for live entries; tombstones just rehash. */
		n = p->nslots;
		while ((p->count + 1) * 2 > n)
			n *= 2;
		rehash(p, n);
	}
	i = find(p, s, h);
	if ((e = p->slots[i]) == NULL) {
		len = strlen(s);
		e = xmalloc(sizeof(*e) + len + 1);
		e->refs = 0;
		e->len = len;
		memcpy(e->s, s, len + 1);
		p->slots[i] = e;
		p->count++;
		p->bytes += len + 1;
	}
	e->refs++;
	pthread_mutex_unlock(&p->lock);
	return (e->s);
}

void
strpool_release(struct strpool *p, const char *const *v, size_t n)
{
	struct pooled	*e;
	size_t		 k, i;

	pthread_mutex_lock(&p->lock);
	for (k = 0; k < n; k++) {
		if (v[k] == NULL)
			continue;
		e = entry_of(v[k]);
		if (--e->refs > 0)
			continue;
		/* Find the slot by pointer: s is the pooled copy. */
		i = strpool_hash(e->s) & (p->nslots - 1);
		while (p->slots[i] != e)
			i = (i + 1) & (p->nslots - 1);
		p->slots[i] = TOMB;
		p->tombs++;
		p->count--;
		p->bytes -= e->len + 1;
		free(e);
	}
	pthread_mutex_unlock(&p->lock);
}

void
strpool_stats(struct strpool *p, size_t *count, size_t *bytes)
{
	pthread_mutex_lock(&p->lock);
	*count = p->count;
	*bytes = p->bytes + p->count * sizeof(struct pooled) +
	    p->nslots * sizeof(*p->slots);
	pthread_mutex_unlock(&p->lock);
}
