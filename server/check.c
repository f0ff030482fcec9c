/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.c -- the compatibility questions: POST /v1/check, its GET form
 * for one device or VM to one host, the destinations of a VM, and the
 * active policy.
 *
 * This file only translates between HTTP and the engine's request and
 * response (compat.h): the JSON body, or for the GET form of one check
 * the query's parts, which the engine validates as it would the JSON
 * request they stand for; every decision is the engine's. The engine
 * runs under the fleet's read lock, so checks run in parallel and a PUT
 * waits only for the checks already under way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compat.h"
#include "fleet/fleet.h"
#include "http.h"
#include "policy/policy.h"
#include "server.h"
#include "util/buf.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

/* What a check answers with. */
enum answer {
	ANSWER_ALL,		/* every result */
	ANSWER_COMPATIBLE,	/* compatible results only */
	ANSWER_ONE		/* the one destination's result, bare */
};

static void	engine_config(const struct server *, struct compat_config *);
static void	refused(const struct compat_status *, struct http_reply *);
static int	run_check_text(struct server *, const json_t *,
		    const struct compat_one *, enum answer,
		    struct compat_status *, struct http_reply *);
static int	parse_mode(const char *, struct http_reply *);
static int	get_answer(struct server *, struct http_request *,
		    struct http_reply *, const char **);
static int	destinations_answer(struct server *, struct http_request *,
		    struct http_reply *, const char **);

static void
engine_config(const struct server *srv, struct compat_config *cfg)
{
	cfg->policy = srv->policy;
	cfg->now = server_now();
	cfg->stale_after = srv->stale_after;
	cfg->threads = srv->check_threads;
}

/* A request the engine refused: the HTTP form of its error kind. */
static void
refused(const struct compat_status *st, struct http_reply *rep)
{
	unsigned int	 status = 400;
	const char	*code = "VALIDATION_FAILED";

	if (st->error == COMPAT_EINTERNAL) {
		status = 500;
		code = "INTERNAL";
	}
	http_reply_error(rep, status, code, st->field, "%s",
	    st->message[0] != '\0' ? st->message :
	    "the check request is not valid");
}

/*
 * Ask the engine for the answer as text, straight into the reply: a
 * check against the whole fleet is megabytes, built once. ANSWER_ONE
 * asks the question q, which names one destination, and the answer is
 * that result alone (the GET form, which builds no JSON request: it is
 * the route benchmarked per request). Returns -1 with the refusal in
 * rep.
 */
static int
run_check_text(struct server *srv, const json_t *request,
    const struct compat_one *q, enum answer form, struct compat_status *st,
    struct http_reply *rep)
{
	struct compat_config	 cfg;
	struct buf_pieces	*pieces = NULL;
	char			*text = NULL;
	size_t			 len = 0;
	int			 rc;

	engine_config(srv, &cfg);
	fleet_rdlock(srv->fleet);
	if (form == ANSWER_ONE)
		rc = (text = compat_check_one(srv->fleet, &cfg, q, &len,
		    st)) != NULL ? 0 : -1;
	else {
		/* Megabytes made on several threads: sent as made. */
		pieces = xcalloc(1, sizeof(*pieces));
		rc = compat_check_pieces(srv->fleet, &cfg, request,
		    form == ANSWER_COMPATIBLE, pieces, st);
	}
	fleet_unlock(srv->fleet);
	if (rc == -1) {
		free(pieces);
		refused(st, rep);
		return (-1);
	}
	metrics_checks(st->n_compatible, st->n_incompatible, st->n_unknown);
	http_reply_clear(rep);
	rep->status = 200;
	rep->body = text;
	rep->len = len;
	rep->pieces = pieces;
	return (0);
}

static int
parse_mode(const char *mode, struct http_reply *rep)
{
	if (mode == NULL || strcmp(mode, "live") == 0 ||
	    strcmp(mode, "cold") == 0 || strcmp(mode, "cpr") == 0)
		return (0);
	http_reply_error(rep, 400, "INVALID_PARAMETER", "mode",
	    "must be live, cold or cpr");
	return (-1);
}

int
check_post(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	struct compat_status	 st;
	json_t			*request;
	const json_t		*mode;

	if ((request = http_body_json(req, rep)) == NULL) {
		metrics_check_request("invalid", rep->status);
		return (0);
	}
	run_check_text(srv, request, NULL, ANSWER_ALL, &st, rep);
	mode = json_object_get(request, "mode");
	metrics_check_request(mode == NULL ? "live" : json_is_string(mode) ?
	    json_string_value(mode) : "invalid", rep->status);
	json_decref(request);
	return (0);
}

