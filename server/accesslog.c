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
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
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
#include "util/xmalloc.h"

#define ACCESSLOG_MAX_METHOD	16	/* bytes of the method kept */
#define ACCESSLOG_MAX_LINE	512

static int	 open_path(const char *);
static void	 fmt_peer(struct MHD_Connection *, char *, size_t);
static const char *token_role(struct MHD_Connection *);
static void	 clean_token(const char *, char *, size_t);

static const struct server	*al_srv;
static char			*al_path;
static int			 al_fd = -1;
static atomic_int		 al_failed;	/* a write failed: said once */

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
fmt_peer(struct MHD_Connection *conn, char *buf, size_t len)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	char				 addr[INET6_ADDRSTRLEN];

	snprintf(buf, len, "-");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
		if (inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr)))
			snprintf(buf, len, "%s:%u", addr, ntohs(sin->sin_port));
	} else if (ci->client_addr->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)
		    ci->client_addr;
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr)))
			snprintf(buf, len, "[%s]:%u", addr,
			    ntohs(sin6->sin6_port));
	}
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
clean_token(const char *s, char *out, size_t len)
{
	size_t	 i;

	if (s == NULL || *s == '\0') {
		snprintf(out, len, "-");
		return;
	}
	for (i = 0; s[i] != '\0' && i < len - 1; i++)
		out[i] = (s[i] > ' ' && s[i] < 0x7f && s[i] != '"') ?
		    s[i] : '?';
	out[i] = '\0';
}

void
accesslog_request(struct MHD_Connection *conn, const char *method,
    const char *route, unsigned int status, size_t bytes, double seconds)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 line[ACCESSLOG_MAX_LINE], when[32];
	char		 peer[INET6_ADDRSTRLEN + 16];
	char		 meth[ACCESSLOG_MAX_METHOD + 1];
	ssize_t		 w;
	int		 n;

	if (al_fd == -1)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fmt_peer(conn, peer, sizeof(peer));
	clean_token(method, meth, sizeof(meth));
	n = snprintf(line, sizeof(line), "%s.%03ldZ %s %s %s %u %zu %.6f "
	    "%s\n", when, ts.tv_nsec / 1000000, peer, meth, route, status,
	    bytes, seconds, token_role(conn));
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	w = write(al_fd, line, (size_t)n);
	if (w != n && atomic_exchange(&al_failed, 1) == 0)
		log_warn("%s: %s: lines are being lost", __func__, al_path);
}
