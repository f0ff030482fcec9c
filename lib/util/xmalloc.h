/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xmalloc.h -- allocation wrappers that never return NULL.
 *
 * Running out of memory is not a condition any caller in this project can
 * recover from sensibly, so the wrappers abort with a message instead of
 * making every call site carry a NULL check (the tmux convention).
 */
#ifndef VC_XMALLOC_H
#define VC_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	     __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	     __attribute__((format(printf, 2, 0)));

#endif
