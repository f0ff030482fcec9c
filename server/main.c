/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c -- vfio-compatd: options, start-up and shutdown.
 *
 * Start-up binds the port and starts the HTTP daemon first; load.c then
 * opens the store, loads every stored inventory into the fleet (checks
 * never touch SQLite) and optionally adds the demo fleet, while /healthz
 * answers and everything that needs the fleet says 503 LOADING. A load
 * that fails ends the process as a start-up failure (exit 1); SIGTERM
 * during the load stops it and exits 0. SIGTERM and SIGINT are blocked in every
 * thread and taken synchronously by the main thread with sigwait(), so
 * shutdown is ordinary code: stop accepting, drain, free, exit 0.
 *
 * --tls-client-ca makes a client certificate signed by one of the CAs
 * in that PEM file mandatory for every request (http.c checks it).
 *
 * Every start-up failure is one "error:" line naming what failed and a
 * non-zero exit: 2 for a command line that cannot work, 1 for the rest.
 * The listening socket is bound here, not by libmicrohttpd, so that a
 * port in use or an address not on this host is reported with the
 * address and the system's reason rather than the library's words.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "accesslog.h"
#include "auth.h"
#include "fleet/fleet.h"
#include "http.h"
#include "load.h"
#include "metrics_fleet.h"
#include "policy/policy.h"
#include "replica.h"
#include "routes.h"
#include "server.h"
#include "store/store.h"
#include "util/file.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#ifndef DEMO_DIR
#define DEMO_DIR	"deploy/demo"
#endif

#define DEFAULT_LISTEN		"127.0.0.1:8080"
#define DEFAULT_DB		"vfio-compat.db"
#define DEFAULT_STALE_AFTER	300
#define MAX_STALE_AFTER		(10LL * 365 * 86400)
#define MAX_THREADS		64
#define MAX_CHECK_THREADS	16	/* parallel.c caps parts there too */
#define MAX_PEM			(256 * 1024)

enum {
	OPT_LISTEN = 256,
	OPT_DB,
	OPT_TOKENS,
	OPT_POLICY,
	OPT_STALE_AFTER,
	OPT_THREADS,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TLS_CLIENT_CA,
	OPT_DEMO,
	OPT_DEMO_DIR,
	OPT_REQUEST_TIMEOUT,
	OPT_ACCESS_LOG,
	OPT_METRICS_DETAIL,
	OPT_IMPORT,
	OPT_CHECK_THREADS
};

static const struct option longopts[] = {
	{ "listen",		required_argument,	NULL, OPT_LISTEN },
	{ "db",			required_argument,	NULL, OPT_DB },
	{ "tokens",		required_argument,	NULL, OPT_TOKENS },
	{ "policy",		required_argument,	NULL, OPT_POLICY },
	{ "stale-after",	required_argument,	NULL, OPT_STALE_AFTER },
	{ "threads",		required_argument,	NULL, OPT_THREADS },
	{ "check-threads",	required_argument,	NULL,
	    OPT_CHECK_THREADS },
	{ "tls-cert",		required_argument,	NULL, OPT_TLS_CERT },
	{ "tls-key",		required_argument,	NULL, OPT_TLS_KEY },
	{ "tls-client-ca",	required_argument,	NULL, OPT_TLS_CLIENT_CA },
	{ "demo",		optional_argument,	NULL, OPT_DEMO },
	/* The older spelling of --demo DIR, kept for existing scripts. */
	{ "demo-dir",		required_argument,	NULL, OPT_DEMO_DIR },
	{ "request-timeout",	required_argument,	NULL,
	    OPT_REQUEST_TIMEOUT },
	{ "access-log",		required_argument,	NULL, OPT_ACCESS_LOG },
	{ "metrics-detail",	no_argument,		NULL,
	    OPT_METRICS_DETAIL },
	{ "import",		required_argument,	NULL, OPT_IMPORT },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL,			0,			NULL, 0 }
};

__attribute__((noreturn)) static void	usage(int);
__attribute__((noreturn, format(printf, 1, 2)))
static void	bad_usage(const char *, ...);
static const char *parse_listen(const char *, struct http_config *);
static int	open_listener(struct http_config *);
static int	is_loopback(const struct http_config *);
static char	*read_pem(const char *);
static void	 update_refused(void);
static int	check_ca(const char *, const char *);
static int	import_store(const char *, const char *);

