/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.c -- the growable text buffer of buf.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

#define BUF_INITIAL	4096

void
buf_reserve(struct buf *b, size_t n)
{
	size_t	 cap;

	if (b->cap > b->len && b->cap - b->len > n)
		return;
	cap = b->cap < BUF_INITIAL ? BUF_INITIAL : b->cap;
	while (cap - b->len <= n)
		cap *= 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
}

void
buf_resize(struct buf *b, size_t cap)
{
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
	b->data[b->len] = '\0';
}

void
buf_add(struct buf *b, const void *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 again;
	int	 n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

char *
buf_release(struct buf *b, size_t *lenp)
{
	char	*s;

	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	s = b->data;
	if (lenp != NULL)
		*lenp = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return (s);
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_pieces_take(struct buf_pieces *l, struct buf *b)
{
	size_t	 len;

	if (b->len == 0) {
		buf_free(b);
		return;
	}
	if (l->n == BUF_PIECES_MAX) {
		fprintf(stderr, "%s: more than %d pieces\n", __func__,
		    BUF_PIECES_MAX);
		abort();
	}
	l->piece[l->n].data = buf_release(b, &len);
	l->piece[l->n].len = len;
	l->n++;
	l->len += len;
}

char *
buf_pieces_join(struct buf_pieces *l, size_t *lenp)
{
	struct buf	 all;
	unsigned int	 i;
	char		*s;

	if (l->n == 1) {
		/* Released by buf_release(): already NUL-terminated. */
		s = l->piece[0].data;
		if (lenp != NULL)
			*lenp = l->piece[0].len;
		memset(l, 0, sizeof(*l));
		return (s);
	}
	memset(&all, 0, sizeof(all));
	buf_reserve(&all, l->len);
	for (i = 0; i < l->n; i++)
		buf_add(&all, l->piece[i].data, l->piece[i].len);
	buf_pieces_free(l);
	return (buf_release(&all, lenp));
}

void
buf_pieces_free(struct buf_pieces *l)
{
	unsigned int	 i;

	for (i = 0; i < l->n; i++)
		free(l->piece[i].data);
	memset(l, 0, sizeof(*l));
}
