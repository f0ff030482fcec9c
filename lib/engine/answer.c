/* SPDX-License-Identifier: Apache-2.0 */
/*
 * answer.c -- one result of a check as JSON text.
 *
 * The fixed shape of SPEC section 5 written straight into the answer
 * buffer: {"host", "verdict", "reasons", "warnings", "assignments",
 * "score", "data_age_s"}, reasons and warnings carrying only the keys
 * that apply to them. Messages are fixed text where they can be and
 * formatted only when they carry numbers or names.
 *
 * What repeats is copied, what varies is formatted: on a fleet most
 * hosts give the same few reasons and assignments, so each distinct one
 * is rendered once per check (struct frags) and copied after, and so is
 * each distinct whole result between the host name and the score, most
 * hosts' being one of a handful; host names come pre-escaped from the
 * fleet (name_json), and the per-host numbers, score and age, are the
 * only text formatted for every host. (2-vGPU VM against 10,000 hosts:
 * one copy per host instead of four and a table probe for each cut the
 * server's CPU per check by about 6 %.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compat.h"
#include "engine/compat_int.h"
#include "fleet/fleet.h"
#include "policy/policy.h"
#include "util/xmalloc.h"

static const char *const rcode_names[] = {
	"HOST_UNKNOWN", "HOST_STALE", "SOURCE_UNKNOWN",
	"SOURCE_NOT_MIGRATABLE", "TYPE_MISSING", "DEVICE_API_MISMATCH",
	"DEVICE_MISSING", "VERSION_MISMATCH", "NO_CAPACITY", "P2P_REQUIRED",
	"PLATFORM_MISMATCH", "SAME_HOST", "CPR_UNSUPPORTED", "SOURCE_STALE",
	"SOURCE_INCOMPLETE", "MIGRATION_BLOCKED", "FLAGS_UNKNOWN", "DATA_OLD",
	"SOURCE_DATA_OLD", "FACTS_UNKNOWN"
};

/* Key lengths, in words, of a reason's and an assignment's text. */
#define REASON_KEY	8
#define ASSIGNMENT_KEY	4

/* What follows the host name, up to the reasons, per verdict. */
static const struct {
	const char	*s;
	size_t		 n;
} verdict_open[] = {
#define VOPEN(v) { ",\"verdict\":\"" v "\",\"reasons\":[", \
	sizeof(",\"verdict\":\"" v "\",\"reasons\":[") - 1 }
	VOPEN("compatible"), VOPEN("unknown"), VOPEN("incompatible")
#undef VOPEN
};

static const char *reason_message(const struct ctx *,
		    const struct result *, const struct reason *, char *,
		    size_t);
static void	 write_reason(struct buf *, const struct ctx *,
		    const struct result *, const struct reason *);
static void	 write_assignment(struct buf *, const struct assignment *);
static size_t	 frag_hash(const uintptr_t *, size_t);
static void	 frag_grow(struct frags *);
static const struct frag *frag_find(struct frags *, const uintptr_t *,
		    size_t, size_t, struct frag **);
static bool	 frag_copy(struct buf *, struct frags *, const uintptr_t *,
		    size_t, size_t *);
static void	 frag_save(struct frags *, const uintptr_t *, size_t, size_t,
		    const struct buf *, size_t);
static bool	 reason_key(const struct reason *, uintptr_t *);
static void	 assignment_key(const struct assignment *, uintptr_t *);
static void	 put_reason(struct buf *, struct frags *, const struct ctx *,
		    const struct result *, const struct reason *);
static void	 put_assignment(struct buf *, struct frags *,
		    const struct assignment *);
static bool	 body_key(const struct ctx *, const struct result *,
		    uintptr_t *, size_t *);
static void	 write_body(struct buf *, struct frags *, const struct ctx *,
		    const struct result *);

