/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limits.h -- what bounds one client's hold on the server: a deadline
 * for each whole request (request line, headers and body), a budget for
 * the request bodies buffered by all connections together, and a
 * rate-limited log for the messages libmicrohttpd writes itself.
 *
 * libmicrohttpd's own timeout counts idle time only, so a client sending
 * one header byte now and then would hold its connection forever; the
 * deadline is enforced by a sweeper thread that shuts such connections
 * down (libmicrohttpd then closes them as it would any peer that left).
 */
#ifndef VC_LIMITS_H
#define VC_LIMITS_H

#include <stdarg.h>
#include <stddef.h>

struct limits;
struct limits_conn;

/* deadline in seconds (> 0); budget in bytes (> 0). NULL on failure. */
struct limits		*limits_start(unsigned int deadline, size_t budget);
/* Stops the sweeper; every connection must have been closed. */
void			 limits_stop(struct limits *);

/* A new connection, its deadline armed from now; fd stays the caller's. */
struct limits_conn	*limits_conn_open(struct limits *, int fd);
void			 limits_conn_close(struct limits *,
			    struct limits_conn *);
/* The request is in (or answered): no deadline while it is handled and
 * the answer is sent. */
void			 limits_conn_answered(struct limits *,
			    struct limits_conn *);
/* The answer was sent: the next request must arrive within a deadline. */
void			 limits_conn_rearm(struct limits *,
			    struct limits_conn *);

/* Take n bytes of the body budget: 0, or -1 when it would be exceeded. */
int			 limits_body_take(struct limits *, size_t n);
void			 limits_body_give(struct limits *, size_t n);

/* An MHD_LogCallback: at most a few lines a second, the rest counted. */
void			 limits_mhd_log(void *, const char *, va_list)
			    __attribute__((format(printf, 2, 0)));

#endif
