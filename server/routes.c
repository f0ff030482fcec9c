/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes.c -- the route table of vfio-compatd, and the two handlers that
 * belong to no resource (/healthz, /readyz).
 *
 * Every route that reads or writes the fleet goes through load_gate()
 * first: during the start-up load it answers 503 LOADING (load.h).
 */
#include <jansson.h>

#include "http.h"
#include "load.h"
#include "replica.h"
#include "routes.h"
#include "server.h"

static int	healthz(struct server *, struct http_request *,
		    struct http_reply *);
static int	readyz(struct server *, struct http_request *,
		    struct http_reply *);

/* The handler fn behind load_gate(). */
#define GATED(fn)							\
static int								\
gated_##fn(struct server *srv, struct http_request *req,		\
    struct http_reply *rep)						\
{									\
	if (load_gate(srv, rep) == -1)					\
		return (0);						\
	return (fn(srv, req, rep));					\
}
GATED(metrics_get)
GATED(hosts_list)
GATED(hosts_get)
GATED(hosts_delete)
GATED(hosts_put)
GATED(check_get)
GATED(check_post)
GATED(check_vm_destinations)

const struct http_route routes[] = {
	{ "/healthz", -1, "GET", {
	    { "GET", healthz, ACCESS_OPEN, 0, 0 } } },
	{ "/readyz", -1, "GET", {
	    { "GET", readyz, ACCESS_OPEN, 0, 0 } } },
	{ "/metrics", -1, "GET", {
	    { "GET", gated_metrics_get, ACCESS_OPEN, 0, 0 } } },
	{ "/v1/openapi.json", -1, "GET", {
	    { "GET", openapi_get, ACCESS_READ, 0, 0 } } },
	{ "/v1/policy", -1, "GET", {
	    { "GET", check_policy, ACCESS_READ, 0, 0 } } },
	{ "/v1/hosts", -1, "GET", {
	    { "GET", gated_hosts_list, ACCESS_READ, 0, 0 } } },
	{ "/v1/hosts/{host}", 0, "GET, DELETE", {
	    { "GET", gated_hosts_get, ACCESS_READ, 0, 0 },
	    { "DELETE", gated_hosts_delete, ACCESS_ADMIN, 0, 0 } } },
	{ "/v1/hosts/{host}/inventory", 0, "PUT", {
	    { "PUT", gated_hosts_put, ACCESS_WRITE, 1, 1 } } },
	{ "/v1/hosts/{dst}/check", 0, "GET", {
	    { "GET", gated_check_get, ACCESS_READ, 0, 0 } } },
	{ "/v1/check", -1, "POST", {
	    { "POST", gated_check_post, ACCESS_READ, 1, 0 } } },
	{ "/v1/vms/{uuid}/destinations", -1, "GET", {
	    { "GET", gated_check_vm_destinations, ACCESS_READ, 0, 0 } } },
};
const size_t nroutes = sizeof(routes) / sizeof(routes[0]);

static int
healthz(struct server *srv, struct http_request *req, struct http_reply *rep)
{
	return (http_reply_json(rep, 200, json_pack("{s:s}", "status", "ok")));
}

static int
readyz(struct server *srv, struct http_request *req, struct http_reply *rep)
{
	if (load_gate(srv, rep) == -1)
		return (0);
	if (hosts_ready(srv) == -1)
		return (http_reply_error(rep, 503, "STORE_UNAVAILABLE", NULL,
		    "the store does not answer"));
	/* A replica that cannot read the others' writes answers from a
	 * fleet that may be behind them. */
	if (srv->replica != NULL && !replica_connected(srv->replica))
		return (http_reply_error(rep, 503, "STORE_UNAVAILABLE", NULL,
		    "not following the store's changes"));
	return (http_reply_json(rep, 200,
	    json_pack("{s:s}", "status", "ready")));
}
