/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c -- libmicrohttpd glue: the daemon, the routing table, request
 * bodies under a cap, access control, replies and request metrics.
 *
 * One libmicrohttpd daemon with a thread pool, each worker on its own
 * epoll set. A request is routed on its first callback, before any body
 * arrives, so that a wrong route, method, token, content type or
 * declared length is refused without reading the body. Bodies are
 * accumulated up to HTTP_MAX_BODY; anything larger is drained and
 * answered 413. Every answer, errors included, is JSON except /metrics,
 * and every answer is counted under its route template.
 *
 * With a client CA (--tls-client-ca) libmicrohttpd asks every TLS peer
 * for a certificate but lets the handshake finish without one, so each
 * request checks the peer itself: no certificate, or one that does not
 * verify against the CA for TLS client use, is a 403 before anything
 * else is looked at. This covers every route, /healthz, /readyz and
 * /metrics included: they share the listener, and a client that can
 * reach them is a client that holds a certificate.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "accesslog.h"
#include "auth.h"
#include "http.h"
#include "codec/inventory_json.h"
#include "limits.h"
#include "server.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#define CT_JSON		"application/json"
#define DRAIN_TIMEOUT_MS	5000

/* The table of the running daemon: one per process. */
static const struct http_route	*routes;
static size_t			 nroutes;
static struct http_hooks	 hooks;

struct http_ctx {
	struct http_request	 req;
	const struct http_route_method *rm;
	struct timespec		 start;
	struct limits		*lim;
	struct limits_conn	*lc;
	const char		*raw;		/* the target as received */
	size_t			 rawlen;
	struct buf		 body;		/* req.body and req.bodylen */
	size_t			 taken;		/* of the body budget */
	int			 routed;
	int			 overflow;
	int			 busy;		/* body budget exhausted */
	int			 answered;
	/* A refusal decided from the raw request target. */
	unsigned int		 refuse;
	const char		*refuse_code;
	const char		*refuse_why;
};

struct http_daemon {
	struct MHD_Daemon	*mhd;
	struct server		*srv;
	struct limits		*lim;
	int			 client_ca;	/* client certs mandatory */
};

static enum MHD_Result	access_cb(void *, struct MHD_Connection *,
			    const char *, const char *, const char *,
			    const char *, size_t *, void **);
static void		completed_cb(void *, struct MHD_Connection *,
			    void **, enum MHD_RequestTerminationCode);
static void		*uri_cb(void *, const char *, struct MHD_Connection *);
static void		connection_cb(void *, struct MHD_Connection *,
			    void **, enum MHD_ConnectionNotificationCode);
static int		raw_target_check(struct http_ctx *, const char *);
static enum MHD_Result	header_cb(void *, enum MHD_ValueKind, const char *,
			    const char *);
static int		body_append(struct http_daemon *, struct http_ctx *,
			    const char *, size_t);
static int		route_match(const char *, const char *,
			    struct http_request *);
static int		route_find(struct http_ctx *, struct http_reply *);
static int		client_cert_check(struct MHD_Connection *,
			    const char **);
static int		preflight(struct http_daemon *,
			    struct MHD_Connection *, struct http_ctx *,
			    struct http_reply *);
static void		update_refused(const struct http_ctx *);
static enum MHD_Result	send_reply(struct MHD_Connection *,
			    struct http_ctx *, struct http_reply *);
static int		is_json_type(const char *);
static double		elapsed(const struct timespec *);
static void		pieces_free(void *);
static struct MHD_Response *reply_response(struct http_reply *);

size_t
http_nroutes(void)
{
	return (nroutes);
}

const char *
http_route_name(size_t i)
{
	return (i < nroutes ? routes[i].tmpl : "unmatched");
}

void
http_reply_clear(struct http_reply *rep)
{
	free(rep->body);
	rep->body = NULL;
	pieces_free(rep->pieces);
	rep->pieces = NULL;
	rep->len = 0;
}