/* An inventory PUT refused before hosts_put() ran (auth, size). */
static void
update_refused(void)
{
	metrics_update("rejected");
}

static void
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: vfio-compatd [--listen ADDR:PORT] [--db PATH|URI] "
	    "[--tokens FILE]\n"
	    "           [--policy FILE] [--stale-after SEC] [--threads N]\n"
	    "           [--check-threads N]\n"
	    "           [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]\n"
	    "           [--request-timeout SEC] [--demo [DIR]] "
	    "[--access-log FILE|-]\n"
	    "           [--metrics-detail] [-v] [--version]\n"
	    "       vfio-compatd --db URI --import FILE.db\n"
	    "\n"
	    "  --listen ADDR:PORT  address to serve on (default %s);\n"
	    "                      beyond loopback only with --tokens\n"
	    "  --db PATH|URI       SQLite store (default ./%s), or a\n"
	    "                      postgresql:// URI shared by replicas\n"
	    "  --tokens FILE       lines \"<sha256 hex> <role> <host glob>\"\n"
	    "  --policy FILE       comparison policy (JSON); default built in\n"
	    "  --stale-after SEC   report age that makes a host stale "
	    "(default %d)\n"
	    "  --threads N         HTTP worker threads (default 2 per CPU)\n"
	    "  --check-threads N   threads one check against thousands of\n"
	    "                      hosts may use (default 1 per CPU, at\n"
	    "                      most %d)\n"
	    "  --request-timeout SEC  time for a whole request, headers\n"
	    "                      and body (default %d; %d connections\n"
	    "                      per client address)\n"
	    "  --tls-cert, --tls-key  serve HTTPS with this PEM pair\n"
	    "  --tls-client-ca PEM every request, /healthz and /metrics\n"
	    "                      included, needs a client certificate\n"
	    "                      signed by a CA in PEM; others get 403\n"
	    "  --demo [DIR]        load the sample fleet from DIR (default\n"
	    "                      %s); demo hosts never go stale\n"
	    "  --access-log FILE   one line per request to FILE (- for\n"
	    "                      stdout); SIGHUP reopens it\n"
	    "  --metrics-detail    also the per-host, per-device series in\n"
	    "                      /metrics (small fleets: grows with\n"
	    "                      hosts x types)\n"
	    "  --import FILE.db    copy the hosts of a SQLite store into\n"
	    "                      --db as stored, then exit (no server)\n"
	    "  --version           print the version and exit\n",
	    DEFAULT_LISTEN, DEFAULT_DB, DEFAULT_STALE_AFTER, MAX_CHECK_THREADS,
	    HTTP_REQUEST_TIMEOUT, HTTP_PER_IP_LIMIT, DEMO_DIR);
	exit(code);
}

/* A command line that cannot work: one line, exit 2. */
static void
bad_usage(const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vfio-compatd: error: %s (see vfio-compatd --help)\n",
	    msg);
	exit(2);
}

/* NULL when arg is a usable ADDR:PORT, else why it is not. */
static const char *
parse_listen(const char *arg, struct http_config *cfg)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&cfg->addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&cfg->addr;
	char			 host[INET6_ADDRSTRLEN + 2];
	const char		*colon, *errstr, *h;
	size_t			 hlen;
	long long		 port;

	if ((colon = strrchr(arg, ':')) == NULL || colon[1] == '\0')
		return ("expected ADDR:PORT, for example 127.0.0.1:8080");
	port = vc_strtonum(colon + 1, 0, 65535, &errstr);
	if (errstr != NULL)
		return ("the port is not a number from 1 to 65535");
	if (port == 0)
		return ("port 0 is not a port a client can be told; give one "
		    "from 1 to 65535");
	h = arg;
	hlen = colon - arg;
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0)
		return ("the address is missing, for example 127.0.0.1:8080");
	if (hlen >= sizeof(host))
		return ("the address is not an IPv4 or IPv6 address");
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	memset(&cfg->addr, 0, sizeof(cfg->addr));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		cfg->addrlen = sizeof(*sin);
		return (NULL);
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		cfg->addrlen = sizeof(*sin6);
		return (NULL);
	}
	return ("the address is not an IPv4 or IPv6 address (names other "
	    "than localhost are not looked up; IPv6 goes in brackets)");
}

