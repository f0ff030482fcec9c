/* SPDX-License-Identifier: Apache-2.0 */
/*
 * openapi.c -- GET /v1/openapi.json: schema/openapi.yaml as JSON.
 *
 * The YAML is converted when the server is built (server/local.mk) and
 * embedded, so the document served is always the one the binary was
 * built with and the server needs no data files at run time.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "server.h"
#include "util/xmalloc.h"

extern const char	openapi_json[];
extern const size_t	openapi_json_len;

int
openapi_get(struct server *srv, struct http_request *req,
    struct http_reply *rep)
{
	free(rep->body);
	rep->status = 200;
	rep->body = xmalloc(openapi_json_len + 1);
	memcpy(rep->body, openapi_json, openapi_json_len + 1);
	rep->len = openapi_json_len;
	return (0);
}
