/* SPDX-License-Identifier: Apache-2.0 */
/*
 * commands.c -- the read-only views: hosts, host NAME and policy.
 *
 * Each command folds and checks its arguments before any request (a bad
 * host name or filter is a usage error, exit 2), asks the service once,
 * checks the answer's shape (answer.c), and prints either the server's
 * JSON (--json) or tables built from it. Fields the server leaves out or
 * sets to null print as "-".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

enum {
	OPT_TYPE = OPT_CMD,
	OPT_VENDOR_ID,
	OPT_STALE
};

static int	get_json(struct cli *, const char *, struct http_response *,
		    int (*)(const struct cli *, const json_t *));
static void	print_platform(const json_t *);
static void	print_devices(const json_t *);
static void	print_types(const json_t *, const json_t *);
static void	print_instances(const json_t *, const json_t *);
static void	print_vms(const json_t *);
static const char *vm_of(const json_t *, const char *);
static size_t	count_instances(const json_t *, const char *, const char *);
static const char *str_of(const json_t *, const char *);
static void	add_query(char **, const char *, const char *);

/* Parse the common "no options of its own" command line. */
#define PARSE_GLOBAL_ONLY(name) do {					\
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) { \
		if (ch == 'h' || ch == OPT_HELP)			\
			return (cli_help(name));			\
		if (ch == '?' || ch == ':')				\
			return (cli_usage(name, CLI_BAD_OPTION,	\
			    argv[optind - 1]));				\
		if (cli_global_option(cli, ch, optarg) != 0)		\
			return (EXIT_ERROR);				\
	}								\
} while (0)

/* GET path, check its shape (check may be NULL: done by the caller);
 * print it with --json. 0, or -1 when it failed (reported). */
static int
get_json(struct cli *cli, const char *path, struct http_response *r,
    int (*check)(const struct cli *, const json_t *))
{
	if (http_request(cli, "GET", path, NULL, r) == -1)
		return (-1);
	if (check != NULL && check(cli, r->json) == -1)
		return (-1);
	if (cli->json)
		http_response_print(r);
	return (0);
}

/* Append key=value to the path's query; value is already checked. */
static void
add_query(char **path, const char *key, const char *value)
{
	char	*q;

	if (value == NULL)
		return;
	xasprintf(&q, "%s%c%s=%s", *path, strchr(*path, '?') != NULL ?
	    '&' : '?', key, value);
	free(*path);
	*path = q;
}

static const char *
str_of(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	return (json_is_string(v) ? json_string_value(v) : NULL);
}

int
cmd_hosts(struct cli *cli, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "vendor-id", required_argument, NULL, OPT_VENDOR_ID },
		{ "stale", required_argument, NULL, OPT_STALE },
		CLI_GLOBAL_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const	 headers[] = { "HOST", "COLLECTED_AT",
	    "STALE", "DEVICES", "INSTANCES", "VMS" };
	static const enum table_align	 align[] = { ALIGN_LEFT, ALIGN_LEFT,
	    ALIGN_LEFT, ALIGN_RIGHT, ALIGN_RIGHT, ALIGN_RIGHT };
	struct http_response		 r;
	struct table			*t;
	const json_t			*hosts, *h;
	const char			*type = NULL, *vendor = NULL;
	const char			*stale = NULL, *cells[6];
	char				*path = NULL;
	char				 b[3][32], vid[8];
	size_t				 i;
	int				 ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_TYPE:
			type = optarg;
			break;
		case OPT_VENDOR_ID:
			vendor = optarg;
			break;
		case OPT_STALE:
			stale = optarg;
			break;
		case 'h':
		case OPT_HELP:
			return (cli_help("hosts"));
		case '?':
		case ':':
			return (cli_usage("hosts", CLI_BAD_OPTION,
			    argv[optind - 1]));
		default:
			if (cli_global_option(cli, ch, optarg) != 0)
				return (EXIT_ERROR);
		}
	}
	if (optind != argc)
		return (cli_usage("hosts", "unexpected argument %s",
		    argv[optind]));
	if (type != NULL && !str_is_device_id(type))
		return (cli_usage("hosts", "--type %s: not a type id", type));
	if (vendor != NULL) {
		if (cli_fold_hex4(vendor, vid, sizeof(vid)) == -1)
			return (cli_usage("hosts", "--vendor-id %s: not 4 hex "
			    "digits", vendor));
		vendor = vid;
	}
	if (stale != NULL && strcmp(stale, "true") != 0 &&
	    strcmp(stale, "false") != 0)
		return (cli_usage("hosts", "--stale must be true or false"));

	path = xstrdup("/v1/hosts");
	add_query(&path, "type", type);
	add_query(&path, "vendor_id", vendor);
	add_query(&path, "stale", stale);
	if (get_json(cli, path, &r, answer_check_hosts) == -1)
		goto fail;
	free(path);
	if (cli->json) {
		http_response_free(&r);
		return (EXIT_COMPATIBLE);
	}

	hosts = json_object_get(r.json, "hosts");
	t = table_new(6, headers, align);
	json_array_foreach(hosts, i, h) {
		cells[0] = str_of(h, "host");
		cells[1] = str_of(h, "collected_at");
		cells[2] = table_cell(json_object_get(h, "stale"), NULL, 0);
		cells[3] = table_cell(json_object_get(h, "devices"), b[0],
		    sizeof(b[0]));
		cells[4] = table_cell(json_object_get(h, "instances"), b[1],
		    sizeof(b[1]));
		cells[5] = table_cell(json_object_get(h, "vms"), b[2],
		    sizeof(b[2]));
		table_add(t, cells);
	}
	table_print(t);
	table_free(t);
	http_response_free(&r);
	return (EXIT_COMPATIBLE);

