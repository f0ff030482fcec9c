/*
 * main.c -- vfio-compat-collect: scan this host's VFIO devices into a v1
 * inventory and print, store or push it (SPEC sections 2, 3 and 7).
 *
 * Sources warn about what they cannot read and carry on; only problems
 * with the request itself (options, host name, destinations) fail the
 * run. The document is re-parsed by the codec before it leaves, so the
 * collector can never hand out one the server would reject.
 */
#include <sys/stat.h>

#include <ctype.h>
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
#include "inventory.h"
#include "store.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"

#define PROGNAME	"vfio-compat-collect"

enum {
	OPT_ALL_PCI = 256,
	OPT_CACERT,
	OPT_DB,
	OPT_HOST,
	OPT_INTERVAL,
	OPT_PROBE_DIR,
	OPT_PUSH,
	OPT_QEMU,
	OPT_QEMU_VERSION,
	OPT_TOKEN_FILE,
	OPT_WATCH
};

struct options {
	const char	*host;
	const char	*output;
	const char	*db;
	const char	*push;
	const char	*token_file;
	const char	*cacert;
	const char	*qemu;
	const char	*qemu_version;
	const char	*probe_dir;
	bool		 all_pci;
	int		 verbose;
};

static void	 usage(FILE *);
static void	 fatalx(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	 bad_usage(const char *) __attribute__((noreturn));
static void	 parse_options(int, char **, struct options *);
static void	 resolve_host(const struct options *, char *, size_t);
static void	 utc_now(char *, size_t);
static void	 collect(struct collect *, const struct options *);
static void	 render(const struct inventory *, const struct options *,
		    char **, char **);
static int	 write_atomic(const char *, const char *, char *, size_t);
static void	 store_inventory(const char *, const struct inventory *,
		    const char *);

static const struct option longopts[] = {
	{ "all-pci",		no_argument,		NULL, OPT_ALL_PCI },
	{ "cacert",		required_argument,	NULL, OPT_CACERT },
	{ "db",			required_argument,	NULL, OPT_DB },
	{ "help",		no_argument,		NULL, 'h' },
	{ "host",		required_argument,	NULL, OPT_HOST },
	{ "interval",		required_argument,	NULL, OPT_INTERVAL },
	{ "output",		required_argument,	NULL, 'o' },
	{ "probe-dir",		required_argument,	NULL, OPT_PROBE_DIR },
	{ "push",		required_argument,	NULL, OPT_PUSH },
	{ "qemu",		required_argument,	NULL, OPT_QEMU },
	{ "qemu-version",	required_argument,	NULL, OPT_QEMU_VERSION },
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
"           [--push URL --token-file FILE [--cacert FILE]]\n"
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
"Without --output, --db or --push the inventory goes to stdout.\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n",
	    PROBE_DIR_DEFAULT);
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
parse_options(int argc, char **argv, struct options *o)
{
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->probe_dir = PROBE_DIR_DEFAULT;
	while ((ch = getopt_long(argc, argv, "ho:vV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ALL_PCI:
			o->all_pci = true;
			break;
		case OPT_CACERT:
			o->cacert = optarg;
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
		case OPT_INTERVAL:
			bad_usage("--watch and --interval are not supported "
			    "by this version");
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
	if ((o->push == NULL) != (o->token_file == NULL))
		bad_usage("--push and --token-file go together");
	if (o->cacert != NULL && o->push == NULL)
		bad_usage("--cacert needs --push");
	if (o->qemu != NULL && o->qemu_version != NULL)
		bad_usage("--qemu and --qemu-version exclude each other");
	if (o->qemu_version != NULL && !platform_version_ok(o->qemu_version))
		bad_usage("--qemu-version wants a version like 9.2.0");
	if (o->push != NULL && !str_has_prefix(o->push, "http://") &&
	    !str_has_prefix(o->push, "https://"))
		bad_usage("--push needs an http:// or https:// URL");
	if (o->output == NULL && o->db == NULL && o->push == NULL)
		o->output = "-";
}

static void
resolve_host(const struct options *o, char *host, size_t size)
{
	size_t	 i;

	if (o->host != NULL) {
		if (!str_is_hostname(o->host))
			fatalx("--host %s: not a lower-case RFC 1123 host "
			    "name", o->host);
		snprintf(host, size, "%s", o->host);
		return;
	}
	if (gethostname(host, size) == -1)
		fatalx("gethostname: %s", strerror(errno));
	host[size - 1] = '\0';
	for (i = 0; host[i] != '\0'; i++)
		host[i] = tolower((unsigned char)host[i]);
	if (!str_is_hostname(host))
		fatalx("host name \"%s\" is not a valid RFC 1123 name; "
		    "use --host", str_is_clean_utf8(host, strlen(host)) ?
		    host : "?");
}

static void
utc_now(char *buf, size_t size)
{
	time_t		 t = time(NULL);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
collect_mark(struct collect *c, size_t idx)
{
	size_t	 ncap;

	if (idx >= c->nmarked) {
		ncap = idx + 64;
		c->marked = xreallocarray(c->marked, ncap, 1);
		memset(c->marked + c->nmarked, 0, ncap - c->nmarked);
		c->nmarked = ncap;
	}
	c->marked[idx] = 1;
}

/* The order matters: migration needs instances, selection needs VMs. */
static void
collect(struct collect *c, const struct options *o)
{
	platform_scan(c, o->qemu, o->qemu_version);
	pci_scan(c);
	mdev_scan_parents(c);
	mdev_scan_instances(c);
	nvidia_fill_names(c);
	pci_set_migration(c);
	vms_scan(c);
	probe_run_dir(c, o->probe_dir);
	if (!o->all_pci)
		pci_select(c);
	inventory_sort(c->inv);
}

/*
 * Print the document (pretty for people, compact for the store and the
 * server) and prove the codec accepts it; both come from one model, so
 * parsing one of them proves both.
 */
static void
render(const struct inventory *inv, const struct options *o, char **pretty,
    char **compact)
{
	struct inventory	*back;
	struct inv_error	 err;
	char			*json;

	*pretty = *compact = NULL;
	if (o->output != NULL) {
		if ((json = inventory_dump(inv, true)) == NULL)
			fatalx("cannot print the inventory");
		xasprintf(pretty, "%s\n", json);
		free(json);
	}
	if ((o->db != NULL || o->push != NULL) &&
	    (*compact = inventory_dump(inv, false)) == NULL)
		fatalx("cannot print the inventory");
	json = *pretty != NULL ? *pretty : *compact;
	if ((back = inventory_parse(json, strlen(json), NULL, &err)) == NULL)
		fatalx("refusing to emit an invalid inventory: %s: %s",
		    err.field, err.message);
	inventory_free(back);
}

/* Write beside the target and rename, so readers see old or new. */
static int
write_atomic(const char *path, const char *data, char *err, size_t errlen)
{
	char	*tmp;
	size_t	 len = strlen(data), off = 0;
	ssize_t	 n;
	mode_t	 mask;
	int	 fd;

	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return (-1);
	}
	mask = umask(0);
	umask(mask);
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0644 & ~mask) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	free(tmp);
	return (0);

fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return (-1);
}

static void
store_inventory(const char *path, const struct inventory *inv,
    const char *json)
{
	struct store	*st;
	char		*err = NULL, digest[65];
	int64_t		 gen;
	bool		 changed;

	if (inventory_digest(inv, digest) == -1)
		fatalx("cannot compute the inventory digest");
	if ((st = store_open(path, &err)) == NULL) {
		fprintf(stderr, "%s: --db %s: %s\n", PROGNAME, path,
		    err != NULL ? err : "cannot open");
		free(err);
		exit(1);
	}
	if (store_put(st, inv, json, digest, (int64_t)time(NULL), &gen,
	    &changed) == -1) {
		fprintf(stderr, "%s: --db %s: %s\n", PROGNAME, path,
		    store_error(st));
		store_close(st);
		exit(1);
	}
	log_debug("stored %s generation %lld%s", inv->host, (long long)gen,
	    changed ? "" : " (unchanged)");
	store_close(st);
}

int
main(int argc, char **argv)
{
	struct options	 o;
	struct collect	 c;
	char		 host[256], now[32], err[1024], *compact, *pretty;
	size_t		 i;

	parse_options(argc, argv, &o);
	log_init(PROGNAME, o.verbose);
	resolve_host(&o, host, sizeof(host));
	utc_now(now, sizeof(now));

	memset(&c, 0, sizeof(c));
	c.inv = inventory_new(NULL);
	c.inv->host = inv_str(c.inv, host);
	c.inv->collected_at = inv_str(c.inv, now);
	c.inv->collector_version = inv_str(c.inv, PACKAGE_VERSION);
	c.udev = udev_new();
	collect(&c, &o);

	render(c.inv, &o, &pretty, &compact);
	if (o.output != NULL) {
		if (strcmp(o.output, "-") == 0) {
			if (fputs(pretty, stdout) == EOF ||
			    fflush(stdout) == EOF)
				fatalx("stdout: %s", strerror(errno));
		} else if (write_atomic(o.output, pretty, err,
		    sizeof(err)) == -1)
			fatalx("--output %s", err);
	}
	if (o.db != NULL)
		store_inventory(o.db, c.inv, compact);
	if (o.push != NULL && push_inventory(o.push, host, o.token_file,
	    o.cacert, compact, err, sizeof(err)) == -1)
		fatalx("%s", err);

	free(pretty);
	free(compact);
	free(c.marked);
	sysfs_list_free(&c.pci_devices);
	sysfs_list_free(&c.pci_drivers);
	sysfs_list_free(&c.iommu_groups);
	for (i = 0; i < c.ndrivers; i++)
		free(c.drivers[i].driver);
	for (i = 0; i < c.nnames; i++)
		free(c.names[i].modalias);
	free(c.names);
	if (c.hwdb != NULL)
		udev_hwdb_unref(c.hwdb);
	if (c.udev != NULL)
		udev_unref(c.udev);
	inventory_free(c.inv);
	return (0);
}
