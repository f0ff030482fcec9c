/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accesslog.c -- --access-log FILE|-: one line per answered request.
 *
 * Each line goes out with a single write(2) on a descriptor opened with
 * O_APPEND, so lines from the worker threads never interleave and no
 * lock is taken on the request path. SIGHUP reopens the file by name
 * and dup2()s the new descriptor over the old one, which is what
 * logrotate's "move, then signal" needs and is atomic for the writers.
 *
 * The token's role is found by asking auth.c the same question a
 * request asks (auth_check), so there is one reading of the tokens
 * file; the token itself is never written. Every field that comes from
 * the client (the method) is cut short and stripped of anything that
 * could split or forge a line.
 *
 * A line is put together by hand, without snprintf, and the time of
 * day is formatted once a second per thread (gmtime_r takes glibc's
 * time zone lock): with the log on, formatting a line cost as much as
 * writing it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "accesslog.h"
#include "auth.h"
#include "server.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#define ACCESSLOG_MAX_METHOD	16	/* bytes of the method kept */
#define ACCESSLOG_MAX_LINE	512

/* A line being put together; past end nothing more is kept. */
struct line {
	char	*p, *end;
};

static int	 open_path(const char *);
static void	 put(struct line *, const char *, size_t);
static void	 put_str(struct line *, const char *);
static void	 put_u64(struct line *, uint64_t);
static void	 put_seconds(struct line *, double);
static void	 put_peer(struct line *, struct MHD_Connection *);
static void	 put_token(struct line *, const char *);
static const char *token_role(struct MHD_Connection *);

static const struct server	*al_srv;
static char			*al_path;
static int			 al_fd = -1;
static atomic_int		 al_failed;	/* a write failed: said once */
/* The second of this thread's last line, and its text. */
static _Thread_local time_t	 al_sec;
static _Thread_local char	 al_when[24];

static int
open_path(const char *path)
{
	if (strcmp(path, "-") == 0)
		return (dup(STDOUT_FILENO));
	return (open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY, 0640));
}

int
accesslog_open(const struct server *srv, const char *path)
{
	int	 fd;

	if ((fd = open_path(path)) == -1)
		return (-1);
	al_srv = srv;
	al_path = xstrdup(path);
	al_fd = fd;
	return (0);
}

int
accesslog_reopen(void)
{
	int	 fd;

	if (al_fd == -1 || strcmp(al_path, "-") == 0)
		return (0);
	if ((fd = open_path(al_path)) == -1) {
		log_warn("%s: %s", __func__, al_path);
		return (-1);
	}
	if (dup2(fd, al_fd) == -1) {
		log_warn("%s: %s", __func__, al_path);
		close(fd);
		return (-1);
	}
	close(fd);
	atomic_store(&al_failed, 0);
	return (0);
}

void
accesslog_close(void)
{
	if (al_fd != -1)
		close(al_fd);
	al_fd = -1;
	free(al_path);
	al_path = NULL;
	al_srv = NULL;
}

static void
put(struct line *l, const char *s, size_t n)
{
	if (n > (size_t)(l->end - l->p))
		n = (size_t)(l->end - l->p);
	memcpy(l->p, s, n);
	l->p += n;
}