/*
 * Bind and listen on cfg->addr; the descriptor goes to cfg->listen_fd.
 * -1 with errno set.
 */
static int
open_listener(struct http_config *cfg)
{
	int	 fd, on = 1, saved;

	fd = socket(cfg->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	/* [::] means IPv6 only: 0.0.0.0 is how to ask for IPv4. */
	if (cfg->addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(fd, (struct sockaddr *)&cfg->addr, cfg->addrlen) == -1 ||
	    listen(fd, 512) == -1)
		goto fail;
	cfg->listen_fd = fd;
	return (0);

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return (-1);
}

static int
is_loopback(const struct http_config *cfg)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (cfg->addr.ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)&cfg->addr;
		return ((ntohl(sin->sin_addr.s_addr) >> 24) == 127);
	}
	sin6 = (const struct sockaddr_in6 *)&cfg->addr;
	return (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
}

/* A PEM file: non-empty and no larger than any sane chain. */
static char *
read_pem(const char *path)
{
	char	*buf;
	size_t	 len;

	if ((buf = file_read(path, MAX_PEM, &len)) != NULL && len == 0) {
		log_warnx("%s: empty", path);
		free(buf);
		buf = NULL;
	}
	return (buf);
}

/* The PEM text holds at least one X.509 certificate. */
static int
check_ca(const char *path, const char *pem)
{
	gnutls_x509_crt_t	*crts = NULL;
	gnutls_datum_t		 data;
	unsigned int		 i, n = 0;
	int			 rv;

	data.data = (unsigned char *)pem;
	data.size = strlen(pem);
	rv = gnutls_x509_crt_list_import2(&crts, &n, &data,
	    GNUTLS_X509_FMT_PEM, 0);
	if (rv < 0 || n == 0) {
		log_warnx("%s: %s: no usable CA certificate: %s", __func__,
		    path, rv < 0 ? gnutls_strerror(rv) : "none found");
		return (-1);
	}
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	return (0);
}

/*
 * --import: copy the SQLite store at path into the --db store (the move
 * to PostgreSQL), keeping generations, digests and times. The source is
 * opened exclusively, so a server still writing it is refused rather
 * than copied half-way; hosts the target already holds are kept, so a
 * copy that stopped can be run again. Exit status for main().
 */
static int
import_store(const char *path, const char *db)
{
	struct store	*src = NULL, *dst = NULL;
	struct stat	 sb;
	char		*err = NULL;
	size_t		 copied = 0, kept = 0;
	int		 rv = 1;

	if (strstr(path, "://") != NULL) {
		log_errorx("--import %s: give the SQLite file to copy from; "
		    "the database to copy into is --db", path);
		return (2);
	}
	/* Opening a missing file would create an empty store. */
	if (stat(path, &sb) == -1) {
		log_errorx("--import %s: %s", path, strerror(errno));
		return (1);
	}
	if (!S_ISREG(sb.st_mode)) {
		log_errorx("--import %s: not a regular file", path);
		return (1);
	}
	if ((src = store_open_opts(path, STORE_EXCLUSIVE | STORE_VERIFY,
	    &err)) == NULL) {
		log_errorx("--import %s: %s", path, err);
		goto done;
	}
	free(err);
	err = NULL;
	if ((dst = store_open(db, &err)) == NULL) {
		log_errorx("cannot open the database: %s", err);
		goto done;
	}
	if (store_copy(dst, src, &copied, &kept) == -1) {
		log_errorx("--import %s: stopped after %zu hosts: %s", path,
		    copied, store_error(dst));
		goto done;
	}
	log_info("imported %zu hosts from %s into the %s store (%zu it "
	    "already held, kept as they were)", copied, path,
	    store_engine_name(dst), kept);
	rv = 0;
done:
	store_close(dst);
	store_close(src);
	free(err);
	return (rv);
}

