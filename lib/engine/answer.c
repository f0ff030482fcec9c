/* SPDX-License-Identifier: Apache-2.0 */
/*
 * answer.c -- one result of a check as JSON text.
 *
 * The fixed shape of SPEC section 5 written straight into the answer
 * buffer: {"host", "verdict", "reasons", "warnings", "assignments",
 * "score", "data_age_s"}, reasons and warnings carrying only the keys
 * that apply to them. Messages are fixed text where they can be and
 * formatted only when they carry numbers or names.
 */
#include <stdio.h>
#include <string.h>

#include "engine/compat.h"
#include "engine/compat_int.h"
#include "fleet/fleet.h"
#include "policy/policy.h"

static const char *const rcode_names[] = {
	"HOST_UNKNOWN", "HOST_STALE", "SOURCE_UNKNOWN",
	"SOURCE_NOT_MIGRATABLE", "TYPE_MISSING", "DEVICE_API_MISMATCH",
	"DEVICE_MISSING", "VERSION_MISMATCH", "NO_CAPACITY", "P2P_REQUIRED",
	"PLATFORM_MISMATCH", "SAME_HOST", "CPR_UNSUPPORTED", "SOURCE_STALE",
	"SOURCE_INCOMPLETE", "MIGRATION_BLOCKED", "FLAGS_UNKNOWN", "DATA_OLD",
	"SOURCE_DATA_OLD", "FACTS_UNKNOWN"
};

static const char *const verdict_names[] = {
	"compatible", "unknown", "incompatible"
};

static const char *reason_message(const struct ctx *,
		    const struct result *, const struct reason *, char *,
		    size_t);
static void	 write_reason(struct buf *, const struct ctx *,
		    const struct result *, const struct reason *);

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
		    q->dev->vendor_id ? q->dev->vendor_id : "null",
		    q->dev->device_id ? q->dev->device_id : "null",
		    q->dev->subsystem_vendor_id ?
		    q->dev->subsystem_vendor_id : "null",
		    q->dev->subsystem_device_id ?
		    q->dev->subsystem_device_id : "null",
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

void
answer_result(struct buf *w, const struct ctx *c, const struct result *res)
{
	const struct reason	*r;
	const struct assignment	*g;
	size_t			 i, k;
	int			 warn;

	jw_lit(w, "{\"host\":");
	jw_str(w, res->host);
	jw_lit(w, ",\"verdict\":");
	jw_str(w, verdict_names[res->verdict]);
	/* Reasons, then warnings: one pass each over the same range. */
	for (warn = 0; warn < 2; warn++) {
		if (warn)
			jw_lit(w, "],\"warnings\":[");
		else
			jw_lit(w, ",\"reasons\":[");
		k = 0;
		for (i = res->r0; i < res->r0 + res->nr; i++) {
			r = &c->reasons[i];
			if ((r->sev == V_COMPATIBLE) != (warn == 1))
				continue;
			if (k++ > 0)
				jw_lit(w, ",");
			write_reason(w, c, res, r);
		}
	}
	jw_lit(w, "],\"assignments\":[");
	for (i = res->a0; i < res->a0 + res->na; i++) {
		g = &c->asg[i];
		if (i > res->a0)
			jw_lit(w, ",");
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
	jw_lit(w, "],\"score\":");
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
