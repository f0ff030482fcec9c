/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes.h -- the API's routes: which handler answers which template and
 * method, and who may call it (SPEC section 5).
 *
 * The table sits above the handlers (hosts.c, check.c, metrics.c) and
 * the HTTP layer below them (http.c, which is handed the table and
 * knows no handler by name), so nothing depends on each other in a
 * circle.
 */
#ifndef VC_ROUTES_H
#define VC_ROUTES_H

#include <stddef.h>

struct http_route;

extern const struct http_route	routes[];
extern const size_t		nroutes;

#endif
