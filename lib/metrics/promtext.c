/* SPDX-License-Identifier: Apache-2.0 */
/*
 * promtext.c -- the Prometheus text format into a growing buffer.
 *
 * Label values are escaped byte by byte straight into the buffer: a
 * fleet's /metrics has hundreds of thousands of labels, too many for a
 * formatted write per character.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/inventory.h"
#include "metrics/promtext.h"
#include "util/xmalloc.h"

#define PROM_INITIAL	(64 * 1024)

static void	reserve(struct promtext *, size_t);
static void	put(struct promtext *, const char *, size_t);

void
prom_init(struct promtext *p, const char *prefix)
{
	p->cap = PROM_INITIAL;
	p->len = 0;
	p->data = xmalloc(p->cap);
	p->data[0] = '\0';
	p->prefix = prefix;
}

/* Room for n more bytes and the NUL. */
static void
reserve(struct promtext *p, size_t n)
{
	if (p->cap - p->len > n)
		return;
	while (p->cap - p->len <= n)
		p->cap *= 2;
	p->data = xreallocarray(p->data, p->cap, 1);
}

static void
put(struct promtext *p, const char *s, size_t n)
{
	reserve(p, n);
	memcpy(p->data + p->len, s, n);
	p->len += n;
	p->data[p->len] = '\0';
}

void
prom_printf(struct promtext *p, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	reserve(p, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(p->data + p->len, p->cap - p->len, fmt, ap);
	va_end(ap);
	p->len += (size_t)n;
}

void
prom_header(struct promtext *p, const char *name, const char *type,
    const char *help)
{
	prom_printf(p, "# HELP %s%s %s\n# TYPE %s%s %s\n", p->prefix, name,
	    help, p->prefix, name, type);
}

void
prom_label(struct promtext *p, const char *name, const char *value,
    bool first)
{
	const char	*s, *run;

	prom_printf(p, "%s%s=\"", first ? "" : ",", name);
	run = s = value != NULL ? value : "";
	for (; *s != '\0'; s++) {
		if (*s != '\\' && *s != '"' && *s != '\n')
			continue;
		put(p, run, (size_t)(s - run));
		put(p, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
		run = s + 1;
	}
	put(p, run, (size_t)(s - run));
	put(p, "\"", 1);
}

void
prom_type_series(struct promtext *p, const struct inventory *inv,
    bool avail, const char *host)
{
	const struct inv_device	*d;
	const struct inv_type	*t;
	size_t			 i, j;

	for (i = 0; i < inv->ndevices; i++) {
		d = &inv->devices[i];
		for (j = 0; j < d->ntypes; j++) {
			t = &d->types[j];
			if (avail && t->available_instances == INV_NULL)
				continue;
			prom_printf(p, "%s%s{", p->prefix, avail ?
			    "type_available_instances" : "type_instances");
			if (host != NULL)
				prom_label(p, "host", host, true);
			prom_label(p, "parent", d->address, host == NULL);
			prom_label(p, "kind", inv_kind_name(t->kind), false);
			prom_label(p, "type", t->id, false);
			if (avail)
				prom_printf(p, "} %ld\n",
				    (long)t->available_instances);
			else
				prom_printf(p, "} %zu\n",
				    inv_count_instances(inv, d, t));
		}
	}
}
