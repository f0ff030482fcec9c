/* SPDX-License-Identifier: Apache-2.0 */
/*
 * table.c -- aligned text tables for people.
 *
 * Rows are collected first so every column gets the width of its widest
 * cell; cells are separated by two spaces and the last column is not
 * padded. Widths count UTF-8 characters, not bytes. Cells are copied
 * with control characters replaced by '?', because their text comes
 * from the network and must not reach the terminal as escapes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/xmalloc.h"

#define TABLE_MAX_COLS	16
#define TABLE_MAX_CELL	1024	/* bytes kept of one cell */

struct table {
	size_t			 ncols;
	size_t			 nrows;
	size_t			 cap;
	char			**cells;	/* nrows * ncols; row 0 heads */
	size_t			 width[TABLE_MAX_COLS];
	enum table_align	 align[TABLE_MAX_COLS];
};

static char	*clean_copy(const char *);
static size_t	 text_width(const char *);
static void	 add_row(struct table *, const char *const *);

static char *
clean_copy(const char *s)
{
	size_t	 len = strnlen(s, TABLE_MAX_CELL), i;
	char	*out = xmalloc(len + 1);

	for (i = 0; i < len; i++)
		out[i] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	out[len] = '\0';
	return (out);
}

static size_t
text_width(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return (n);
}

static void
add_row(struct table *t, const char *const *cells)
{
	size_t	 c, w;
	char	*cell;

	if (t->nrows == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols,
		    sizeof(*t->cells));
	}
	for (c = 0; c < t->ncols; c++) {
		cell = clean_copy(cells[c] != NULL ? cells[c] : "-");
		if ((w = text_width(cell)) > t->width[c])
			t->width[c] = w;
		t->cells[t->nrows * t->ncols + c] = cell;
	}
	t->nrows++;
}

struct table *
table_new(size_t ncols, const char *const *headers,
    const enum table_align *align)
{
	struct table	*t = xcalloc(1, sizeof(*t));
	size_t		 c;

	if (ncols > TABLE_MAX_COLS)
		ncols = TABLE_MAX_COLS;
	t->ncols = ncols;
	for (c = 0; c < ncols; c++)
		t->align[c] = align != NULL ? align[c] : ALIGN_LEFT;
	if (headers != NULL)
		add_row(t, headers);
	return (t);
}

void
table_add(struct table *t, const char *const *cells)
{
	add_row(t, cells);
}

void
table_print(const struct table *t)
{
	size_t		 r, c, pad, last;
	const char	*cell;

	for (r = 0; r < t->nrows; r++) {
		last = t->ncols - 1;
		for (c = 0; c < t->ncols; c++) {
			cell = t->cells[r * t->ncols + c];
			pad = t->width[c] - text_width(cell);
			if (t->align[c] == ALIGN_RIGHT)
				printf("%*s%s", (int)pad, "", cell);
			else if (c == last)
				fputs(cell, stdout);
			else
				printf("%s%*s", cell, (int)pad, "");
			if (c != last)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
}

void
table_line(const char *s)
{
	char	*clean = clean_copy(s);

	puts(clean);
	free(clean);
}

void
table_free(struct table *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void
table_join(char **cell, const char *sep, const char *fmt, ...)
{
	va_list	 ap;
	char	*add, *old = *cell;

	va_start(ap, fmt);
	xvasprintf(&add, fmt, ap);
	va_end(ap);
	if (old == NULL) {
		*cell = add;
		return;
	}
	if (strlen(old) >= TABLE_MAX_CELL) {
		free(add);
		return;
	}
	xasprintf(cell, "%s%s%s", old, sep, add);
	free(old);
	free(add);
}

const char *
table_cell(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return (json_string_value(v));
	if (json_is_number(v) && (buf == NULL || len == 0))
		return ("?");
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return (buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, len, "%g", json_real_value(v));
		return (buf);
	}
	if (json_is_true(v))
		return ("yes");
	if (json_is_false(v))
		return ("no");
	return ("-");
}