/* The human text of a reason: fixed text, or formatted into msg. */
static const char *
reason_message(const struct ctx *c, const struct result *res,
    const struct reason *r, char *msg, size_t len)
{
	const struct requirement	*q = r->req;
	const char			*why = q != NULL ? q->why : NULL;

	msg[0] = '\0';
	switch (r->code) {
	case R_HOST_UNKNOWN:
		if (r->msg != NULL)
			return (r->msg);
		snprintf(msg, len, "host %s has never reported an inventory",
		    res->host);
		break;
	case R_SOURCE_STALE:
		snprintf(msg, len, "the source host's last report is %lld s "
		    "old, older than the stale limit of %lld s; a live move "
		    "needs its current state", (long long)r->n1,
		    (long long)c->cfg->stale_after);
		break;
	case W_SOURCE_DATA_OLD:
		snprintf(msg, len, "the source host's last report is %lld s "
		    "old, older than half the stale limit", (long long)r->n1);
		break;
	case R_SOURCE_INCOMPLETE:
		if (r->msg != NULL)
			return (r->msg);
		snprintf(msg, len, "%s is null on the source; nothing can be "
		    "matched on it", r->field);
		break;
	case R_MIGRATION_BLOCKED:
		return (r->msg);
	case W_FACTS_UNKNOWN:
		snprintf(msg, len, "%s is not known; a rule that needs it "
		    "cannot be judged", r->field);
		break;
	case R_HOST_STALE:
		snprintf(msg, len, "last report %lld s ago, older than the "
		    "stale limit of %lld s", (long long)r->n1,
		    (long long)c->cfg->stale_after);
		break;
	case W_DATA_OLD:
		snprintf(msg, len, "last report %lld s ago, older than half "
		    "the stale limit", (long long)r->n1);
		break;
	case R_SOURCE_UNKNOWN:
		if (q != NULL)
			return (why);
		else
			snprintf(msg, len, "%s is not in the inventory",
			    strcmp(c->src->unknown_field, "source.vm") == 0 ?
			    "the source VM" : "the source host");
		break;
	case R_SOURCE_NOT_MIGRATABLE:
		return (why);
	case R_TYPE_MISSING:
		if (r->msg != NULL)
			return (r->msg);
		snprintf(msg, len, "no device offers %s type %s",
		    inv_kind_name(q->tkind), q->tid);
		break;
	case R_DEVICE_API_MISMATCH:
		snprintf(msg, len, "type %s is offered only with another "
		    "device_api", q->tid);
		break;
	case R_DEVICE_MISSING:
		snprintf(msg, len, "no device %s:%s (subsystem %s:%s)%s",
		    q->dev->p->vendor_id ? q->dev->p->vendor_id : "null",
		    q->dev->p->device_id ? q->dev->p->device_id : "null",
		    q->dev->p->subsystem_vendor_id ?
		    q->dev->p->subsystem_vendor_id : "null",
		    q->dev->p->subsystem_device_id ?
		    q->dev->p->subsystem_device_id : "null",
		    c->mode == MODE_COLD ? "" :
		    " with a migration-capable driver");
		break;
	case R_VERSION_MISMATCH:
		snprintf(msg, len, "%s differs on every candidate in a way "
		    "policy rule %s does not allow", r->field,
		    q->rule != NULL ? policy_rule_name(q->rule) : "(none)");
		break;
	case R_NO_CAPACITY:
		if (r->msg != NULL)
			return (r->msg);
		snprintf(msg, len, "not enough free instances or devices for "
		    "all requirements at once (%lld of %lld placed)",
		    (long long)r->n1, (long long)r->n2);
		break;
	case R_P2P_REQUIRED:
		snprintf(msg, len, "%lld VFIO devices migrate together and "
		    "this one lacks p2p; QEMU blocks the migration",
		    (long long)r->n1);
		break;
	case W_FLAGS_UNKNOWN:
		return ("migration flags not probed; p2p assumed");
	case R_PLATFORM_MISMATCH:
		if (r->msg != NULL)
			snprintf(msg, len, "%s", r->msg);
		else if (r->sval == NULL || r->dval == NULL)
			snprintf(msg, len, "%s is not known on both hosts",
			    r->field);
		else if (strcmp(r->field, "arch") == 0)
			snprintf(msg, len, "different architecture");
		else
			snprintf(msg, len, "destination QEMU is older than "
			    "the source's");
		break;
	case R_SAME_HOST:
		return ("live migration needs another host; use mode cpr to "
		    "update in place, cold for a resize");
	case R_CPR_UNSUPPORTED:
		return (r->msg);
	}
	return (msg);
}

static void
write_reason(struct buf *w, const struct ctx *c, const struct result *res,
    const struct reason *r)
{
	char	 msg[256];

	jw_lit(w, "{\"code\":");
	jw_str(w, rcode_names[r->code]);
	if (r->req != NULL) {
		jw_lit(w, ",\"source\":");
		jw_str(w, r->req->id);
	}
	if (r->field != NULL) {
		jw_lit(w, ",\"field\":");
		jw_str(w, r->field);
	}
	if (r->values == RV_BOTH || r->values == RV_SRC) {
		jw_lit(w, ",\"source_value\":");
		jw_str(w, r->sval);
	}
	if (r->values == RV_BOTH || r->values == RV_DST) {
		jw_lit(w, ",\"destination_value\":");
		jw_str(w, r->dval);
	}
	jw_lit(w, ",\"message\":");
	jw_str(w, reason_message(c, res, r, msg, sizeof(msg)));
	jw_lit(w, "}");
}