int
main(int argc, char *argv[])
{
	struct server		 srv;
	struct http_config	 hc;
	struct http_daemon	*d = NULL;
	struct loader		*ld = NULL;
	struct load_config	 lc;
	struct inv_error	 perr;
	const char		*listen = DEFAULT_LISTEN, *db = DEFAULT_DB;
	const char		*tokens = NULL, *policy = NULL, *errstr;
	const char		*cert = NULL, *key = NULL, *ca = NULL;
	const char		*demo_dir = NULL, *access_log = NULL;
	const char		*import = NULL;
	const char		*why;
	char			*cert_pem = NULL, *key_pem = NULL, *banner = NULL;
	char			*ca_pem = NULL;
	long			 ncpu;
	long long		 threads = 0, check_threads = 0;
	sigset_t		 set;
	int			 ch, sig, verbose = 0, demo = 0, rv = 1;
	bool			 metrics_detail = false;

	memset(&srv, 0, sizeof(srv));
	memset(&hc, 0, sizeof(hc));
	hc.listen_fd = -1;
	opterr = 0;
	srv.stale_after = DEFAULT_STALE_AFTER;
	/* "+": no permutation, so --demo may take the next word as DIR. */
	while ((ch = getopt_long(argc, argv, "+hvV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LISTEN:
			listen = optarg;
			break;
		case OPT_DB:
			db = optarg;
			break;
		case OPT_TOKENS:
			tokens = optarg;
			break;
		case OPT_POLICY:
			policy = optarg;
			break;
		case OPT_STALE_AFTER:
			srv.stale_after = vc_strtonum(optarg, 1,
			    MAX_STALE_AFTER, &errstr);
			if (errstr != NULL)
				bad_usage("--stale-after %s: %s", optarg,
				    errstr);
			break;
		case OPT_THREADS:
			threads = vc_strtonum(optarg, 1, MAX_THREADS, &errstr);
			if (errstr != NULL)
				bad_usage("--threads %s: %s (1 to %d)", optarg,
				    errstr, MAX_THREADS);
			break;
		case OPT_CHECK_THREADS:
			check_threads = vc_strtonum(optarg, 1,
			    MAX_CHECK_THREADS, &errstr);
			if (errstr != NULL)
				bad_usage("--check-threads %s: %s (1 to %d)",
				    optarg, errstr, MAX_CHECK_THREADS);
			break;
		case OPT_TLS_CERT:
			cert = optarg;
			break;
		case OPT_TLS_KEY:
			key = optarg;
			break;
		case OPT_TLS_CLIENT_CA:
			ca = optarg;
			break;
		case OPT_DEMO:
			demo = 1;
			if (optarg != NULL)
				demo_dir = optarg;
			else if (optind < argc && argv[optind][0] != '-')
				demo_dir = argv[optind++];
			break;
		case OPT_REQUEST_TIMEOUT:
			hc.request_timeout = (unsigned int)vc_strtonum(optarg,
			    1, 3600, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "vfio-compatd: "
				    "--request-timeout %s: %s\n", optarg, errstr);
				usage(2);
			}
			break;
		case OPT_DEMO_DIR:
			demo = 1;
			demo_dir = optarg;
			break;
		case OPT_ACCESS_LOG:
			access_log = optarg;
			break;
		case OPT_METRICS_DETAIL:
			metrics_detail = true;
			break;
		case OPT_IMPORT:
			import = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'V':
			printf("vfio-compatd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(0);
		default:
			bad_usage("unknown option or missing value: %s",
			    argv[optind - 1]);
		}
	}
	if (optind != argc)
		bad_usage("unexpected argument %s", argv[optind]);
	if ((why = parse_listen(listen, &hc)) != NULL)
		bad_usage("--listen %s: %s", listen, why);
	if ((cert == NULL) != (key == NULL))
		bad_usage("--tls-cert and --tls-key go together");
	if (ca != NULL && cert == NULL)
		bad_usage("--tls-client-ca needs --tls-cert and --tls-key");
	if (access_log != NULL && *access_log == '\0')
		bad_usage("--access-log needs a file name or -");
	log_init("vfio-compatd", verbose);
	metrics_fleet_init(srv.stale_after, metrics_detail);
	if (import != NULL)
		exit(import_store(import, db));

	if (tokens == NULL && !is_loopback(&hc)) {
		log_errorx("refusing to listen on %s without --tokens: the "
		    "API would be open to the network", listen);
		exit(1);
	}
	if (cert != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			log_errorx("this libmicrohttpd has no TLS support");
			exit(1);
		}
		if ((cert_pem = read_pem(cert)) == NULL ||
		    (key_pem = read_pem(key)) == NULL) {
			log_errorx("cannot read --tls-cert %s or --tls-key %s",
			    cert, key);
			exit(1);
		}
		hc.tls_cert = cert_pem;
		hc.tls_key = key_pem;
	}
	if (ca != NULL) {
		if ((ca_pem = read_pem(ca)) == NULL ||
		    check_ca(ca, ca_pem) == -1) {
			log_errorx("--tls-client-ca %s: no usable CA "
			    "certificate", ca);
			exit(1);
		}
		hc.tls_ca = ca_pem;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (check_threads == 0)
		check_threads = ncpu < 1 ? 1 : ncpu > MAX_CHECK_THREADS ?
		    MAX_CHECK_THREADS : ncpu;
	srv.check_threads = (unsigned int)check_threads;
	if (threads == 0) {
		threads = ncpu > 0 ? 2 * ncpu : 2;
		if (threads > MAX_THREADS)
			threads = MAX_THREADS;
	}
	hc.threads = (unsigned int)threads;
	hc.routes = routes;
	hc.nroutes = nroutes;
	hc.hooks.answered = metrics_http;
	hc.hooks.update_refused = update_refused;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_mutex_init(&srv.ingest_lock, NULL);

	/* The port first: nothing else is worth loading without it. */
	if (open_listener(&hc) == -1) {
		log_errorx("cannot listen on %s: %s%s", listen,
		    strerror(errno), errno == EADDRINUSE ? " (another "
		    "process serves this port)" : errno == EADDRNOTAVAIL ?
		    " (no interface of this host has that address)" : "");
		goto done;
	}
	if (access_log != NULL && accesslog_open(&srv, access_log) == -1) {
		log_errorx("--access-log %s: %s", access_log,
		    strerror(errno));
		goto done;
	}
	if (tokens != NULL && (srv.auth = auth_load(tokens)) == NULL) {
		log_errorx("%s: cannot load the tokens file", tokens);
		goto done;
	}
	memset(&perr, 0, sizeof(perr));
	if (policy != NULL)
		srv.policy = policy_load(policy, &perr);
	else
		srv.policy = policy_default();
	if (srv.policy == NULL) {
		log_errorx("--policy %s: %s: %s", policy, perr.field,
		    perr.message);
		goto done;
	}
	srv.fleet = fleet_new();
	atomic_init(&srv.loading, true);
	/* From here on SIGTERM is taken by sigwait() only, and every
	 * thread started below inherits the mask; a slow load (a huge
	 * store) is stopped through load_finish(). */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if ((d = http_start(&srv, &hc)) == NULL) {
		log_errorx("cannot serve on %s", listen);
		goto done;
	}
	hc.listen_fd = -1;	/* the daemon's now */
	memset(&lc, 0, sizeof(lc));
	lc.db = db;
	lc.demo_dir = demo ? (demo_dir != NULL ? demo_dir : DEMO_DIR) : NULL;
	/* Said once the fleet is loaded: a load that fails says only why. */
	xasprintf(&banner, "listening on %s%s%s, %lld threads",
	    cert != NULL ? "https://" : "", listen,
	    ca != NULL ? " (client certificates required)" : "", threads);
	lc.banner = banner;
	if ((ld = load_start(&srv, &lc)) == NULL) {
		log_errorx("cannot start loading the store");
		goto done;
	}

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP)
			accesslog_reopen();
	}
	if (load_done(&srv))
		log_info("signal %d: draining", sig);
	http_stop(d);
	d = NULL;
	/* A failed load sent the signal itself, and said why. */
	rv = load_finish(ld) == -1 ? 1 : 0;
	ld = NULL;

done:
	http_stop(d);
	load_finish(ld);
	replica_stop(srv.replica);
	hosts_free(&srv);
	metrics_fleet_clear();
	if (hc.listen_fd != -1)
		close(hc.listen_fd);
	accesslog_close();
	if (srv.fleet != NULL)
		fleet_free(srv.fleet);
	store_close(srv.store);
	if (srv.policy != NULL)
		policy_free(srv.policy);
	auth_free(srv.auth);
	if (key_pem != NULL)
		explicit_bzero(key_pem, strlen(key_pem));
	free(key_pem);
	free(cert_pem);
	free(ca_pem);
	free(banner);
	pthread_mutex_destroy(&srv.ingest_lock);
	return (rv);
}