int
check_get(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	const char	*mode = "invalid";
	int		 rv;

	rv = get_answer(srv, req, rep, &mode);
	metrics_check_request(mode, rep->status);
	return (rv);
}

/* The GET form; *modep is the mode once the query has one. */
static int
get_answer(struct server *srv, struct http_request *req,
    struct http_reply *rep, const char **modep)
{
	static const char *const keys[] = { "source_host", "device", "vm",
	    "mode" };
	const char		*v[4];
	char			*dst = req->param[0];
	char			 src[STR_HOST_MAX + 1];
	struct compat_one	 q;
	struct compat_status	 st;
	int			 rv;

	/* Host names are case-insensitive (SPEC 5): fold them here. */
	if (str_host_fold(dst, dst, HTTP_MAX_PARAM) == -1)
		return (http_reply_error(rep, 400, "INVALID_HOST", "dst",
		    "not a valid host name"));
	if (http_query(req, keys, v, 4, rep) == -1)
		return (0);
	if (v[0] == NULL)
		return (http_reply_error(rep, 400, "INVALID_PARAMETER",
		    "source_host", "source_host is required"));
	if (str_host_fold(v[0], src, sizeof(src)) == -1)
		return (http_reply_error(rep, 400, "INVALID_HOST",
		    "source_host", "not a valid host name"));
	if ((v[1] == NULL) == (v[2] == NULL))
		return (http_reply_error(rep, 400, "INVALID_PARAMETER",
		    v[1] == NULL ? "device" : "vm",
		    "exactly one of device and vm is required"));
	if (v[1] != NULL && !str_is_pci_address(v[1]) &&
	    !str_is_device_id(v[1]))
		return (http_reply_error(rep, 400, "INVALID_PARAMETER",
		    "device", "not a PCI address or an instance id"));
	if (v[2] != NULL && !str_is_uuid(v[2]))
		return (http_reply_error(rep, 400, "INVALID_PARAMETER", "vm",
		    "not a lower-case UUID"));
	if (parse_mode(v[3], rep) == -1)
		return (0);
	*modep = v[3] != NULL ? v[3] : "live";

	q.mode = *modep;
	q.host = src;
	q.device = v[1];
	q.vm = v[2];
	q.destination = dst;
	rv = run_check_text(srv, NULL, &q, ANSWER_ONE, &st, rep);
	if (rv == 0 && st.error == COMPAT_ENOSOURCE)
		return (http_reply_error(rep, 404, "SOURCE_UNKNOWN",
		    v[1] != NULL ? "device" : "vm", "%s", st.message));
	return (0);
}

int
check_vm_destinations(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	const char	*mode = "invalid";
	int		 rv;

	rv = destinations_answer(srv, req, rep, &mode);
	metrics_check_request(mode, rep->status);
	return (rv);
}

static int
destinations_answer(struct server *srv, struct http_request *req,
    struct http_reply *rep, const char **modep)
{
	static const char *const keys[] = { "mode" };
	const char		*v[1];
	const char		*uuid = req->param[0];
	struct compat_status	 st;
	json_t			*request;
	int			 rv;

	if (!str_is_uuid(uuid))
		return (http_reply_error(rep, 400, "INVALID_PARAMETER", "uuid",
		    "not a lower-case UUID"));
	if (http_query(req, keys, v, 1, rep) == -1)
		return (0);
	if (parse_mode(v[0], rep) == -1)
		return (0);
	*modep = v[0] != NULL ? v[0] : "live";
	request = json_pack("{s:s,s:{s:s}}", "mode", v[0] != NULL ? v[0] :
	    "live", "source", "vm", uuid);
	if (request == NULL)
		return (-1);
	rv = run_check_text(srv, request, NULL, ANSWER_COMPATIBLE, &st,
	    rep);
	json_decref(request);
	if (rv == 0 && st.error == COMPAT_ENOSOURCE)
		return (http_reply_error(rep, 404, "SOURCE_UNKNOWN", "uuid",
		    "no host reports VM %s", uuid));
	return (0);
}

int
check_policy(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	json_t	*j;

	if ((j = policy_to_json(srv->policy)) == NULL)
		return (-1);
	return (http_reply_json(rep, 200, j));
}
