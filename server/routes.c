/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes.c -- the route table of vfio-compatd, and the two handlers that
 * belong to no resource (/healthz, /readyz).
 */
#include <jansson.h>

#include "http.h"
#include "replica.h"
#include "routes.h"
#include "server.h"

static int	healthz(struct server *, struct http_request *,
		    struct http_reply *);
static int	readyz(struct server *, struct http_request *,
		    struct http_reply *);

const struct http_route routes[] = {
	{ "/healthz", -1, "GET", {
	    { "GET", healthz, ACCESS_OPEN, 0, 0 } } },
	{ "/readyz", -1, "GET", {
	    { "GET", readyz, ACCESS_OPEN, 0, 0 } } },
	{ "/metrics", -1, "GET", {
	    { "GET", metrics_get, ACCESS_OPEN, 0, 0 } } },
	{ "/v1/openapi.json", -1, "GET", {
	    { "GET", openapi_get, ACCESS_READ, 0, 0 } } },
	{ "/v1/policy", -1, "GET", {
	    { "GET", check_policy, ACCESS_READ, 0, 0 } } },
	{ "/v1/hosts", -1, "GET", {
	    { "GET", hosts_list, ACCESS_READ, 0, 0 } } },
	{ "/v1/hosts/{host}", 0, "GET, DELETE", {
	    { "GET", hosts_get, ACCESS_READ, 0, 0 },
	    { "DELETE", hosts_delete, ACCESS_ADMIN, 0, 0 } } },
	{ "/v1/hosts/{host}/inventory", 0, "PUT", {
	    { "PUT", hosts_put, ACCESS_WRITE, 1, 1 } } },
	{ "/v1/hosts/{dst}/check", 0, "GET", {
	    { "GET", check_get, ACCESS_READ, 0, 0 } } },
	{ "/v1/check", -1, "POST", {
	    { "POST", check_post, ACCESS_READ, 1, 0 } } },
	{ "/v1/vms/{uuid}/destinations", -1, "GET", {
	    { "GET", check_vm_destinations, ACCESS_READ, 0, 0 } } },
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
