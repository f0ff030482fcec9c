/* SPDX-License-Identifier: Apache-2.0 */
/*
 * promtext.h -- building the Prometheus text exposition format.
 *
 * lib/metrics/ owns the Prometheus text format. It may use lib/model/
 * and lib/util/.
 *
 * The server's /metrics and the collector's --textfile file publish the
 * same per-type capacity series; both build their text here so the
 * escaping rules and the series' shape live in one place.
 */
#ifndef VC_PROMTEXT_H
#define VC_PROMTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct inventory;

struct promtext {
	struct buf	 out;		/* the text so far */
	const char	*prefix;	/* metric name prefix, e.g. "vfio_compat_" */
};

void	prom_init(struct promtext *, const char *prefix);
/* Append formatted text as it is (sample lines, braces, values). */
void	prom_printf(struct promtext *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* "# HELP prefix+name help" and "# TYPE prefix+name type". */
void	prom_header(struct promtext *, const char *name, const char *type,
	    const char *help);
/* name="value" with \, " and newline escaped; a comma first unless
 * first. A NULL value is the empty string. */
void	prom_label(struct promtext *, const char *name, const char *value,
	    bool first);
/*
 * prefix+type_available_instances (avail) or prefix+type_instances, one
 * sample per type of every parent of inv, labelled parent, kind, type,
 * after host when host is not NULL. Unknown availability has no sample.
 */
void	prom_type_series(struct promtext *, const struct inventory *,
	    bool avail, const char *host);

#endif
