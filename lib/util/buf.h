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

/*
 * Text in consecutive pieces, handed on without being joined: a check
 * written on several threads gives each one's buffer to the server,
 * which sends them in order, where joining them would copy megabytes.
 * Each piece is malloc'd and owned by the list; a zeroed list is empty.
 */
#define BUF_PIECES_MAX	17
struct buf_pieces {
	unsigned int	 n;
	size_t		 len;		/* of all pieces */
	struct {
		char	*data;
		size_t	 len;
	}		 piece[BUF_PIECES_MAX];
};

/* b's text as the next piece (b is empty after; an empty b adds
 * nothing). Aborts past BUF_PIECES_MAX pieces: a caller's bug. */
void	 buf_pieces_take(struct buf_pieces *, struct buf *);
/* All pieces as one string, as buf_release() gives it (one piece is
 * not copied); the list is empty after. */
char	*buf_pieces_join(struct buf_pieces *, size_t *lenp);
void	 buf_pieces_free(struct buf_pieces *);

#endif