fail:
	free(path);
	http_response_free(&r);
	return (EXIT_ERROR);
}

static void
print_platform(const json_t *inv)
{
	static const struct {
		const char	*label;
		int		 platform;
		const char	*key;
	} rows[] = {
		{ "host:", 0, "host" },
		{ "collected_at:", 0, "collected_at" },
		{ "received_at:", 0, "received_at" },
		{ "stale:", 0, "stale" },
		{ "generation:", 0, "generation" },
		{ "collector:", 0, "collector_version" },
		{ "kernel:", 1, "kernel_release" },
		{ "arch:", 1, "arch" },
		{ "iommufd:", 1, "iommufd" },
		{ "vfio_container:", 1, "vfio_container" },
		{ "qemu:", 1, "qemu_version" },
		{ "libvirt:", 1, "libvirt_version" },
	};
	const json_t	*p = json_object_get(inv, "platform");
	struct table	*t;
	const char	*cells[2];
	char		 b[32];
	size_t		 i;

	t = table_new(2, NULL, NULL);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cells[0] = rows[i].label;
		cells[1] = table_cell(json_object_get(rows[i].platform ? p :
		    inv, rows[i].key), b, sizeof(b));
		table_add(t, cells);
	}
	table_print(t);
	table_free(t);
}

static void
print_devices(const json_t *devices)
{
	static const char *const	 headers[] = { "ADDRESS", "IDS",
	    "DRIVER", "DRIVER_VERSION", "MIGRATION", "NAME" };
	struct table			*t;
	const json_t			*d, *mig, *flags, *f;
	const char			*cells[6], *vid, *did;
	char				*ids, *m;
	size_t				 i, j;

	t = table_new(6, headers, NULL);
	json_array_foreach(devices, i, d) {
		vid = str_of(d, "vendor_id");
		did = str_of(d, "device_id");
		xasprintf(&ids, "%s:%s", vid != NULL ? vid : "-",
		    did != NULL ? did : "-");
		mig = json_object_get(d, "migration");
		m = NULL;
		if (json_is_true(json_object_get(mig, "capable"))) {
			table_join(&m, "", "capable");
			flags = json_object_get(mig, "flags");
			json_array_foreach(flags, j, f)
				table_join(&m, j == 0 ? " " : ",", "%s",
				    table_cell(f, NULL, 0));
		} else
			table_join(&m, "", "no");
		cells[0] = str_of(d, "address");
		cells[1] = ids;
		cells[2] = str_of(d, "driver");
		cells[3] = str_of(d, "driver_version");
		cells[4] = m;
		cells[5] = str_of(d, "device_name");
		table_add(t, cells);
		free(ids);
		free(m);
	}
	table_print(t);
	table_free(t);
}