int
http_reply_json(struct http_reply *rep, unsigned int status, json_t *j)
{
	http_reply_clear(rep);
	rep->status = status;
	if (j == NULL) {
		rep->status = 500;
		rep->body = xstrdup("{\"error\":{\"code\":\"INTERNAL\","
		    "\"message\":\"cannot encode the answer\"}}");
		rep->len = strlen(rep->body);
		return (0);
	}
	rep->body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (rep->body == NULL)
		return (http_reply_json(rep, status, NULL));
	rep->len = strlen(rep->body);
	return (0);
}

int
http_reply_error(struct http_reply *rep, unsigned int status,
    const char *code, const char *field, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512], *p;
	json_t	*err;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages echo what the client sent (a method, a parameter):
	 * bytes that are not clean UTF-8 would make the error document
	 * itself unencodable, a 500 for a client's mistake. */
	if (!str_is_clean_utf8(msg, strlen(msg)))
		for (p = msg; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80 ||
			    (unsigned char)*p < 0x20)
				*p = '?';
	err = json_pack("{s:s,s:s}", "code", code, "message", msg);
	if (err != NULL && field != NULL && *field != '\0')
		json_object_set_new(err, "field", json_string(field));
	return (http_reply_json(rep, status, json_pack("{s:o}", "error",
	    err)));
}

struct query_ctx {
	const char *const	*keys;
	const char		**values;
	size_t			 nkeys;
	size_t			 nargs;
	const char		*bad;
	const char		*why;
};

static enum MHD_Result
query_cb(void *arg, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct query_ctx	*q = arg;
	size_t			 i;

	if (++q->nargs > HTTP_MAX_QUERY_ARGS) {
		q->bad = key;
		q->why = "too many query parameters";
		return (MHD_NO);
	}
	for (i = 0; i < q->nkeys; i++) {
		if (strcmp(key, q->keys[i]) != 0)
			continue;
		if (q->values[i] != NULL) {
			q->bad = key;
			q->why = "repeated query parameter";
			return (MHD_NO);
		}
		if (value == NULL || *value == '\0') {
			q->bad = key;
			q->why = "empty query parameter";
			return (MHD_NO);
		}
		if (strlen(value) >= HTTP_MAX_PARAM) {
			q->bad = key;
			q->why = "query parameter too long";
			return (MHD_NO);
		}
		q->values[i] = value;
		return (MHD_YES);
	}
	q->bad = key;
	q->why = "unknown query parameter";
	return (MHD_NO);
}

int
http_query(struct http_request *req, const char *const keys[],
    const char *values[], size_t nkeys, struct http_reply *rep)
{
	struct query_ctx	 q;
	size_t			 i;

	for (i = 0; i < nkeys; i++)
		values[i] = NULL;
	memset(&q, 0, sizeof(q));
	q.keys = keys;
	q.values = values;
	q.nkeys = nkeys;
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_cb,
	    &q);
	if (q.bad != NULL) {
		char	field[HTTP_MAX_PARAM];

		snprintf(field, sizeof(field), "%s", q.bad);
		http_reply_error(rep, 400, "INVALID_PARAMETER", field, "%s",
		    q.why);
		return (-1);
	}
	return (0);
}

json_t *
http_body_json(struct http_request *req, struct http_reply *rep)
{
	json_t		*j;
	json_error_t	 jerr;

	if (req->bodylen == 0) {
		http_reply_error(rep, 400, "INVALID_JSON", "(document)",
		    "the request body is empty");
		return (NULL);
	}
	j = json_loadb(req->body, req->bodylen, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &jerr);
	if (j == NULL) {
		http_reply_error(rep, 400, "INVALID_JSON", "(document)",
		    "invalid JSON at line %d column %d: %s", jerr.line,
		    jerr.column, jerr.text);
		return (NULL);
	}
	if (json_depth_exceeds(j, HTTP_MAX_JSON_DEPTH)) {
		json_decref(j);
		http_reply_error(rep, 400, "INVALID_JSON", "(document)",
		    "nested deeper than %d levels", HTTP_MAX_JSON_DEPTH);
		return (NULL);
	}
	return (j);
}

/* Match path against a template; {name} takes one non-empty segment.
 * Returns 0 on a match, 1 on a match with an over-long parameter, -1. */
