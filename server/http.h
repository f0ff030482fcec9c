/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.h -- the libmicrohttpd glue: daemon, routing, bodies, replies.
 *
 * Handlers see a parsed request (route template matched, path
 * parameters extracted and length-checked, body accumulated under the
 * cap) and fill a reply; they never talk to libmicrohttpd themselves.
 * The routes and what to tell about each answer are the caller's
 * (routes.c, main.c): nothing here knows what an inventory or a check
 * is, and no handler is named here.
 */
#ifndef VC_HTTP_H
#define VC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <jansson.h>

struct buf_pieces;

#define HTTP_MAX_BODY		(4u * 1024 * 1024)
#define HTTP_MAX_PATH		1024
#define HTTP_MAX_PARAM		256	/* path and query parameter values */
#define HTTP_MAX_PATH_PARAMS	2
#define HTTP_MAX_QUERY_ARGS	8
#define HTTP_MAX_JSON_DEPTH	16
#define HTTP_MAX_TARGET		4096	/* request target, query included */
#define HTTP_MAX_HEADERS	64	/* header fields, and their bytes: */
#define HTTP_MAX_HEADER_BYTES	(16u * 1024)	/* well inside the pool */
#define HTTP_CONN_LIMIT		1024
#define HTTP_PER_IP_LIMIT	64	/* connections from one address */
#define HTTP_CONN_TIMEOUT	30	/* seconds idle */
#define HTTP_REQUEST_TIMEOUT	30	/* seconds for a whole request */
#define HTTP_BODY_BUDGET	(64u * 1024 * 1024)	/* all bodies */
/* Per connection: headers. libmicrohttpd zeroes the whole pool before
 * each request on a kept-alive connection, so every byte here is paid
 * per request; twice the header cap still holds a 16 KiB header block
 * with room for the JSON 431 (tests/server/hostile.sh). */
#define HTTP_MEMORY_LIMIT	(32u * 1024)

struct server;

/* Who may call a route (auth.c maps roles onto these). */
enum http_access {
	ACCESS_OPEN,		/* /healthz, /readyz, /metrics */
	ACCESS_READ,		/* GETs and checks */
	ACCESS_WRITE,		/* PUT of an inventory */
	ACCESS_ADMIN		/* DELETE */
};

struct http_request {
	const char	*method;
	const char	*path;
	size_t		 route;		/* index into the route table */
	char		 param[HTTP_MAX_PATH_PARAMS][HTTP_MAX_PARAM];
	size_t		 nparams;
	char		*body;
	size_t		 bodylen;
	void		*conn;		/* struct MHD_Connection, opaque */
};

struct http_reply {
	unsigned int	 status;
	char		*body;		/* malloc'd */
	size_t		 len;
	/* Or the body in pieces (malloc'd, util/buf.h), sent in order
	 * without being joined; body is then NULL and len their total. */
	struct buf_pieces *pieces;
	const char	*content_type;	/* NULL: application/json */
	const char	*allow;		/* Allow: on 405 */
	bool		 challenge;	/* WWW-Authenticate: Bearer */
};

typedef int (*http_handler)(struct server *, struct http_request *,
    struct http_reply *);

/* One method of a route: its handler, who may call it, whether it
 * takes a JSON body, and whether a refusal counts as a rejected
 * inventory update (the hooks' update_refused). */
struct http_route_method {
	const char		*method;
	http_handler		 fn;
	enum http_access	 access;
	int			 body;
	int			 update;
};

/* A route template ("/v1/hosts/{host}") and its methods. host_param is
 * the path parameter naming a host (for collector tokens), or -1. */
struct http_route {
	const char		*tmpl;
	int			 host_param;
	const char		*allow;		/* for 405's Allow header */
	struct http_route_method methods[2];
};

/* What the layer tells its user, so that it depends on nobody: every
 * answer (route index, the request's method or NULL, status, seconds),
 * and each update refused before its handler ran. Either may be NULL. */
struct http_hooks {
	void	(*answered)(size_t route, const char *method,
		    unsigned int status, double secs);
	void	(*update_refused)(void);
};

struct http_config {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 listen_fd;	/* bound and listening, or -1:
						 * libmicrohttpd binds addr */
	unsigned int		 threads;
	unsigned int		 request_timeout;	/* 0: default */
	unsigned int		 per_ip_limit;		/* 0: default */
	size_t			 body_budget;		/* 0: default */
	const char		*tls_cert;	/* PEM text, or NULL */
	const char		*tls_key;
	const char		*tls_ca;
	const struct http_route	*routes;	/* the table to route by */
	size_t			 nroutes;
	struct http_hooks	 hooks;
};

struct http_daemon;

struct http_daemon	*http_start(struct server *, const struct http_config *);
/* Stop accepting, let requests in flight finish, free. */
void			 http_stop(struct http_daemon *);

/* The running daemon's route templates, for metrics; index
 * http_nroutes() is "unmatched". */
size_t		 http_nroutes(void);
const char	*http_route_name(size_t);

/* Reply helpers; both return 0 so handlers can "return (http_...)". */
int	http_reply_json(struct http_reply *, unsigned int status, json_t *);
int	http_reply_error(struct http_reply *, unsigned int status,
	    const char *code, const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* Free what rep holds of a body (body or pieces); rep is empty after. */
void	http_reply_clear(struct http_reply *);

/*
 * Collect the query arguments named in keys[] into values[] (NULL when
 * absent). An unknown, repeated, empty or over-long argument is a 400
 * already placed in the reply; returns -1 then.
 */
int	http_query(struct http_request *, const char *const keys[],
	    const char *values[], size_t nkeys, struct http_reply *);
/* Parse the body as one JSON value, depth-checked; 400 on failure. */
json_t	*http_body_json(struct http_request *, struct http_reply *);

#endif
