/* SPDX-License-Identifier: Apache-2.0 */
/*
 * destinations.c -- the walk over the named destinations of a check,
 * and the answer's order and counts of the results.
 *
 * All are shared by the serial check (compat.c) and the check in parts
 * (parallel.c), which each part runs over its range of names and whose
 * results it orders as one: so they sit below both.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compat.h"
#include "engine/compat_int.h"
#include "fleet/fleet.h"
#include "util/xmalloc.h"

static int	 cmp_result(const void *, const void *);

static int
cmp_result(const void *a, const void *b)
{
	const struct result	*ra = a, *rb = b;

	if (ra->verdict != rb->verdict)
		return (ra->verdict < rb->verdict ? -1 : 1);
	if (ra->verdict == V_COMPATIBLE && ra->score != rb->score)
		return (ra->score > rb->score ? -1 : 1);
	/* Ties by name: seq is name order, saving strcmp on big fleets. */
	return (ra->seq < rb->seq ? -1 : ra->seq > rb->seq);
}

/*
 * The answer's order of res (compatible by score, then unknown, then
 * incompatible, ties by name) as indices. res is made in name order
 * (seq == index), so a stable counting sort on verdict and score keeps
 * the ties in name order: linear, where a qsort of the results was
 * n log n and a tenth of a check's samples. Scores spread wider than
 * the fleet (never on real hosts) fall back to the qsort.
 */
size_t *
order_results(struct result *res, size_t n)
{
	size_t		*ord = xcalloc(n + 1, sizeof(*ord)), *pos = NULL;
	size_t		 i, nb, at, nc = 0, nu = 0;
	int64_t		 lo = INT64_MAX, hi = INT64_MIN;

	for (i = 0; i < n; i++) {
		if (res[i].verdict == V_COMPATIBLE) {
			nc++;
			if (res[i].score < lo)
				lo = res[i].score;
			if (res[i].score > hi)
				hi = res[i].score;
		} else if (res[i].verdict == V_UNKNOWN)
			nu++;
	}
	if (nc > 0 && (uint64_t)hi - (uint64_t)lo > 4 * (uint64_t)n + 1024) {
		qsort(res, n, sizeof(*res), cmp_result);
		for (i = 0; i < n; i++)
			ord[i] = i;
		return (ord);
	}
	/* pos[b]: where the next compatible result of score hi - b goes;
	 * pos[nb] and pos[nb + 1]: the next unknown, incompatible one. */
	nb = nc > 0 ? (size_t)((uint64_t)hi - (uint64_t)lo) + 1 : 0;
	pos = xcalloc(nb + 2, sizeof(*pos));
	for (i = 0; i < n; i++)
		if (res[i].verdict == V_COMPATIBLE)
			pos[(size_t)((uint64_t)hi - (uint64_t)res[i].score)]++;
	for (i = 0, at = 0; i < nb; i++) {
		size_t	 cnt = pos[i];

		pos[i] = at;
		at += cnt;
	}
	pos[nb] = nc;
	pos[nb + 1] = nc + nu;
	for (i = 0; i < n; i++) {
		if (res[i].verdict == V_COMPATIBLE)
			ord[pos[(size_t)((uint64_t)hi -
			    (uint64_t)res[i].score)]++] = i;
		else
			ord[pos[res[i].verdict == V_UNKNOWN ? nb :
			    nb + 1]++] = i;
	}
	free(pos);
	return (ord);
}

/*
 * Destinations the request names, in name order (names is sorted).
 * Against a fleet of similar size a merge walk over both sorted lists
 * reads the host records in order, which prefetching keeps ahead of;
 * a few names against a big fleet are binary searches instead. (Every
 * host named, 10,000 hosts: 25 ms of CPU merged, 28 ms searched.) The
 * walk starts where the first name would be: a part of the list
 * (parallel.c) reads only its part of the fleet.
 */
void
eval_named(struct ctx *c, const struct fleet *fleet,
    const struct dname *names, size_t n, struct result *res)
{
	const struct fleet_host	*fh;
	size_t			 i, j, k = 0, nf = fleet_count(fleet), lg = 1;
	int			 cmp;

	while ((1UL << lg) < nf)
		lg++;
	if (n > 0 && n * lg >= nf)
		k = fleet_position(fleet, names[0].name);
	for (i = 0; i < n; i++) {
		if (names[i].invalid)
			fh = NULL;
		else if (n * lg < nf)
			fh = fleet_get(fleet, names[i].name);
		else {
			fh = NULL;
			for (; k < nf; k++) {
				eval_prefetch(c, fleet, k, nf);
				cmp = strcmp(fleet_at(fleet, k)->inv->host,
				    names[i].name);
				if (cmp >= 0) {
					if (cmp == 0)
						fh = fleet_at(fleet, k++);
					break;
				}
			}
		}
		eval_host(c, names[i].name, fh, &res[i]);
		for (j = res[i].r0; names[i].invalid &&
		    j < res[i].r0 + res[i].nr; j++)
			if (c->reasons[j].code == R_HOST_UNKNOWN)
				c->reasons[j].msg = "not a valid host name "
				    "(letters, digits, '-', '_' and '.', at "
				    "most 253)";
		res[i].seq = i;
	}
}

void
count_results(struct compat_status *st, const struct result *res, size_t n)
{
	size_t	 i;

	for (i = 0; st != NULL && i < n; i++) {
		if (res[i].verdict == V_COMPATIBLE)
			st->n_compatible++;
		else if (res[i].verdict == V_UNKNOWN)
			st->n_unknown++;
		else
			st->n_incompatible++;
	}
}