static void
put_str(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void
put_u64(struct line *l, uint64_t v)
{
	char	 d[STR_U64_MAX];

	put(l, d, str_put_u64(d, v));
}

/* As %.6f would print them. */
static void
put_seconds(struct line *l, double seconds)
{
	uint64_t	 us = seconds > 0 ? (uint64_t)(seconds * 1e6 + 0.5) : 0;
	char		 frac[7];
	int		 i;

	put_u64(l, us / 1000000);
	frac[0] = '.';
	for (i = 6, us %= 1000000; i > 0; i--, us /= 10)
		frac[i] = (char)('0' + us % 10);
	put(l, frac, sizeof(frac));
}

static void
put_peer(struct line *l, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	const unsigned char		*a;
	char				 addr[INET6_ADDRSTRLEN];
	int				 i;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL &&
	    ci->client_addr->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
		a = (const unsigned char *)&sin->sin_addr;
		for (i = 0; i < 4; i++) {
			if (i > 0)
				put(l, ".", 1);
			put_u64(l, a[i]);
		}
		put(l, ":", 1);
		put_u64(l, ntohs(sin->sin_port));
	} else if (ci != NULL && ci->client_addr != NULL &&
	    ci->client_addr->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)
		    ci->client_addr;
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, addr,
		    sizeof(addr)) == NULL) {
			put(l, "-", 1);
			return;
		}
		put(l, "[", 1);
		put_str(l, addr);
		put(l, "]:", 2);
		put_u64(l, ntohs(sin6->sin6_port));
	} else
		put(l, "-", 1);
}

/*
 * The role of the presented token: admin when it may do everything,
 * collector when it may write, reader when it is known but may do
 * neither. Without a tokens file nobody has a role.
 */
static const char *
token_role(struct MHD_Connection *conn)
{
	const char	*authz;

	authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (authz == NULL || al_srv == NULL || al_srv->auth == NULL)
		return ("-");
	switch (auth_check(al_srv->auth, authz, ACCESS_ADMIN, NULL)) {
	case AUTH_OK:
		return ("admin");
	case AUTH_UNAUTHENTICATED:
		return ("invalid");
	case AUTH_FORBIDDEN:
		break;
	}
	if (auth_check(al_srv->auth, authz, ACCESS_WRITE, NULL) == AUTH_OK)
		return ("collector");
	return ("reader");
}

/* An HTTP token from the client: printable, no spaces, cut short. */
static void
put_token(struct line *l, const char *s)
{
	char	 out[ACCESSLOG_MAX_METHOD];
	size_t	 i;

	if (s == NULL || *s == '\0') {
		put(l, "-", 1);
		return;
	}
	for (i = 0; s[i] != '\0' && i < sizeof(out); i++)
		out[i] = (s[i] > ' ' && s[i] < 0x7f && s[i] != '"') ?
		    s[i] : '?';
	put(l, out, i);
}

void
accesslog_request(struct MHD_Connection *conn, const char *method,
    const char *route, unsigned int status, size_t bytes, double seconds)
{
	struct timespec	 ts;
	struct tm	 tm;
	struct line	 l;
	char		 line[ACCESSLOG_MAX_LINE], ms[3];
	size_t		 n;
	ssize_t		 w;

	if (al_fd == -1)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != al_sec || al_when[0] == '\0') {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(al_when, sizeof(al_when), "%Y-%m-%dT%H:%M:%S", &tm);
		al_sec = ts.tv_sec;
	}
	l.p = line;
	l.end = line + sizeof(line) - 1;	/* room for the newline */
	put_str(&l, al_when);
	ms[0] = (char)('0' + ts.tv_nsec / 100000000);
	ms[1] = (char)('0' + ts.tv_nsec / 10000000 % 10);
	ms[2] = (char)('0' + ts.tv_nsec / 1000000 % 10);
	put(&l, ".", 1);
	put(&l, ms, 3);
	put(&l, "Z ", 2);
	put_peer(&l, conn);
	put(&l, " ", 1);
	put_token(&l, method);
	put(&l, " ", 1);
	put_str(&l, route);
	put(&l, " ", 1);
	put_u64(&l, status);
	put(&l, " ", 1);
	put_u64(&l, bytes);
	put(&l, " ", 1);
	put_seconds(&l, seconds);
	put(&l, " ", 1);
	put_str(&l, token_role(conn));
	*l.p++ = '\n';
	n = (size_t)(l.p - line);
	w = write(al_fd, line, n);
	if (w != (ssize_t)n && atomic_exchange(&al_failed, 1) == 0)
		log_warn("%s: %s: lines are being lost", __func__, al_path);
}
