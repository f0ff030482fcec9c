/*
 * check.c -- the compatibility questions: POST /v1/check, its GET form
 * for one device or VM to one host, the destinations of a VM, and the
 * active policy.
 *
 * This file only translates between HTTP and the engine's JSON request
 * and response (compat.h); every decision is the engine's. The engine
 * runs under the fleet's read lock, so checks run in parallel and a PUT
 * waits only for the checks already under way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "fleet.h"
#include "http.h"
#include "policy.h"
#include "server.h"
#include "util/strutil.h"

static json_t	*run_check(struct server *, const json_t *,
		    struct http_reply *);
static const json_t *find_reason(const json_t *, const char *);
static int	parse_mode(const char *, struct http_reply *);

/* Ask the engine; NULL with the refusal in rep. */
static json_t *
run_check(struct server *srv, const json_t *request, struct http_reply *rep)
{
	struct compat_config	 cfg;
	struct compat_status	 st;
	json_t			*resp;

	memset(&st, 0, sizeof(st));
	cfg.policy = srv->policy;
	cfg.now = server_now();
	cfg.stale_after = srv->stale_after;
	fleet_rdlock(srv->fleet);
	resp = compat_check(srv->fleet, &cfg, request, &st);
	fleet_unlock(srv->fleet);
	if (resp == NULL) {
		http_reply_error(rep, st.http_status >= 400 &&
		    st.http_status < 600 ? (unsigned int)st.http_status : 400,
		    st.code[0] != '\0' ? st.code : "VALIDATION_FAILED",
		    st.field, "%s", st.message[0] != '\0' ? st.message :
		    "the check request is not valid");
		return (NULL);
	}
	metrics_checks(resp);
	return (resp);
}

/* The first reason with this code in one result, or NULL. */
static const json_t *
find_reason(const json_t *result, const char *code)
{
	const json_t	*reasons, *r, *c;
	size_t		 i;

	reasons = json_object_get(result, "reasons");
	json_array_foreach(reasons, i, r) {
		c = json_object_get(r, "code");
		if (json_is_string(c) && strcmp(json_string_value(c),
		    code) == 0)
			return (r);
	}
	return (NULL);
}

static int
parse_mode(const char *mode, struct http_reply *rep)
{
	if (mode == NULL || strcmp(mode, "live") == 0 ||
	    strcmp(mode, "cpr") == 0)
		return (0);
	http_reply_error(rep, 400, "INVALID_PARAMETER", "mode",
	    "must be live or cpr");
	return (-1);
}

int
check_post(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	json_t	*request, *resp;

	if ((request = http_body_json(req, rep)) == NULL)
		return (0);
	resp = run_check(srv, request, rep);
	json_decref(request);
	if (resp == NULL)
		return (0);
	return (http_reply_json(rep, 200, resp));
}

int
check_get(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	static const char *const keys[] = { "source_host", "device", "vm",
	    "mode" };
	const char	*v[4];
	const char	*dst = req->param[0];
	const json_t	*result, *unknown;
	json_t		*request, *source, *resp;

	if (!str_is_hostname(dst))
		return (http_reply_error(rep, 400, "INVALID_HOST", "dst",
		    "not a valid host name"));
	if (http_query(req, keys, v, 4, rep) == -1)
		return (0);
	if (v[0] == NULL)
		return (http_reply_error(rep, 400, "INVALID_PARAMETER",
		    "source_host", "source_host is required"));
	if (!str_is_hostname(v[0]))
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

	if (v[1] != NULL)
		source = json_pack("{s:s,s:[s]}", "host", v[0], "devices",
		    v[1]);
	else
		source = json_pack("{s:s,s:s}", "host", v[0], "vm", v[2]);
	request = json_pack("{s:s,s:o,s:[s]}", "mode",
	    v[3] != NULL ? v[3] : "live", "source", source, "destinations",
	    dst);
	if (request == NULL)
		return (-1);
	resp = run_check(srv, request, rep);
	json_decref(request);
	if (resp == NULL)
		return (0);
	result = json_array_get(json_object_get(resp, "results"), 0);
	if (result == NULL) {
		json_decref(resp);
		return (-1);
	}
	if ((unknown = find_reason(result, "SOURCE_UNKNOWN")) != NULL) {
		const json_t	*msg = json_object_get(unknown, "message");

		http_reply_error(rep, 404, "SOURCE_UNKNOWN", v[1] != NULL ?
		    "device" : "vm", "%s", json_is_string(msg) ?
		    json_string_value(msg) : "the source is not known");
		json_decref(resp);
		return (0);
	}
	json_incref((json_t *)result);
	json_decref(resp);
	return (http_reply_json(rep, 200, (json_t *)result));
}

int
check_vm_destinations(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	static const char *const keys[] = { "mode" };
	const char		*v[1];
	const char		*uuid = req->param[0];
	const struct fleet_host	*fh;
	const struct inv_vm	*vm = NULL;
	json_t			*request, *resp;

	if (!str_is_uuid(uuid))
		return (http_reply_error(rep, 400, "INVALID_PARAMETER", "uuid",
		    "not a lower-case UUID"));
	if (http_query(req, keys, v, 1, rep) == -1)
		return (0);
	if (parse_mode(v[0], rep) == -1)
		return (0);
	fleet_rdlock(srv->fleet);
	fh = fleet_find_vm(srv->fleet, uuid, &vm);
	fleet_unlock(srv->fleet);
	if (fh == NULL)
		return (http_reply_error(rep, 404, "SOURCE_UNKNOWN", "uuid",
		    "no host reports VM %s", uuid));
	request = json_pack("{s:s,s:{s:s}}", "mode", v[0] != NULL ? v[0] :
	    "live", "source", "vm", uuid);
	if (request == NULL)
		return (-1);
	resp = run_check(srv, request, rep);
	json_decref(request);
	if (resp == NULL)
		return (0);
	compat_filter_compatible(resp);
	return (http_reply_json(rep, 200, resp));
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
