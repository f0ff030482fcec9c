/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parallel.c -- a check against every host, split over threads.
 *
 * Evaluating one destination needs nothing of another, so a big fleet,
 * or a long list of named destinations, is cut into contiguous ranges
 * in name order, one per part, and each part evaluates its range on its
 * own thread with its own evaluation context; the only thing the parts
 * share is what a check only reads (the fleet under the caller's read
 * lock, the policy, the resolved source). The results are then ordered
 * as a serial check orders them (order_results), and written in a
 * second round of threads, each part writing a contiguous range of the
 * answer's order into a buffer of its own, reading each result's
 * reasons from the context that made it. The buffers are the answer's
 * pieces, handed on as they are: the answer is byte for byte the serial
 * one, and no thread copies the megabytes of another's text (copying
 * them into one buffer was a tenth of a 10,000-host check, on one core).
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

/* A piece per part and the answer's closing one. */
_Static_assert(PARTS_MAX + 1 <= BUF_PIECES_MAX, "pieces of an answer");

/* What both rounds of a check share. */
struct job {
	struct part		*parts;
	struct result		*all;		/* every part's, in name order */
	const size_t		*out;		/* into all: the answer's */
};

struct part {
	pthread_t			 thread;
	bool				 started;
	struct job			*job;
	struct ctx			 c;
	const struct fleet		*fleet;
	const struct compat_config	*cfg;
	const struct policy		*policy;
	struct source			*src;
	enum mode			 mode;
	const struct dname		*names;		/* NULL: the fleet */
	size_t				 lo, hi;	/* into names or the
							 * fleet */
	unsigned int			 index;
	struct result			*res;
	size_t				 nres;
	/* The second round: job->out[wlo .. whi) written into text. */
	size_t				 wlo, whi;
	struct frags			 frags;
	struct buf			 text;
};

static void	 run_parts(struct part *, unsigned int, void *(*)(void *));
static void	*part_eval(void *);
static void	*part_write(void *);

/* fn on every part, part 0 on the calling thread; a part whose thread
 * did not start runs here too. Signals stay with the threads that
 * expect them. */
static void
run_parts(struct part *parts, unsigned int nparts, void *(*fn)(void *))
{
	sigset_t	 block, saved;
	unsigned int	 j;

	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &saved);
	for (j = 1; j < nparts; j++)
		parts[j].started = pthread_create(&parts[j].thread, NULL,
		    fn, &parts[j]) == 0;
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	fn(&parts[0]);
	for (j = 1; j < nparts; j++) {
		if (parts[j].started)
			pthread_join(parts[j].thread, NULL);
		else
			fn(&parts[j]);
	}
}

static void *
part_eval(void *arg)
{
	struct part		*p = arg;
	const struct fleet_host	*fh;
	struct result		*r;
	size_t			 k, i;

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
	for (i = 0; i < p->nres; i++)
		p->res[i].part = p->index;
	return (NULL);
}

static void *
part_write(void *arg)
{
	struct part		*p = arg;
	const struct job	*job = p->job;
	const struct result	*r;
	size_t			 i;

	/* Compatible results of a VM are a few hundred bytes each. */
	buf_reserve(&p->text, (p->whi - p->wlo) * 640);
	for (i = p->wlo; i < p->whi; i++) {
		r = &job->all[job->out[i]];
		if (i > 0)
			jw_lit(&p->text, ",");
		answer_result(&p->text, &p->frags, &job->parts[r->part].c, r);
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
    unsigned int nparts, struct buf *head, struct buf_pieces *out,
    struct compat_status *st)
{
	struct job	 job;
	struct part	*parts = xcalloc(nparts, sizeof(*parts));
	size_t		 i, total = 0, nout = 0, *ord;
	unsigned int	 j;

	memset(&job, 0, sizeof(job));
	job.parts = parts;
	for (j = 0; j < nparts; j++) {
		parts[j].job = &job;
		parts[j].names = names;
		parts[j].fleet = fleet;
		parts[j].cfg = cfg;
		parts[j].policy = policy;
		parts[j].src = src;
		parts[j].mode = mode;
		parts[j].index = j;
		parts[j].lo = n * j / nparts;
		parts[j].hi = n * (j + 1) / nparts;
	}
	run_parts(parts, nparts, part_eval);

	for (j = 0; j < nparts; j++)
		total += parts[j].nres;
	/* Parts are contiguous ranges in name order: so is all. */
	job.all = xcalloc(total + 1, sizeof(*job.all));
	for (j = 0, i = 0; j < nparts; j++) {
		memcpy(job.all + i, parts[j].res, parts[j].nres *
		    sizeof(*job.all));
		i += parts[j].nres;
	}
	ord = order_results(job.all, total);
	count_results(st, job.all, total);
	/* What the answer holds, kept in place at the front of ord. */
	for (i = 0; i < total; i++)
		if (!compatible_only || job.all[ord[i]].verdict == V_COMPATIBLE)
			ord[nout++] = ord[i];
	job.out = ord;
	/* Equal counts: results differ little in length. */
	for (j = 0; j < nparts; j++) {
		parts[j].wlo = nout * j / nparts;
		parts[j].whi = nout * (j + 1) / nparts;
	}
	parts[0].text = *head;
	memset(head, 0, sizeof(*head));
	run_parts(parts, nparts, part_write);

	for (j = 0; j < nparts; j++)
		buf_pieces_take(out, &parts[j].text);
	free(ord);
	free(job.all);
	for (j = 0; j < nparts; j++) {
		answer_free(&parts[j].frags);
		eval_free(&parts[j].c);
		buf_free(&parts[j].text);
		free(parts[j].res);
	}
	free(parts);
}