static int
route_match(const char *tmpl, const char *path, struct http_request *req)
{
	const char	*t = tmpl, *p = path, *te, *pe;
	size_t		 len;
	int		 toolong = 0;

	req->nparams = 0;
	while (*t != '\0' && *p != '\0') {
		if (*t == '{') {
			if ((te = strchr(t, '}')) == NULL)
				return (-1);
			if ((pe = strchr(p, '/')) == NULL)
				pe = p + strlen(p);
			len = pe - p;
			if (len == 0 || req->nparams >= HTTP_MAX_PATH_PARAMS)
				return (-1);
			if (len >= HTTP_MAX_PARAM)
				toolong = 1;
			else {
				memcpy(req->param[req->nparams], p, len);
				req->param[req->nparams][len] = '\0';
			}
			req->nparams++;
			t = te + 1;
			p = pe;
			continue;
		}
		if (*t++ != *p++)
			return (-1);
	}
	if (*t != '\0' || *p != '\0')
		return (-1);
	return (toolong);
}

/* Route and method; fills the reply and returns -1 when refused. */
static int
route_find(struct http_ctx *ctx, struct http_reply *rep)
{
	struct http_request	*req = &ctx->req;
	const struct http_route	*r;
	const char		*method;
	size_t			 i, m;
	int			 rv;

	/* HEAD is GET without the body, which libmicrohttpd leaves out. */
	method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	req->route = nroutes;
	if (strlen(req->path) > HTTP_MAX_PATH) {
		http_reply_error(rep, 414, "URI_TOO_LONG", NULL,
		    "the path is longer than %d bytes", HTTP_MAX_PATH);
		return (-1);
	}
	for (i = 0; i < nroutes; i++) {
		r = &routes[i];
		if ((rv = route_match(r->tmpl, req->path, req)) == -1)
			continue;
		req->route = i;
		if (rv == 1) {
			http_reply_error(rep, 400, "INVALID_PARAMETER",
			    NULL, "a path parameter is longer than %d bytes",
			    HTTP_MAX_PARAM - 1);
			return (-1);
		}
		for (m = 0; m < 2 && r->methods[m].method != NULL; m++) {
			if (strcmp(r->methods[m].method, method) == 0) {
				ctx->rm = &r->methods[m];
				return (0);
			}
		}
		rep->allow = r->allow;
		http_reply_error(rep, 405, "METHOD_NOT_ALLOWED", NULL,
		    "%s is not allowed on %s (allowed: %s)", req->method,
		    r->tmpl, r->allow);
		return (-1);
	}
	http_reply_error(rep, 404, "NOT_FOUND", NULL,
	    "no such resource");
	return (-1);
}

static int
is_json_type(const char *ct)
{
	size_t	 n = strlen(CT_JSON);

	if (ct == NULL || strncasecmp(ct, CT_JSON, n) != 0)
		return (0);
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return (*ct == '\0' || *ct == ';');
}

/*
 * The TLS peer presented a certificate that verifies against the
 * trusted CAs (MHD_OPTION_HTTPS_MEM_TRUST) and may serve as a TLS
 * client certificate. Returns 0, or -1 with the reason in why.
 */
static int
client_cert_check(struct MHD_Connection *conn, const char **why)
{
	const union MHD_ConnectionInfo	*ci;
	gnutls_session_t		 session;
	gnutls_typed_vdata_st		 purpose;
	unsigned int			 npeers = 0, status = 0;

	ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL) {
		*why = "the connection is not TLS";
		return (-1);
	}
	session = ci->tls_session;
	if (gnutls_certificate_type_get(session) != GNUTLS_CRT_X509 ||
	    gnutls_certificate_get_peers(session, &npeers) == NULL ||
	    npeers == 0) {
		*why = "a client certificate is required";
		return (-1);
	}
	memset(&purpose, 0, sizeof(purpose));
	purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
	purpose.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT;
	if (gnutls_certificate_verify_peers(session, &purpose, 1,
	    &status) < 0 || status != 0) {
		*why = "the client certificate is not trusted";
		return (-1);
	}
	return (0);
}

/* An inventory update refused before its handler saw it still counts
 * as a rejected update. */