static size_t
count_instances(const json_t *instances, const char *parent,
    const char *type)
{
	const json_t	*in;
	const char	*p, *ty;
	size_t		 i, n = 0;

	json_array_foreach(instances, i, in) {
		p = str_of(in, "parent");
		ty = str_of(in, "type");
		if (p != NULL && ty != NULL && strcmp(p, parent) == 0 &&
		    strcmp(ty, type) == 0)
			n++;
	}
	return (n);
}

static void
print_types(const json_t *devices, const json_t *instances)
{
	static const char *const	 headers[] = { "PARENT", "KIND", "TYPE",
	    "NAME", "DEVICE_API", "FREE", "USED" };
	static const enum table_align	 align[] = { ALIGN_LEFT, ALIGN_LEFT,
	    ALIGN_LEFT, ALIGN_LEFT, ALIGN_LEFT, ALIGN_RIGHT, ALIGN_RIGHT };
	struct table			*t;
	const json_t			*d, *types, *ty;
	const char			*cells[7], *parent, *id;
	char				 free_b[32], used_b[32];
	size_t				 i, j, n = 0;

	t = table_new(7, headers, align);
	json_array_foreach(devices, i, d) {
		types = json_object_get(d, "types");
		parent = str_of(d, "address");
		json_array_foreach(types, j, ty) {
			id = str_of(ty, "id");
			snprintf(used_b, sizeof(used_b), "%zu",
			    parent != NULL && id != NULL ?
			    count_instances(instances, parent, id) : 0);
			cells[0] = parent;
			cells[1] = str_of(ty, "kind");
			cells[2] = id;
			cells[3] = str_of(ty, "name");
			cells[4] = str_of(ty, "device_api");
			cells[5] = table_cell(json_object_get(ty,
			    "available_instances"), free_b, sizeof(free_b));
			cells[6] = used_b;
			table_add(t, cells);
			n++;
		}
	}
	if (n == 0)
		printf("none\n");
	else
		table_print(t);
	table_free(t);
}

/* The name (or uuid) of the VM that holds device id, or NULL. */
static const char *
vm_of(const json_t *vms, const char *id)
{
	const json_t	*vm, *devs, *d;
	const char	*name;
	size_t		 i, j;

	json_array_foreach(vms, i, vm) {
		devs = json_object_get(vm, "devices");
		json_array_foreach(devs, j, d) {
			if (!json_is_string(d) ||
			    strcmp(json_string_value(d), id) != 0)
				continue;
			name = str_of(vm, "name");
			return (name != NULL ? name : str_of(vm, "uuid"));
		}
	}
	return (NULL);
}

static void
print_instances(const json_t *instances, const json_t *vms)
{
	static const char *const	 headers[] = { "INSTANCE", "KIND",
	    "TYPE", "PARENT", "VM" };
	struct table			*t;
	const json_t			*in;
	const char			*cells[5], *id;
	size_t				 i;

	if (json_array_size(instances) == 0) {
		printf("none\n");
		return;
	}
	t = table_new(5, headers, NULL);
	json_array_foreach(instances, i, in) {
		id = str_of(in, "id");
		cells[0] = id;
		cells[1] = str_of(in, "kind");
		cells[2] = str_of(in, "type");
		cells[3] = str_of(in, "parent");
		cells[4] = id != NULL ? vm_of(vms, id) : NULL;
		table_add(t, cells);
	}
	table_print(t);
	table_free(t);
}

static void
print_vms(const json_t *vms)
{
	static const char *const	 headers[] = { "UUID", "NAME", "PID",
	    "DEVICES" };
	struct table			*t;
	const json_t			*vm, *devs, *d;
	const char			*cells[4];
	char				*list, pid[32];
	size_t				 i, j;

	if (json_array_size(vms) == 0) {
		printf("none\n");
		return;
	}
	t = table_new(4, headers, NULL);
	json_array_foreach(vms, i, vm) {
		list = NULL;
		devs = json_object_get(vm, "devices");
		json_array_foreach(devs, j, d)
			table_join(&list, ",", "%s", table_cell(d, NULL, 0));
		cells[0] = str_of(vm, "uuid");
		cells[1] = str_of(vm, "name");
		cells[2] = table_cell(json_object_get(vm, "pid"), pid,
		    sizeof(pid));
		cells[3] = list;
		table_add(t, cells);
		free(list);
	}
	table_print(t);
	table_free(t);
}

