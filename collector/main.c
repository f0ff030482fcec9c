/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c -- vfio-compat-collect: scan this host's VFIO devices into a v1
 * inventory and print, store or push it (SPEC sections 2, 3 and 7), once
 * or, with --watch, whenever it changes (watch.c).
 *
 * Sources warn about what they cannot read and carry on; only problems
 * with the request itself (options, host name, destinations) fail the
 * run. The codec checks the document (what its parser would check of
 * the text, emit.c) before it leaves, so the collector can never hand
 * out one the server would reject.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>

#include "config.h"
#include "model/inventory.h"
#include "store/store.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"

#define PROGNAME	"vfio-compat-collect"

enum {
	OPT_ALL_PCI = 256,
	OPT_CACERT,
	OPT_CERT,
	OPT_KEY,
	OPT_DB,
	OPT_HOST,
	OPT_INTERVAL,
	OPT_PROBE_DIR,
	OPT_PUSH,
	OPT_PUSH_TIMEOUT,
	OPT_QEMU,
	OPT_QEMU_VERSION,
	OPT_TEXTFILE,
	OPT_TOKEN_FILE,
	OPT_WATCH
};

static void	 usage(FILE *);
static void	 fatalx(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	 bad_usage(const char *) __attribute__((noreturn));
static void	 parse_options(int, char **, struct collect_options *);
static void	 resolve_host(const struct collect_options *, char *, size_t);
static double	 clock_seconds(clockid_t);

static const struct option longopts[] = {
	{ "all-pci",		no_argument,		NULL, OPT_ALL_PCI },
	{ "cacert",		required_argument,	NULL, OPT_CACERT },
	{ "cert",		required_argument,	NULL, OPT_CERT },
	{ "key",		required_argument,	NULL, OPT_KEY },
	{ "db",			required_argument,	NULL, OPT_DB },
	{ "help",		no_argument,		NULL, 'h' },
	{ "host",		required_argument,	NULL, OPT_HOST },
	{ "interval",		required_argument,	NULL, OPT_INTERVAL },
	{ "output",		required_argument,	NULL, 'o' },
	{ "probe-dir",		required_argument,	NULL, OPT_PROBE_DIR },
	{ "push",		required_argument,	NULL, OPT_PUSH },
	{ "push-timeout",	required_argument,	NULL, OPT_PUSH_TIMEOUT },
	{ "qemu",		required_argument,	NULL, OPT_QEMU },
	{ "qemu-version",	required_argument,	NULL, OPT_QEMU_VERSION },
	{ "textfile",		required_argument,	NULL, OPT_TEXTFILE },
	{ "token-file",		required_argument,	NULL, OPT_TOKEN_FILE },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "watch",		no_argument,		NULL, OPT_WATCH },
	{ NULL,			0,			NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: " PROGNAME " [--host NAME] [--output FILE|-] [--db PATH]\n"
"           [--push URL --token-file FILE [--cacert FILE]\n"
"            [--cert PEM [--key PEM]]]\n"
"           [--textfile PATH] [--watch [--interval SEC]]\n"
"           [--qemu PATH | --qemu-version VER] [--probe-dir DIR]\n"
"           [--all-pci] [--verbose] [--help] [--version]\n"
"\n"
"Scan this host's VFIO devices and print the v1 inventory as JSON.\n"
"\n"
"  --host NAME          report as NAME (default: this host's name)\n"
"  --output FILE|-      write the inventory to FILE (atomically) or stdout\n"
"  --db PATH            store the inventory in the SQLite database PATH\n"
"  --push URL           PUT it to URL/v1/hosts/<host>/inventory\n"
"  --token-file FILE    bearer token for --push (first line of FILE)\n"
"  --cacert FILE        CA certificates to verify an https --push URL\n"
"  --cert PEM           client certificate for an https --push URL, for a\n"
"                       server started with --tls-client-ca\n"
"  --key PEM            the certificate's private key (default: in --cert)\n"
"  --push-timeout SEC   give up a one-shot --push after SEC seconds, every\n"
"                       retry included (1..3600, default 60)\n"
"  --textfile PATH      write this host's metrics (Prometheus text format)\n"
"                       to PATH atomically, for node_exporter's textfile\n"
"                       collector (name it *.prom)\n"
"  --watch              keep running: rescan on udev events for pci, mdev\n"
"                       and vfio devices (after 200 ms of quiet, at most\n"
"                       1 s late) and every --interval; write --output and\n"
"                       --db when the inventory changes, push on change\n"
"                       and at least once per interval (heartbeat); a\n"
"                       failed push is retried with capped exponential\n"
"                       backoff; SIGTERM or SIGINT exits 0\n"
"  --interval SEC       full rescan and heartbeat period for --watch\n"
"                       (1..%d, default %d)\n"
"  --qemu PATH          run PATH --version for platform.qemu_version\n"
"  --qemu-version VER   take platform.qemu_version as VER\n"
"  --probe-dir DIR      run vendor probes in DIR (default %s);\n"
"                       each prints {\"<address>\": {\"key\": \"value\"}},\n"
"                       merged into attributes; the key migration.flags\n"
"                       (\"stop_copy,p2p\") sets the migration flags\n"
"  --all-pci            list every PCI device, not only VFIO-relevant ones\n"
"                       (vfio-pci and variant drivers, mdev and vGPU\n"
"                       parents, devices VMs hold, and their PFs)\n"
"  --verbose            print debugging messages\n"
"\n"
"Without --output, --db, --push or --textfile the inventory goes to\n"
"stdout.\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n",
	    WATCH_INTERVAL_MAX, WATCH_INTERVAL_DEFAULT, PROBE_DIR_DEFAULT);
}

