/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parallel.c -- a check against every host, split over threads.
 *
 * Evaluating and writing one destination needs nothing of another, so
 * a big fleet, or a long list of named destinations, is cut into
 * contiguous ranges in name order, one per part, and
 * each part runs on its own thread with its own evaluation context:
 * its results and their text (in fleet order) are its own, and the
 * only thing the parts share is what a check only reads (the fleet
 * under the caller's read lock, the policy, the resolved source).
 * The caller then orders all results as a serial check would
 * (order_results) and copies each one's text into the answer, so the
 * answer is byte for byte the serial one. That copy is the price:
 * about a tenth of a 10,000-host check, against half of the rest on a
 * second core.
 *
 * A part is worth a thread only with enough hosts to amortise it (a
 * thread start is tens of microseconds, a host about one); below
 * PART_MIN_HOSTS per part the caller runs the serial walk.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compat.h"
#include "engine/compat_int.h"
#include "fleet/fleet.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define PART_MIN_HOSTS	1000
#define PARTS_MAX	16

struct part {
	pthread_t			 thread;
	bool				 started;
	struct ctx			 c;
	const struct fleet		*fleet;
	const struct compat_config	*cfg;
	const struct policy		*policy;
	struct source			*src;
	enum mode			 mode;
	bool				 compatible_only;
	const struct dname		*names;		/* NULL: the fleet */
	size_t				 lo, hi;	/* into names or the
							 * fleet */
	unsigned int			 index;
	struct result			*res;
	size_t				 nres;
	struct buf			 text;
};

static void	*part_run(void *);

static void *
part_run(void *arg)
{
	struct part		*p = arg;
	const struct fleet_host	*fh;
	struct result		*r;
	size_t			 k, i, start;

	eval_init(&p->c, p->fleet, p->cfg, p->policy, p->src, p->mode);
	p->res = xcalloc(p->hi - p->lo + 1, sizeof(*p->res));
	if (p->names != NULL) {
		p->nres = p->hi - p->lo;
		eval_named(&p->c, p->fleet, p->names + p->lo, p->nres, p->res);
		for (i = 0; i < p->nres; i++)
			p->res[i].seq += p->lo;
	}
	for (k = p->lo; p->names == NULL && k < p->hi; k++) {
		fh = fleet_at(p->fleet, k);
		eval_prefetch(&p->c, p->fleet, k, p->hi);
		/* A cold move may stay on its host (a resize). The
		 * source's record is the fleet's own: the same host is the
		 * same pointer. */
		if (p->mode != MODE_COLD && p->src->fh != NULL &&
		    fh == p->src->fh)
			continue;
		r = &p->res[p->nres++];
		eval_host(&p->c, fh->inv->host, fh, r);
		r->seq = k;
	}
	/* Compatible results of a VM are a few hundred bytes each. */
	buf_reserve(&p->text, p->nres * 640);
	for (i = 0; i < p->nres; i++) {
		r = &p->res[i];
		r->part = p->index;
		if (p->compatible_only && r->verdict != V_COMPATIBLE)
			continue;
		start = p->text.len;
		answer_result(&p->text, &p->c, r);
		r->text_off = start;
		r->text_len = p->text.len - start;
	}
	return (NULL);
}

unsigned int
parallel_parts(const struct compat_config *cfg, size_t nhosts)
{
	size_t	 n = cfg->threads;

	if (n > PARTS_MAX)
		n = PARTS_MAX;
	if (n > nhosts / PART_MIN_HOSTS)
		n = nhosts / PART_MIN_HOSTS;
	return (n < 2 ? 1 : (unsigned int)n);
}

void
parallel_check(const struct fleet *fleet, const struct compat_config *cfg,
    const struct policy *policy, struct source *src, enum mode mode,
    const struct dname *names, size_t n, bool compatible_only,
    unsigned int nparts, struct buf *w, struct compat_status *st)
{
	struct part	*parts = xcalloc(nparts, sizeof(*parts));
	struct result	*all, *r;
	sigset_t	 block, saved;
	size_t		 i, total = 0, bytes = 0;
	size_t		*ord, nout = 0;
	unsigned int	 j;

	for (j = 0; j < nparts; j++) {
		parts[j].names = names;
		parts[j].fleet = fleet;
		parts[j].cfg = cfg;
		parts[j].policy = policy;
		parts[j].src = src;
		parts[j].mode = mode;
		parts[j].compatible_only = compatible_only;
		parts[j].index = j;
		parts[j].lo = n * j / nparts;
		parts[j].hi = n * (j + 1) / nparts;
	}
	/* Signals stay with the threads that expect them. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &saved);
	for (j = 1; j < nparts; j++)
		parts[j].started = pthread_create(&parts[j].thread, NULL,
		    part_run, &parts[j]) == 0;
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	part_run(&parts[0]);
	for (j = 1; j < nparts; j++) {
		if (parts[j].started)
			pthread_join(parts[j].thread, NULL);
		else		/* no thread: do it here */
			part_run(&parts[j]);
	}

	for (j = 0; j < nparts; j++) {
		total += parts[j].nres;
		bytes += parts[j].text.len;
	}
	/* Parts are contiguous ranges in name order: so is all. */
	all = xcalloc(total + 1, sizeof(*all));
	for (j = 0, i = 0; j < nparts; j++) {
		memcpy(all + i, parts[j].res, parts[j].nres * sizeof(*all));
		i += parts[j].nres;
	}
	ord = order_results(all, total);
	count_results(st, all, total);
	buf_reserve(w, bytes + total);
	for (i = 0; i < total; i++) {
		r = &all[ord[i]];
		if (compatible_only && r->verdict != V_COMPATIBLE)
			continue;
		if (nout++ > 0)
			jw_lit(w, ",");
		jw_raw(w, parts[r->part].text.data + r->text_off,
		    r->text_len);
	}
	free(ord);
	free(all);
	for (j = 0; j < nparts; j++) {
		answer_free(&parts[j].c);
		eval_free(&parts[j].c);
		buf_free(&parts[j].text);
		free(parts[j].res);
	}
	free(parts);
}