static void
update_refused(const struct http_ctx *ctx)
{
	if (ctx->rm != NULL && ctx->rm->update && hooks.update_refused != NULL)
		hooks.update_refused();
}

/* Everything decided before the body: client certificate, route,
 * method, token, type and declared length. Returns -1 with the refusal
 * in rep. */
static int
preflight(struct http_daemon *d, struct MHD_Connection *conn,
    struct http_ctx *ctx, struct http_reply *rep)
{
	struct server		*srv = d->srv;
	const struct http_route	*r;
	const char		*authz, *ct, *cl, *errstr, *why;
	const char		*host = NULL;
	long long		 len;
	int			 rv;

	/* The route first, so that a refusal is counted under it, but
	 * an uncertified client learns nothing from 404 or 405. */
	rv = route_find(ctx, rep);
	if (d->client_ca && client_cert_check(conn, &why) == -1) {
		log_debug("%s: %s %s: %s", __func__, ctx->req.method,
		    ctx->req.path, why);
		rep->allow = NULL;
		http_reply_error(rep, 403, "CLIENT_CERT_REQUIRED", NULL,
		    "%s", why);
		return (-1);
	}
	if (rv == -1)
		return (-1);
	r = &routes[ctx->req.route];
	if (srv->auth != NULL && ctx->rm->access != ACCESS_OPEN) {
		authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_AUTHORIZATION);
		if (r->host_param >= 0)
			host = ctx->req.param[r->host_param];
		switch (auth_check(srv->auth, authz, ctx->rm->access, host)) {
		case AUTH_OK:
			break;
		case AUTH_UNAUTHENTICATED:
			rep->challenge = 1;
			http_reply_error(rep, 401, "UNAUTHENTICATED",
			    NULL, "a valid bearer token is required");
			return (-1);
		case AUTH_FORBIDDEN:
			http_reply_error(rep, 403, "FORBIDDEN", NULL,
			    "the token does not allow this request");
			return (-1);
		}
	}
	if (!ctx->rm->body)
		return (0);
	ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!is_json_type(ct)) {
		http_reply_error(rep, 415, "UNSUPPORTED_MEDIA_TYPE", NULL,
		    "the body must be application/json");
		return (-1);
	}
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		len = vc_strtonum(cl, 0, LLONG_MAX, &errstr);
		if (errstr != NULL || len > (long long)HTTP_MAX_BODY) {
			http_reply_error(rep, 413, "PAYLOAD_TOO_LARGE", NULL,
			    "the body is larger than %u bytes", HTTP_MAX_BODY);
			return (-1);
		}
	}
	return (0);
}

static double
elapsed(const struct timespec *start)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9);
}

/* The MHD_create_response_from_iovec() clean-up of a reply's pieces. */
static void
pieces_free(void *arg)
{
	struct buf_pieces	*p = arg;

	if (p == NULL)
		return;
	buf_pieces_free(p);
	free(p);
}

/* The response taking rep's body over (rep keeps its len), or NULL
 * with the body freed. */
static struct MHD_Response *
reply_response(struct http_reply *rep)
{
	struct MHD_IoVec	 iov[BUF_PIECES_MAX];
	struct MHD_Response	*resp;
	struct buf_pieces	*p = rep->pieces;
	unsigned int		 i;

	if (p == NULL) {
		resp = MHD_create_response_from_buffer(rep->len, rep->body,
		    MHD_RESPMEM_MUST_FREE);
		if (resp == NULL)
			free(rep->body);
		rep->body = NULL;
		return (resp);
	}
	rep->pieces = NULL;
	rep->len = p->len;
	for (i = 0; i < p->n; i++) {
		iov[i].iov_base = p->piece[i].data;
		iov[i].iov_len = p->piece[i].len;
	}
	if ((resp = MHD_create_response_from_iovec(iov, p->n, pieces_free,
	    p)) == NULL)
		pieces_free(p);
	return (resp);
}

