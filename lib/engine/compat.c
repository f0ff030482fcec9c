/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compat.c -- the check: request in, verdict per destination out.
 *
 * A check runs in three steps. The request is validated and the source
 * resolved into requirements once (requirement.c). Then every
 * destination is evaluated into a compact struct result whose reasons
 * and assignments go to arrays shared by the whole check -- no JSON and
 * no allocation per host beyond amortised array growth, because a check
 * against ten thousand hosts must stay well under 50 ms. Last, the
 * results are sorted (compatible by score, then unknown, then
 * incompatible, ties by name) and only then written out.
 *
 * The answer is written as text by jsonw.c straight from the results,
 * because building and printing a jansson tree of ten thousand results
 * costs more than the whole evaluation.
 *
 * Evaluating one destination is evaluate.c's (its opening comment
 * lists the decisions the SPEC leaves open); writing one result is
 * answer.c's; walking named destinations and ordering the results is
 * destinations.c's; a check against thousands of hosts runs in parts
 * on several threads, parallel.c's.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compat.h"
#include "engine/compat_int.h"
#include "fleet/fleet.h"
#include "codec/inventory_json.h"
#include "policy/policy.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

/* What of the answer to write. */
enum form {
	FORM_ALL,
	FORM_COMPATIBLE,	/* results that are compatible only */
	FORM_ONE		/* the one result, without the envelope */
};

static pthread_once_t	 default_once = PTHREAD_ONCE_INIT;
static struct policy	*default_policy;

static void	 make_default_policy(void);
static int	 cmp_dname(const void *, const void *);
static int	 parse_destinations(const json_t *, struct dname **,
		    char **, struct compat_status *);
static void	 dname_fold(struct dname *, const char *, char *, size_t);
static int	 mode_named(const char *, enum mode *,
		    struct compat_status *);
static int	 parse_mode(const json_t *, enum mode *,
		    struct compat_status *);
static const struct policy *active_policy(const struct compat_config *);
static int	 run(const struct fleet *, const struct compat_config *,
		    const json_t *, enum form, struct buf_pieces *,
		    struct compat_status *);
static char	*run_text(const struct fleet *, const struct compat_config *,
		    const json_t *, enum form, size_t *,
		    struct compat_status *);
static void	 open_answer(struct buf *, const struct source *);
static void	 check(const struct fleet *, const struct compat_config *,
		    const struct policy *, enum mode, struct source *,
		    const struct dname *, size_t, enum form,
		    struct buf_pieces *, struct compat_status *);

static void
make_default_policy(void)
{
	default_policy = policy_default();
}

static int
cmp_dname(const void *a, const void *b)
{
	const struct dname	*da = a, *db = b;
	int			 c;

	if ((c = strcmp(da->name, db->name)) != 0)
		return (c);
	return (da->idx < db->idx ? -1 : da->idx > db->idx);
}

/* The mode by name; NULL is the default, live. */
static int
mode_named(const char *s, enum mode *mode, struct compat_status *st)
{
	*mode = MODE_LIVE;
	if (s == NULL || strcmp(s, "live") == 0)
		*mode = MODE_LIVE;
	else if (strcmp(s, "cold") == 0)
		*mode = MODE_COLD;
	else if (strcmp(s, "cpr") == 0)
		*mode = MODE_CPR;
	else {
		compat_fail(st, COMPAT_EINVAL, "mode",
		    "must be live, cold or cpr");
		return (-1);
	}
	return (0);
}

static int
parse_mode(const json_t *v, enum mode *mode, struct compat_status *st)
{
	if (v == NULL)
		return (mode_named(NULL, mode, st));
	return (mode_named(json_is_string(v) ? json_string_value(v) : "",
	    mode, st));
}

/* A destination as the request names it: folded into buf (len bytes)
 * when it is a host name, else kept as given and marked invalid. */
static void
dname_fold(struct dname *d, const char *name, char *buf, size_t len)
{
	if (str_host_fold(name, buf, len) == 0) {
		d->name = buf;
		d->invalid = false;
	} else {
		d->name = name;
		d->invalid = true;
	}
}

/*
 * The destination list, folded and sorted by name; *bufp holds the
 * folded names. Only the shape is refused (not an array, too long, an
 * entry that is not a string, a duplicate): a string that is no host
 * name is kept, marked invalid.
 */
static int
parse_destinations(const json_t *dests, struct dname **out, char **bufp,
    struct compat_status *st)
{
	struct dname	*names;
	const json_t	*v;
	size_t		 i, n, total = 0, off = 0;
	char		 field[48], *buf;

