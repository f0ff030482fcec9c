/* SPDX-License-Identifier: Apache-2.0 */
/*
 * promtext.c -- the Prometheus text format into a buffer (util/buf.h).
 *
 * Label values are escaped byte by byte straight into the buffer: a
 * fleet's /metrics has hundreds of thousands of labels, too many for a
 * formatted write per character.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "metrics/promtext.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define PROM_INITIAL	(64 * 1024)


void
prom_init(struct promtext *p, const char *prefix)
{
	memset(&p->out, 0, sizeof(p->out));
	buf_reserve(&p->out, PROM_INITIAL);
	p->out.data[0] = '\0';
	p->prefix = prefix;
}

void
prom_printf(struct promtext *p, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(&p->out, fmt, ap);
	va_end(ap);
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
		buf_add(&p->out, run, (size_t)(s - run));
		buf_add(&p->out, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
		run = s + 1;
	}
	buf_add(&p->out, run, (size_t)(s - run));
	buf_add(&p->out, "\"", 1);
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
		for (j = 0; j < d->p->ntypes; j++) {
			t = &d->p->types[j];
			if (avail && d->avail[j] == INV_NULL)
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
				    (long)d->avail[j]);
			else
				prom_printf(p, "} %zu\n",
				    inv_count_instances(inv, d, t));
		}
	}
}