static enum MHD_Result
send_reply(struct MHD_Connection *conn, struct http_ctx *ctx,
    struct http_reply *rep)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	double			 secs;

	if (rep->body == NULL && rep->pieces == NULL)
		http_reply_error(rep, 500, "INTERNAL", NULL,
		    "the request could not be answered");
	if ((resp = reply_response(rep)) == NULL)
		return (MHD_NO);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    rep->content_type != NULL ? rep->content_type : CT_JSON);
	if (rep->allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
		    rep->allow);
	if (rep->challenge)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"vfio-compat\"");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, rep->status, resp);
	MHD_destroy_response(resp);
	ctx->answered = 1;
	limits_conn_answered(ctx->lim, ctx->lc);
	secs = elapsed(&ctx->start);
	if (hooks.answered != NULL)
		hooks.answered(ctx->req.route, ctx->req.method, rep->status,
		    secs);
	accesslog_request(conn, ctx->req.method,
	    http_route_name(ctx->req.route), rep->status, rep->len, secs);
	return (ret);
}

/*
 * The request target as it arrived, before libmicrohttpd splits off the
 * query and decodes it in place: a %00 would cut the decoded path short
 * and the request would be routed and authorised as the shorter path, so
 * it is refused here. Too long a target or too many query arguments are
 * refused too, and the query is cut off so that libmicrohttpd does not
 * spend its connection pool on arguments nobody will read.
 */
static int
raw_target_check(struct http_ctx *ctx, const char *raw)
{
	const char	*q, *p;
	size_t		 nargs = 0;

	ctx->raw = raw;
	ctx->rawlen = strlen(raw);
	q = strchr(raw, '?');
	if (ctx->rawlen > HTTP_MAX_TARGET) {
		ctx->refuse = 414;
		ctx->refuse_code = "URI_TOO_LONG";
		ctx->refuse_why = "the request target is too long";
	} else if (strstr(raw, "%00") != NULL) {
		ctx->refuse = 400;
		ctx->refuse_code = "INVALID_PATH";
		ctx->refuse_why = "the request target holds an encoded NUL";
	} else if (q != NULL) {
		for (p = q; *p != '\0'; p++)
			if (*p == '&' || *p == ';')
				nargs++;
		if (nargs >= HTTP_MAX_QUERY_ARGS) {
			ctx->refuse = 400;
			ctx->refuse_code = "INVALID_PARAMETER";
			ctx->refuse_why = "too many query parameters";
		}
	}
	if (ctx->refuse == 0)
		return (0);
	/* The buffer is libmicrohttpd's own and writable; an empty
	 * query leaves it nothing to parse. */
	if (q != NULL)
		((char *)q)[1] = '\0';
	return (-1);
}

struct header_count {
	size_t	n;
	size_t	bytes;
};

static enum MHD_Result
header_cb(void *arg, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct header_count	*h = arg;

	h->n++;
	h->bytes += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
	return (MHD_YES);
}

static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_daemon		*d = cls;
	const union MHD_ConnectionInfo	*ci;
	struct http_ctx			*ctx;

	ctx = xcalloc(1, sizeof(*ctx));
	ctx->lim = d->lim;
	clock_gettime(CLOCK_MONOTONIC, &ctx->start);
	ctx->req.route = nroutes;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL)
		ctx->lc = ci->socket_context;
	raw_target_check(ctx, uri);
	return (ctx);
}

static void
connection_cb(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_daemon		*d = cls;
	const union MHD_ConnectionInfo	*ci;

	switch (toe) {
	case MHD_CONNECTION_NOTIFY_STARTED:
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_ctx = ci == NULL ? NULL :
		    limits_conn_open(d->lim, ci->connect_fd);
		break;
	case MHD_CONNECTION_NOTIFY_CLOSED:
		limits_conn_close(d->lim, *socket_ctx);
		*socket_ctx = NULL;
		break;
	}
}

/*
 * Buffer n more bytes of the body. The buffer is sized to the declared
 * length when there is one, else doubled but never past the cap, and
 * every byte of it is taken from the global body budget first: when the
 * budget is spent the body is dropped and the request answered 503.
 */
