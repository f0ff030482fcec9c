/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.h -- the one growable text buffer: the engine's JSON answers, the
 * Prometheus text, the server's request bodies all grow in one.
 *
 * data is malloc'd and always NUL-terminated once anything was added;
 * len excludes the NUL. A zeroed struct buf is empty and valid. Growth
 * doubles, so appending n bytes costs O(n) amortised; xmalloc aborts on
 * exhaustion like every allocation here. Callers take data over with
 * buf_release() or free it with buf_free().
 */
#ifndef VC_BUF_H
#define VC_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len, cap;
};

/* Room for n more bytes and the NUL, without changing len. */
void	 buf_reserve(struct buf *, size_t n);
/* Capacity exactly cap (more than len): for callers that account the
 * memory they hold by capacity, such as the server's body budget. */
void	 buf_resize(struct buf *, size_t cap);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* The text (never NULL: "" for an empty buffer); the buffer is empty
 * again and the caller frees what it got. */
char	*buf_release(struct buf *, size_t *lenp);
void	 buf_free(struct buf *);

#endif