	*out = NULL;
	*bufp = NULL;
	if (!json_is_array(dests) || json_array_size(dests) == 0 ||
	    json_array_size(dests) > COMPAT_MAX_DESTS) {
		compat_fail(st, COMPAT_EINVAL, "destinations",
		    "must be an array of 1 to %d host names",
		    COMPAT_MAX_DESTS);
		return (-1);
	}
	n = json_array_size(dests);
	json_array_foreach(dests, i, v) {
		if (!json_is_string(v)) {
			snprintf(field, sizeof(field), "destinations[%zu]", i);
			compat_fail(st, COMPAT_EINVAL, field,
			    "must be a host name (a string)");
			return (-1);
		}
		total += json_string_length(v) + 1;
	}
	names = xcalloc(n, sizeof(*names));
	buf = *bufp = xmalloc(total);
	json_array_foreach(dests, i, v) {
		names[i].idx = i;
		dname_fold(&names[i], json_string_value(v), buf + off,
		    total - off);
		if (!names[i].invalid)
			off += strlen(buf + off) + 1;
	}
	qsort(names, n, sizeof(*names), cmp_dname);
	for (i = 1; i < n; i++) {
		if (strcmp(names[i - 1].name, names[i].name) != 0)
			continue;
		snprintf(field, sizeof(field), "destinations[%zu]",
		    names[i].idx);
		compat_fail(st, COMPAT_EINVAL, field,
		    "duplicate host %s", names[i].name);
		goto fail;
	}
	*out = names;
	return (0);

fail:
	free(names);
	free(*bufp);
	*bufp = NULL;
	return (-1);
}

static const struct policy *
active_policy(const struct compat_config *cfg)
{
	if (cfg->policy != NULL)
		return (cfg->policy);
	pthread_once(&default_once, make_default_policy);
	return (default_policy);
}

char *
compat_check_text(const struct fleet *fleet, const struct compat_config *cfg,
    const json_t *req, bool compatible_only, size_t *lenp,
    struct compat_status *st)
{
	return (run_text(fleet, cfg, req, compatible_only ? FORM_COMPATIBLE :
	    FORM_ALL, lenp, st));
}

int
compat_check_pieces(const struct fleet *fleet,
    const struct compat_config *cfg, const json_t *req, bool compatible_only,
    struct buf_pieces *out, struct compat_status *st)
{
	return (run(fleet, cfg, req, compatible_only ? FORM_COMPATIBLE :
	    FORM_ALL, out, st));
}

char *
compat_check_one_text(const struct fleet *fleet,
    const struct compat_config *cfg, const json_t *req, size_t *lenp,
    struct compat_status *st)
{
	return (run_text(fleet, cfg, req, FORM_ONE, lenp, st));
}

char *
compat_check_one(const struct fleet *fleet, const struct compat_config *cfg,
    const struct compat_one *q, size_t *lenp, struct compat_status *st)
{
	struct source		 src;
	struct dname		 dst;
	const struct policy	*pol;
	struct buf_pieces	 out;
	enum mode		 mode;
	char			 buf[STR_HOST_MAX + 1];

	if (lenp != NULL)
		*lenp = 0;
	if (st != NULL) {
		memset(st, 0, sizeof(*st));
		st->error = COMPAT_OK;
	}
	if (mode_named(q->mode, &mode, st) == -1)
		return (NULL);
	if (q->destination == NULL) {
		compat_fail(st, COMPAT_EINVAL, "destinations",
		    "must name exactly one host");
		return (NULL);
	}
	memset(&dst, 0, sizeof(dst));
	dname_fold(&dst, q->destination, buf, sizeof(buf));
	pol = active_policy(cfg);
	if (source_resolve_one(fleet, pol, q->host, q->vm, q->device, &src,
	    st) == -1) {
		source_free(&src);
		return (NULL);
	}
	memset(&out, 0, sizeof(out));
	check(fleet, cfg, pol, mode, &src, &dst, 1, FORM_ONE, &out, st);
	source_free(&src);
	return (buf_pieces_join(&out, lenp));
}

/* run(), the answer joined into one text. */
static char *
run_text(const struct fleet *fleet, const struct compat_config *cfg,
    const json_t *req, enum form form, size_t *lenp,
    struct compat_status *st)
{
	struct buf_pieces	 out;

	memset(&out, 0, sizeof(out));
	if (lenp != NULL)
		*lenp = 0;
	if (run(fleet, cfg, req, form, &out, st) == -1)
		return (NULL);
	return (buf_pieces_join(&out, lenp));
}

/* The JSON request taken apart, then the check into out (empty on
 * entry): 0, or -1 refused; form says what of the answer to write. */
static int
run(const struct fleet *fleet, const struct compat_config *cfg,
    const json_t *req, enum form form, struct buf_pieces *out,
    struct compat_status *st)
{
	static const char *const keys[] = { "mode", "source", "destinations",
		NULL };
	struct source		 src;
	struct dname		*names = NULL;
	char			*namebuf = NULL;
	const struct policy	*pol;
	const json_t		*dests;
	enum mode		 mode;
	int			 rc = -1;