static int
body_append(struct http_daemon *d, struct http_ctx *ctx, const char *data,
    size_t n)
{
	size_t	need, cap;

	if (n > HTTP_MAX_BODY - ctx->body.len) {
		ctx->overflow = 1;
		goto drop;
	}
	need = ctx->body.len + n + 1;
	if (need > ctx->body.cap) {
		cap = ctx->body.cap ? ctx->body.cap : 4096;
		while (cap < need)
			cap *= 2;
		if (cap > HTTP_MAX_BODY + 1)
			cap = HTTP_MAX_BODY + 1;
		if (cap > ctx->taken) {
			if (limits_body_take(d->lim, cap - ctx->taken) == -1) {
				ctx->busy = 1;
				goto drop;
			}
			ctx->taken = cap;
		}
		buf_resize(&ctx->body, cap);
	}
	buf_add(&ctx->body, data, n);
	return (0);

drop:
	buf_free(&ctx->body);
	limits_body_give(d->lim, ctx->taken);
	ctx->taken = 0;
	return (-1);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_daemon	*d = cls;
	struct http_ctx		*ctx = *con_cls;
	struct http_reply	 rep;
	const char		*cl, *errstr;
	long long		 len;

	memset(&rep, 0, sizeof(rep));
	if (ctx == NULL)
		return (MHD_NO);	/* uri_cb makes one for every request */
	if (!ctx->routed) {
		ctx->routed = 1;
		ctx->req.method = method;
		ctx->req.path = url;
		ctx->req.conn = conn;
		/* libmicrohttpd ends the target where the version starts;
		 * a target shorter than that span held a raw NUL byte. */
		if (ctx->refuse == 0 && version != NULL &&
		    *version != '\0' && version > ctx->raw &&
		    (size_t)(version - ctx->raw) != ctx->rawlen + 1) {
			ctx->refuse = 400;
			ctx->refuse_code = "INVALID_PATH";
			ctx->refuse_why = "the request target holds a NUL";
		}
		/* Header limits well inside libmicrohttpd's connection
		 * pool, so that this JSON 431 comes before its own. */
		if (ctx->refuse == 0) {
			struct header_count	 hc = { 0, 0 };

			MHD_get_connection_values(conn, MHD_HEADER_KIND,
			    header_cb, &hc);
			if (hc.n > HTTP_MAX_HEADERS ||
			    hc.bytes > HTTP_MAX_HEADER_BYTES) {
				ctx->refuse = 431;
				ctx->refuse_code = "HEADERS_TOO_LARGE";
				ctx->refuse_why = "more than 64 header fields "
				    "or 16 KiB of them";
			}
		}
		if (ctx->refuse != 0) {
			http_reply_error(&rep, ctx->refuse, ctx->refuse_code,
			    NULL, "%s", ctx->refuse_why);
			return (send_reply(conn, ctx, &rep));
		}
		if (preflight(d, conn, ctx, &rep) == -1) {
			update_refused(ctx);
			return (send_reply(conn, ctx, &rep));
		}
		/* A declared body takes its share of the budget before
		 * a byte of it is read. */
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (ctx->rm->body && cl != NULL) {
			len = vc_strtonum(cl, 0, HTTP_MAX_BODY, &errstr);
			if (errstr == NULL && len > 0) {
				if (limits_body_take(d->lim,
				    (size_t)len + 1) == -1) {
					http_reply_error(&rep, 503, "BUSY",
					    NULL, "too many request bodies "
					    "in flight, retry later");
					return (send_reply(conn, ctx, &rep));
				}
				ctx->taken = (size_t)len + 1;
				buf_resize(&ctx->body, ctx->taken);
			}
		}
		return (MHD_YES);
	}
	if (ctx->answered) {
		*upload_data_size = 0;
		return (MHD_YES);
	}
	if (*upload_data_size != 0) {
		if (!ctx->overflow && !ctx->busy && ctx->rm->body)
			body_append(d, ctx, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return (MHD_YES);
	}
	if (ctx->overflow) {
		update_refused(ctx);
		http_reply_error(&rep, 413, "PAYLOAD_TOO_LARGE", NULL,
		    "the body is larger than %u bytes", HTTP_MAX_BODY);
		return (send_reply(conn, ctx, &rep));
	}
	if (ctx->busy) {
		http_reply_error(&rep, 503, "BUSY", NULL,
		    "too many request bodies in flight, retry later");
		return (send_reply(conn, ctx, &rep));
	}
	if (ctx->body.data == NULL)
		buf_resize(&ctx->body, 1);
	ctx->req.body = ctx->body.data;
	ctx->req.bodylen = ctx->body.len;
	/* The request is in: the deadline bounds the client, not the
	 * time the handler takes. */
	limits_conn_answered(d->lim, ctx->lc);
	if (ctx->rm->fn(d->srv, &ctx->req, &rep) == -1)
		http_reply_clear(&rep);
	return (send_reply(conn, ctx, &rep));
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_daemon	*d = cls;
	struct http_ctx		*ctx = *con_cls;

	if (ctx == NULL)
		return;
	/* The next request on this connection gets a deadline of its
	 * own, counted from now. */
	limits_conn_rearm(d->lim, ctx->lc);
	limits_body_give(d->lim, ctx->taken);
	buf_free(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}

struct http_daemon *
http_start(struct server *srv, const struct http_config *cfg)
{
	struct http_daemon	*d;
	struct MHD_OptionItem	 opts[24];
	unsigned int		 flags, threads;
	size_t			 n = 0;

	d = xcalloc(1, sizeof(*d));
	d->srv = srv;
	routes = cfg->routes;
	nroutes = cfg->nroutes;
	hooks = cfg->hooks;
	d->client_ca = cfg->tls_cert != NULL && cfg->tls_ca != NULL;
	d->lim = limits_start(cfg->request_timeout > 0 ?
	    cfg->request_timeout : HTTP_REQUEST_TIMEOUT,
	    cfg->body_budget > 0 ? cfg->body_budget : HTTP_BODY_BUDGET);
	if (d->lim == NULL) {
		free(d);
		return (NULL);
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (cfg->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	threads = cfg->threads > 0 ? cfg->threads : 2;
	/* The logger first, so that option errors go through it too. */
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER,
	    (intptr_t)limits_mhd_log, NULL };
	if (cfg->listen_fd >= 0)
		opts[n++] = (struct MHD_OptionItem){
		    MHD_OPTION_LISTEN_SOCKET, cfg->listen_fd, NULL };
	else
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0,
		    (void *)&cfg->addr };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
	    threads, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
	    HTTP_CONN_LIMIT, NULL };
	opts[n++] = (struct MHD_OptionItem){
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit > 0 ?
	    cfg->per_ip_limit : HTTP_PER_IP_LIMIT, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
	    HTTP_CONN_TIMEOUT, NULL };
	opts[n++] = (struct MHD_OptionItem){
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_MEMORY_LIMIT, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    512, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_URI_LOG_CALLBACK,
	    (intptr_t)uri_cb, d };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION,
	    (intptr_t)connection_cb, d };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
	    (intptr_t)completed_cb, d };
	if (cfg->tls_cert != NULL) {
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
		    0, (void *)cfg->tls_cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
		    0, (void *)cfg->tls_key };
		if (cfg->tls_ca != NULL)
			opts[n++] = (struct MHD_OptionItem){
			    MHD_OPTION_HTTPS_MEM_TRUST, 0,
			    (void *)cfg->tls_ca };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	d->mhd = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, d,
	    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (d->mhd == NULL) {
		log_warnx("%s: cannot start the HTTP daemon", __func__);
		limits_stop(d->lim);
		free(d);
		return (NULL);
	}
	return (d);
}

void
http_stop(struct http_daemon *d)
{
	const union MHD_DaemonInfo	*info;
	MHD_socket			 fd;
	int				 waited = 0;

	if (d == NULL)
		return;
	fd = MHD_quiesce_daemon(d->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	while (waited < DRAIN_TIMEOUT_MS) {
		info = MHD_get_daemon_info(d->mhd,
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (info == NULL || info->num_connections == 0)
			break;
		usleep(20 * 1000);
		waited += 20;
	}
	MHD_stop_daemon(d->mhd);
	limits_stop(d->lim);
	free(d);
}