static void
write_assignment(struct buf *w, const struct assignment *g)
{
	jw_lit(w, "{\"source\":");
	jw_str(w, g->source);
	if (g->type != NULL) {
		jw_lit(w, ",\"parent\":");
		jw_str(w, g->device);
		jw_lit(w, ",\"type\":");
		jw_str(w, g->type);
	} else {
		jw_lit(w, ",\"device\":");
		jw_str(w, g->device);
	}
	jw_lit(w, "}");
}

static size_t
frag_hash(const uintptr_t *k, size_t n)
{
	uint64_t	 h = 0x9e3779b97f4a7c15ULL;
	size_t		 i;

	for (i = 0; i < n; i++) {
		h = (h ^ (uint64_t)k[i]) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return ((size_t)h);
}

static void
frag_grow(struct frags *f)
{
	struct frag	*old = f->tab;
	size_t		 i, j, ocap = f->cap;

	f->cap = ocap == 0 ? 64 : ocap * 2;
	f->tab = xcalloc(f->cap, sizeof(*f->tab));
	for (i = 0; i < ocap; i++) {
		if (!old[i].used)
			continue;
		for (j = old[i].hash & (f->cap - 1); f->tab[j].used;
		    j = (j + 1) & (f->cap - 1))
			;
		f->tab[j] = old[i];
	}
	free(old);
}

/* The fragment made from key (n words, hashing to hash), or NULL with
 * *slotp where to keep it (NULL too when the table is full). */
static const struct frag *
frag_find(struct frags *f, const uintptr_t *key, size_t n, size_t hash,
    struct frag **slotp)
{
	const struct frag	*e;
	size_t			 i;

	*slotp = NULL;
	if (f->n < FRAG_MAX && 2 * (f->n + 1) > f->cap)
		frag_grow(f);
	for (i = hash & (f->cap - 1); f->tab[i].used;
	    i = (i + 1) & (f->cap - 1)) {
		e = &f->tab[i];
		if (e->hash == hash && e->klen == n * sizeof(*key) &&
		    memcmp(f->keys.data + e->koff, key, e->klen) == 0)
			return (e);
	}
	if (f->n < FRAG_MAX)
		*slotp = &f->tab[i];
	return (NULL);
}

/* Copy the text kept for key (n words) into w: true. Else false, with
 * *hashp the key's hash for frag_save() once the caller wrote it. */
static bool
frag_copy(struct buf *w, struct frags *f, const uintptr_t *key, size_t n,
    size_t *hashp)
{
	const struct frag	*hit;
	struct frag		*slot;

	*hashp = frag_hash(key, n);
	if ((hit = frag_find(f, key, n, *hashp, &slot)) == NULL)
		return (false);
	jw_raw(w, f->text.data + hit->off, hit->len);
	return (true);
}

/* Keep w's text from start on as the fragment of key, if the table has
 * room. The slot is found again here: writing the text may have kept
 * fragments of its own parts and grown the table. */
static void
frag_save(struct frags *f, const uintptr_t *key, size_t n, size_t hash,
    const struct buf *w, size_t start)
{
	struct frag	*slot;

	if (frag_find(f, key, n, hash, &slot) != NULL || slot == NULL)
		return;
	slot->used = true;
	slot->hash = hash;
	slot->koff = f->keys.len;
	slot->klen = n * sizeof(*key);
	buf_add(&f->keys, key, slot->klen);
	slot->off = f->text.len;
	slot->len = w->len - start;
	buf_add(&f->text, w->data + start, slot->len);
	f->n++;
}

/* What a reason's text is made from, in REASON_KEY words. Its text
 * depends on the reason alone, except an unknown host's default
 * message, which names the host: false for that one. */
static bool
reason_key(const struct reason *r, uintptr_t *key)
{
	if (r->code == R_HOST_UNKNOWN && r->msg == NULL)
		return (false);
	key[0] = (uintptr_t)r->sev << 16 | (uintptr_t)r->code << 8 |
	    (uintptr_t)r->values;
	key[1] = (uintptr_t)r->req;
	key[2] = (uintptr_t)r->field;
	key[3] = (uintptr_t)r->sval;
	key[4] = (uintptr_t)r->dval;
	key[5] = (uintptr_t)r->msg;
	key[6] = (uintptr_t)r->n1;
	key[7] = (uintptr_t)r->n2;
	return (true);
}

/* What an assignment's text is made from, in ASSIGNMENT_KEY words,
 * tagged apart from every reason key, whose first word is below it. */
static void
assignment_key(const struct assignment *g, uintptr_t *key)
{
	key[0] = UINTPTR_MAX;
	key[1] = (uintptr_t)g->source;
	key[2] = (uintptr_t)g->device;
	key[3] = (uintptr_t)g->type;
}

static void
put_reason(struct buf *w, struct frags *f, const struct ctx *c,
    const struct result *res, const struct reason *r)
{
	uintptr_t	 key[REASON_KEY];
	size_t		 hash, start = w->len;

	if (!reason_key(r, key)) {
		write_reason(w, c, res, r);
		return;
	}
	if (frag_copy(w, f, key, REASON_KEY, &hash))
		return;
	write_reason(w, c, res, r);
	frag_save(f, key, REASON_KEY, hash, w, start);
}

static void
put_assignment(struct buf *w, struct frags *f, const struct assignment *g)
{
	uintptr_t	 key[ASSIGNMENT_KEY];
	size_t		 hash, start = w->len;

	assignment_key(g, key);
	if (frag_copy(w, f, key, ASSIGNMENT_KEY, &hash))
		return;
	write_assignment(w, g);
	frag_save(f, key, ASSIGNMENT_KEY, hash, w, start);
}

/*
 * The key of a result's text from its verdict to its score, in *np
 * words: the verdict, the counts, then every reason's and assignment's
 * key. False when the text cannot be kept (a reason that
 * names the host) or the key would be longer than FRAG_KEY_MAX.
 */
static bool
body_key(const struct ctx *c, const struct result *res, uintptr_t *key,
    size_t *np)
{
	size_t	 i, n = 3;

	if (n + res->nr * REASON_KEY + res->na * ASSIGNMENT_KEY >
	    FRAG_KEY_MAX)
		return (false);
	/* Tagged apart from reason and assignment keys by length. */
	key[0] = (uintptr_t)res->verdict;
	key[1] = res->nr;
	key[2] = res->na;
	for (i = res->r0; i < res->r0 + res->nr; i++, n += REASON_KEY)
		if (!reason_key(&c->reasons[i], key + n))
			return (false);
	for (i = res->a0; i < res->a0 + res->na; i++, n += ASSIGNMENT_KEY)
		assignment_key(&c->asg[i], key + n);
	*np = n;
	return (true);
}

/* The result's text from its verdict to its score. */
static void
write_body(struct buf *w, struct frags *f, const struct ctx *c,
    const struct result *res)
{
	size_t	 i, k;
	int	 warn;

	jw_raw(w, verdict_open[res->verdict].s, verdict_open[res->verdict].n);
	/* Reasons, then warnings: one pass each over the same range. */
	for (warn = 0; warn < 2; warn++) {
		if (warn)
			jw_lit(w, "],\"warnings\":[");
		k = 0;
		for (i = res->r0; i < res->r0 + res->nr; i++) {
			if ((c->reasons[i].sev == V_COMPATIBLE) != (warn == 1))
				continue;
			if (k++ > 0)
				jw_lit(w, ",");
			put_reason(w, f, c, res, &c->reasons[i]);
		}
	}
	jw_lit(w, "],\"assignments\":[");
	for (i = res->a0; i < res->a0 + res->na; i++) {
		if (i > res->a0)
			jw_lit(w, ",");
		put_assignment(w, f, &c->asg[i]);
	}
	jw_lit(w, "],\"score\":");
}

void
answer_result(struct buf *w, struct frags *f, const struct ctx *c,
    const struct result *res)
{
	uintptr_t	 key[FRAG_KEY_MAX];
	size_t		 n, hash, start;

	jw_lit(w, "{\"host\":");
	if (res->fh != NULL && res->fh->name_json != NULL)
		jw_raw(w, res->fh->name_json, res->fh->name_json_len);
	else
		jw_str(w, res->host);
	start = w->len;
	if (!body_key(c, res, key, &n))
		write_body(w, f, c, res);
	else if (!frag_copy(w, f, key, n, &hash)) {
		write_body(w, f, c, res);
		frag_save(f, key, n, hash, w, start);
	}
	if (res->verdict == V_COMPATIBLE)
		jw_int(w, res->score);
	else
		jw_lit(w, "null");
	jw_lit(w, ",\"data_age_s\":");
	if (res->fh == NULL)
		jw_lit(w, "null");
	else
		jw_int(w, fleet_host_age(res->fh, c->cfg->now));
	jw_lit(w, "}");
}

void
answer_free(struct frags *f)
{
	free(f->tab);
	buf_free(&f->keys);
	buf_free(&f->text);
	memset(f, 0, sizeof(*f));
}