static void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: ", PROGNAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
bad_usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "%s: %s\n", PROGNAME, why);
	usage(stderr);
	exit(2);
}

static void
parse_options(int argc, char **argv, struct collect_options *o)
{
	const char	*errstr;
	bool		 interval = false;
	int		 ch;

	memset(o, 0, sizeof(*o));
	o->probe_dir = PROBE_DIR_DEFAULT;
	o->interval = WATCH_INTERVAL_DEFAULT;
	o->push_timeout = PUSH_TIMEOUT_DEFAULT;
	while ((ch = getopt_long(argc, argv, "ho:vV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ALL_PCI:
			o->all_pci = true;
			break;
		case OPT_CACERT:
			o->cacert = optarg;
			break;
		case OPT_CERT:
			o->cert = optarg;
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_HOST:
			o->host = optarg;
			break;
		case OPT_WATCH:
			o->watch = true;
			break;
		case OPT_INTERVAL:
			o->interval = vc_strtonum(optarg, 1,
			    WATCH_INTERVAL_MAX, &errstr);
			if (errstr != NULL)
				bad_usage("--interval wants seconds from 1 "
				    "to 86400");
			interval = true;
			break;
		case OPT_TEXTFILE:
			o->textfile = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_PROBE_DIR:
			o->probe_dir = optarg;
			break;
		case OPT_PUSH:
			o->push = optarg;
			break;
		case OPT_PUSH_TIMEOUT:
			o->push_timeout = vc_strtonum(optarg, 1,
			    PUSH_TIMEOUT_MAX, &errstr);
			if (errstr != NULL)
				bad_usage("--push-timeout wants seconds from 1 "
				    "to 3600");
			break;
		case OPT_QEMU:
			o->qemu = optarg;
			break;
		case OPT_QEMU_VERSION:
			o->qemu_version = optarg;
			break;
		case OPT_TOKEN_FILE:
			o->token_file = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'V':
			printf("%s %s\n", PROGNAME, PACKAGE_VERSION);
			exit(0);
		default:
			bad_usage(NULL);
		}
	}
	if (optind != argc)
		bad_usage("unexpected argument");
	if (interval && !o->watch)
		bad_usage("--interval needs --watch");
	if (o->textfile != NULL && *o->textfile == '\0')
		bad_usage("--textfile needs a path");
	if ((o->push == NULL) != (o->token_file == NULL))
		bad_usage("--push and --token-file go together");
	if (o->cacert != NULL && o->push == NULL)
		bad_usage("--cacert needs --push");
	if (o->cert != NULL && o->push == NULL)
		bad_usage("--cert needs --push");
	if (o->key != NULL && o->cert == NULL)
		bad_usage("--key needs --cert");
	if (o->qemu != NULL && o->qemu_version != NULL)
		bad_usage("--qemu and --qemu-version exclude each other");
	if (o->qemu_version != NULL && !platform_version_ok(o->qemu_version))
		bad_usage("--qemu-version wants a version like 9.2.0");
	if (o->push != NULL && !str_has_prefix(o->push, "http://") &&
	    !str_has_prefix(o->push, "https://"))
		bad_usage("--push needs an http:// or https:// URL");
	if (o->output == NULL && o->db == NULL && o->push == NULL &&
	    o->textfile == NULL)
		o->output = "-";
}

/* The host name, folded to lower case: names are case-insensitive. */
static void
resolve_host(const struct collect_options *o, char *host, size_t size)
{
	char	 buf[STR_HOST_MAX + 1];

	if (o->host != NULL) {
		if (str_host_fold(o->host, host, size) == -1)
			fatalx("--host %s: not a host name (letters, digits, "
			    "'-', '_' and '.', at most %d)", o->host,
			    STR_HOST_MAX);
		return;
	}
	if (gethostname(buf, sizeof(buf)) == -1)
		fatalx("gethostname: %s", strerror(errno));
	buf[sizeof(buf) - 1] = '\0';
	if (str_host_fold(buf, host, size) == -1)
		fatalx("host name \"%s\" is not a valid host name; use --host",
		    str_is_clean_utf8(buf, strlen(buf)) ? buf : "?");
}

static double
clock_seconds(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

int
main(int argc, char **argv)
{
	struct collect_options	 o;
	struct textfile_stats	 ts;
	struct push_target	 pt;
	struct inventory	*inv;
	char			 host[256], err[1024], perr[1024];
	char			*compact;
	double			 start;
	int			 pushed = 0;

	parse_options(argc, argv, &o);
	log_init(PROGNAME, o.verbose);
	resolve_host(&o, host, sizeof(host));
	if (o.watch)
		return (watch_run(&o, host));

	memset(&ts, 0, sizeof(ts));
	ts.scan_time = clock_seconds(CLOCK_REALTIME);
	start = clock_seconds(CLOCK_MONOTONIC);
	inv = collect_scan(&o, host);
	ts.scan_seconds = clock_seconds(CLOCK_MONOTONIC) - start;

	if (collect_emit(&o, inv, &compact, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (o.push != NULL) {
		ts.push = true;
		push_target_init(&pt, &o, host);
		pushed = push_inventory(&pt, compact, perr, sizeof(perr));
		if (pushed == 0)
			ts.push_ok_time = clock_seconds(CLOCK_REALTIME);
		else
			ts.push_failures = 1;
	}
	if (o.textfile != NULL && textfile_write(o.textfile, inv, &ts, err,
	    sizeof(err)) == -1)
		fatalx("--textfile %s", err);
	if (pushed == -1)
		fatalx("%s", perr);

	free(compact);
	inventory_free(inv);
	return (0);
}
