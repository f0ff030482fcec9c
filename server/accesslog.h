/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accesslog.h -- --access-log: one line per answered request (SPEC 9).
 *
 * A line is
 *
 *   TIME PEER METHOD ROUTE STATUS BYTES SECONDS ROLE
 *
 * TIME RFC 3339 UTC with milliseconds, PEER "addr:port" ("[v6]:port"),
 * ROUTE the route template (never the raw path), BYTES the answer
 * body, SECONDS the time from the first byte of the request to the
 * answer, ROLE the role of the bearer token ("-" without one, "invalid"
 * for a token the tokens file does not hold). The token never appears.
 */
#ifndef VC_ACCESSLOG_H
#define VC_ACCESSLOG_H

#include <stddef.h>

struct MHD_Connection;
struct server;

/* path "-" is stdout. -1 with errno set when the file cannot be opened. */
int	accesslog_open(const struct server *, const char *path);
/* Reopen the same path (SIGHUP, after logrotate moved it). */
int	accesslog_reopen(void);
void	accesslog_close(void);
/* Called once per answer by http.c; does nothing without a log. */
void	accesslog_request(struct MHD_Connection *, const char *method,
	    const char *route, unsigned int status, size_t bytes,
	    double seconds);

#endif