int
cmd_host(struct cli *cli, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		CLI_GLOBAL_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct http_response		 r;
	const json_t			*devices, *instances, *vms;
	char				*path, host[CLI_MAX_HOST];
	int				 ch;

	PARSE_GLOBAL_ONLY("host");
	if (argc - optind != 1)
		return (cli_usage("host", "exactly one host name is needed"));
	if (cli_fold_host(argv[optind], host, sizeof(host)) == -1)
		return (cli_usage("host", "%s: not a valid host name",
		    argv[optind]));
	xasprintf(&path, "/v1/hosts/%s", host);
	memset(&r, 0, sizeof(r));
	if (http_request(cli, "GET", path, NULL, &r) == -1 ||
	    answer_check_host(cli, r.json, host) == -1) {
		free(path);
		http_response_free(&r);
		return (EXIT_ERROR);
	}
	free(path);
	if (cli->json) {
		http_response_print(&r);
		http_response_free(&r);
		return (EXIT_COMPATIBLE);
	}

	devices = json_object_get(r.json, "devices");
	instances = json_object_get(r.json, "instances");
	vms = json_object_get(r.json, "vms");
	print_platform(r.json);
	printf("\nDevices:\n");
	if (json_array_size(devices) == 0)
		printf("none\n");
	else
		print_devices(devices);
	printf("\nTypes (free instances):\n");
	print_types(devices, instances);
	printf("\nInstances:\n");
	print_instances(instances, vms);
	printf("\nVMs:\n");
	print_vms(vms);
	http_response_free(&r);
	return (EXIT_COMPATIBLE);
}

int
cmd_policy(struct cli *cli, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		CLI_GLOBAL_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const	 headers[] = { "RULE", "MATCH",
	    "COMPARE" };
	static const char *const	 theaders[] = { "TABLE", "ALLOWED" };
	struct http_response		 r;
	struct table			*t;
	const json_t			*rules, *rule, *tables, *pairs, *pair;
	const json_t			*v;
	const char			*key, *cells[3];
	char				*match, *compare;
	size_t				 i, j;
	int				 ch;

	PARSE_GLOBAL_ONLY("policy");
	if (optind != argc)
		return (cli_usage("policy", "unexpected argument %s",
		    argv[optind]));
	if (get_json(cli, "/v1/policy", &r, answer_check_policy) == -1) {
		http_response_free(&r);
		return (EXIT_ERROR);
	}
	if (cli->json) {
		http_response_free(&r);
		return (EXIT_COMPATIBLE);
	}

	rules = json_object_get(r.json, "rules");
	t = table_new(3, headers, NULL);
	json_array_foreach(rules, i, rule) {
		match = compare = NULL;
		json_object_foreach((json_t *)json_object_get(rule, "match"),
		    key, v)
			table_join(&match, ", ", "%s=%s", key,
			    table_cell(v, NULL, 0));
		json_object_foreach((json_t *)json_object_get(rule, "compare"),
		    key, v)
			table_join(&compare, ", ", "%s=%s", key,
			    table_cell(v, NULL, 0));
		cells[0] = str_of(rule, "name");
		cells[1] = match != NULL ? match : "any device";
		cells[2] = compare != NULL ? compare : "nothing";
		table_add(t, cells);
		free(match);
		free(compare);
	}
	table_print(t);
	table_free(t);

	tables = json_object_get(r.json, "tables");
	if (json_object_size(tables) == 0) {
		http_response_free(&r);
		return (EXIT_COMPATIBLE);
	}
	t = table_new(2, theaders, NULL);
	json_object_foreach((json_t *)tables, key, pairs) {
		match = NULL;
		json_array_foreach(pairs, j, pair)
			table_join(&match, ", ", "%s -> %s",
			    table_cell(json_array_get(pair, 0), NULL, 0),
			    table_cell(json_array_get(pair, 1), NULL, 0));
		cells[0] = key;
		cells[1] = match != NULL ? match : "none";
		table_add(t, cells);
		free(match);
	}
	printf("\n");
	table_print(t);
	table_free(t);
	http_response_free(&r);
	return (EXIT_COMPATIBLE);
}