	memset(&src, 0, sizeof(src));
	if (st != NULL) {
		memset(st, 0, sizeof(*st));
		st->error = COMPAT_OK;
	}
	if (req == NULL || !json_is_object(req)) {
		compat_fail(st, COMPAT_EINVAL, "(document)",
		    "the request must be a JSON object");
		return (-1);
	}
	if (json_depth_exceeds(req, COMPAT_MAX_DEPTH)) {
		compat_fail(st, COMPAT_EINVAL, "(document)",
		    "nested deeper than %d levels", COMPAT_MAX_DEPTH);
		return (-1);
	}
	if (compat_check_keys(req, "", keys, st) == -1)
		return (-1);
	if (parse_mode(json_object_get(req, "mode"), &mode, st) == -1)
		return (-1);
	dests = json_object_get(req, "destinations");
	if (dests != NULL && parse_destinations(dests, &names, &namebuf,
	    st) == -1)
		return (-1);
	if (form == FORM_ONE && json_array_size(dests) != 1) {
		compat_fail(st, COMPAT_EINVAL, "destinations",
		    "must name exactly one host");
		goto fail;
	}
	pol = active_policy(cfg);
	if (source_resolve(fleet, pol, json_object_get(req, "source"), mode,
	    &src, st) == -1)
		goto fail;
	check(fleet, cfg, pol, mode, &src, names, dests != NULL ?
	    json_array_size(dests) : SIZE_MAX, form, out, st);
	rc = 0;

fail:
	free(names);
	free(namebuf);
	source_free(&src);
	return (rc);
}

/* The answer up to its results: the envelope and the source. */
static void
open_answer(struct buf *w, const struct source *src)
{
	json_t	*sj;

	jw_lit(w, "{\"source\":");
	sj = source_to_json(src);
	jw_json(w, sj);
	json_decref(sj);
	jw_lit(w, ",\"results\":[");
}

/*
 * The check of a resolved source against the named destinations (n of
 * them, in name order), or with n SIZE_MAX against the fleet (every host
 * but the source; the source alone for cpr), its text into out.
 */
static void
check(const struct fleet *fleet, const struct compat_config *cfg,
    const struct policy *pol, enum mode mode, struct source *src,
    const struct dname *names, size_t n, enum form form,
    struct buf_pieces *out, struct compat_status *st)
{
	struct ctx		 c;
	struct frags		 frags;
	struct result		*res = NULL, res1[1];
	size_t			*ord = NULL, ord1[1] = { 0 };
	struct buf		 w;
	size_t			 i, k, nf, nres = 0, nout = 0;
	unsigned int		 parts;

	memset(&c, 0, sizeof(c));
	memset(&frags, 0, sizeof(frags));
	memset(&w, 0, sizeof(w));
	eval_init(&c, fleet, cfg, pol, src, mode);

	if (n == 1) {
		/* The GET form's one result needs no allocation. */
		memset(res1, 0, sizeof(res1));
		res = res1;
		nres = 1;
		eval_named(&c, fleet, names, nres, res);
	} else if (form != FORM_ONE && (n != SIZE_MAX || mode != MODE_CPR) &&
	    (parts = parallel_parts(cfg, n != SIZE_MAX ? n :
	    fleet_count(fleet))) > 1) {
		open_answer(&w, src);
		parallel_check(fleet, cfg, pol, src, mode,
		    n != SIZE_MAX ? names : NULL, n != SIZE_MAX ? n :
		    fleet_count(fleet), form == FORM_COMPATIBLE, parts, &w,
		    out, st);
		jw_lit(&w, "]}");
		goto done;
	} else if (n != SIZE_MAX) {
		nres = n;
		res = xcalloc(nres + 1, sizeof(*res));
		eval_named(&c, fleet, names, nres, res);
	} else if (mode == MODE_CPR) {
		res = xcalloc(1, sizeof(*res));
		if (src->host != NULL) {
			eval_host(&c, src->host, src->fh, &res[0]);
			nres = 1;
		}
	} else {
		nf = fleet_count(fleet);
		res = xcalloc(nf + 1, sizeof(*res));
		for (k = 0; k < nf; k++) {
			const struct fleet_host	*fh = fleet_at(fleet, k);

			eval_prefetch(&c, fleet, k, nf);
			/* A cold move may stay on its host (a resize). The
			 * source's record is the fleet's own: the same host
			 * is the same pointer. */
			if (mode != MODE_COLD && src->fh != NULL &&
			    fh == src->fh)
				continue;
			eval_host(&c, fh->inv->host, fh, &res[nres]);
			res[nres].seq = nres;
			nres++;
		}
	}
	ord = nres == 1 ? ord1 : order_results(res, nres);

	count_results(st, res, nres);
	/* Compatible results of a VM are a few hundred bytes each. */
	buf_reserve(&w, 1024 + nres * 640);
	if (form == FORM_ONE) {
		answer_result(&w, &frags, &c, &res[ord[0]]);
		goto done;
	}
	open_answer(&w, src);
	for (i = 0; i < nres; i++) {
		if (form == FORM_COMPATIBLE &&
		    res[ord[i]].verdict != V_COMPATIBLE)
			continue;
		if (nout++ > 0)
			jw_lit(&w, ",");
		answer_result(&w, &frags, &c, &res[ord[i]]);
	}
	jw_lit(&w, "]}");

done:
	if (src->any_unknown)
		compat_fail(st, COMPAT_ENOSOURCE, src->unknown_field,
		    "the source is not in the inventory");
	if (ord != ord1)
		free(ord);
	if (res != res1)
		free(res);
	answer_free(&frags);
	eval_free(&c);
	buf_pieces_take(out, &w);
}
