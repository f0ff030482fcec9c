/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.c -- the migration questions: check and destinations.
 *
 * check sends one POST /v1/check; destinations reads the VM's
 * destination list. Both print one row per destination host (host,
 * verdict, score, reasons and warnings) and turn the verdicts into the
 * exit status:
 *
 *   check with --to: 0 when every named destination is compatible, 1
 *     when at least one is incompatible, else 3 (some unknown).
 *   check without --to (the whole fleet): 0 when at least one host is
 *     compatible, else 1 when one is incompatible or there is no other
 *     host, else 3 (only unknown answers).
 *   destinations: 0 when there is at least one compatible host, else 1.
 *
 * The two readings differ on purpose: naming hosts asks "can it go to
 * these", asking the fleet asks "can it go anywhere". A source the
 * service does not know is 3 in every case, also when there is no
 * destination to carry SOURCE_UNKNOWN (the answer's source says so);
 * it is said once, as one line on stderr, not as a SOURCE_UNKNOWN row
 * per host of the fleet.
 *
 * --explain prints each host with its reasons and warnings one per
 * line, each with the server's message and the values compared.
 * Identifiers are folded first (fold.c) and the answer's shape checked
 * before a verdict is read from it (answer.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#define CHECK_MAX_DEVICES	64
#define CHECK_MAX_DESTS		1024

enum {
	OPT_FROM = OPT_CMD,
	OPT_DEVICE,
	OPT_VM,
	OPT_TO,
	OPT_MODE,
	OPT_EXPLAIN
};

static int	 valid_mode(const char *);
static void	 format_reasons(const json_t *, char **);
static void	 print_results(const json_t *);
static void	 explain_results(const json_t *);
static void	 explain_one(const char *, const json_t *);
static int	 verdict_status(const json_t *, int);
static int	 source_unknown(const json_t *);
static void	 report_source_unknown(const json_t *);
static void	 show(const struct cli *, const struct http_response *, int);

static int
valid_mode(const char *mode)
{
	return (strcmp(mode, "live") == 0 || strcmp(mode, "cold") == 0 ||
	    strcmp(mode, "cpr") == 0);
}

/*
 * "CODE(field: src -> dst)" per reason ("-" for null, "CODE(field)"
 * when neither value is given), then "warning CODE" per warning.
 */
static void
format_reasons(const json_t *result, char **cell)
{
	const json_t	*list, *r;
	const char	*code, *field;
	size_t		 i;

	list = json_object_get(result, "reasons");
	json_array_foreach(list, i, r) {
		code = table_cell(json_object_get(r, "code"), NULL, 0);
		field = json_string_value(json_object_get(r, "field"));
		if (field != NULL && json_object_get(r, "source_value") ==
		    NULL && json_object_get(r, "destination_value") == NULL)
			table_join(cell, "; ", "%s(%s)", code, field);
		else if (field != NULL)
			table_join(cell, "; ", "%s(%s: %s -> %s)", code, field,
			    table_cell(json_object_get(r, "source_value"),
			    NULL, 0),
			    table_cell(json_object_get(r,
			    "destination_value"), NULL, 0));
		else
			table_join(cell, "; ", "%s", code);
	}
	list = json_object_get(result, "warnings");
	json_array_foreach(list, i, r) {
		code = json_is_object(r) ? table_cell(json_object_get(r,
		    "code"), NULL, 0) : table_cell(r, NULL, 0);
		table_join(cell, "; ", "warning %s", code);
	}
}

static void
print_results(const json_t *results)
{
	static const char *const	 headers[] = { "HOST", "VERDICT",
	    "SCORE", "REASONS" };
	static const enum table_align	 align[] = { ALIGN_LEFT, ALIGN_LEFT,
	    ALIGN_RIGHT, ALIGN_LEFT };
	struct table			*t;
	const json_t			*res;
	const char			*cells[4];
	char				*reasons, score[32];
	size_t				 i;

	t = table_new(4, headers, align);
	json_array_foreach(results, i, res) {
		reasons = NULL;
		format_reasons(res, &reasons);
		cells[0] = json_string_value(json_object_get(res, "host"));
		cells[1] = json_string_value(json_object_get(res, "verdict"));
		cells[2] = table_cell(json_object_get(res, "score"), score,
		    sizeof(score));
		cells[3] = reasons;
		table_add(t, cells);
		free(reasons);
	}
	table_print(t);
	table_free(t);
}

/* One reason or warning: "  [warning ]CODE: message (details)". */
static void
explain_one(const char *prefix, const json_t *r)
{
	const json_t	*field, *src;
	char		*detail = NULL, *line = NULL, b1[32], b2[32];
	const char	*code, *msg;

	if (!json_is_object(r)) {
		table_join(&line, "", "  %s%s", prefix, table_cell(r, NULL,
		    0));
		table_line(line);
		free(line);
		return;
	}
	code = table_cell(json_object_get(r, "code"), NULL, 0);
	msg = json_string_value(json_object_get(r, "message"));
	field = json_object_get(r, "field");
	src = json_object_get(r, "source");
	if (json_is_string(field) && (json_object_get(r, "source_value") !=
	    NULL || json_object_get(r, "destination_value") != NULL))
		table_join(&detail, "; ", "%s: %s -> %s",
		    json_string_value(field),
		    table_cell(json_object_get(r, "source_value"), b1,
		    sizeof(b1)),
		    table_cell(json_object_get(r, "destination_value"), b2,
		    sizeof(b2)));
	else if (json_is_string(field))
		table_join(&detail, "; ", "%s", json_string_value(field));
	if (json_is_string(src))
		table_join(&detail, "; ", "source %s", json_string_value(src));
	table_join(&line, "", "  %s%s: %s", prefix, code,
	    msg != NULL ? msg : "(no message)");
	if (detail != NULL)
		table_join(&line, " ", "(%s)", detail);
	table_line(line);
	free(line);
	free(detail);
}

static void
explain_results(const json_t *results)
{
	const json_t	*res, *list, *r;
	char		*head, score[32];
	size_t		 i, j;

	json_array_foreach(results, i, res) {
		head = NULL;
		table_join(&head, "", "%s %s",
		    json_string_value(json_object_get(res, "host")),
		    json_string_value(json_object_get(res, "verdict")));
		if (json_is_integer(json_object_get(res, "score")))
			table_join(&head, " ", "score %s",
			    table_cell(json_object_get(res, "score"), score,
			    sizeof(score)));
		table_line(head);
		free(head);
		list = json_object_get(res, "reasons");
		json_array_foreach(list, j, r)
			explain_one("", r);
		list = json_object_get(res, "warnings");
		json_array_foreach(list, j, r)
			explain_one("warning ", r);
	}
}

/* Print the answer as asked: JSON, explained, or a table. */
static void
show(const struct cli *cli, const struct http_response *r, int explain)
{
	const json_t	*results = json_object_get(r->json, "results");

	if (cli->json)
		http_response_print(r);
	else if (explain)
		explain_results(results);
	else
		print_results(results);
}

/*
 * The one line for a source the service does not know: what it names
 * and the server's words for each part it could not find.
 */
static void
report_source_unknown(const json_t *resp)
{
	const json_t	*src, *devs, *d;
	const char	*host, *vm, *msg;
	char		*why = NULL;
	size_t		 i;

	src = json_object_get(resp, "source");
	host = json_string_value(json_object_get(src, "host"));
	vm = json_string_value(json_object_get(src, "vm"));
	devs = json_object_get(src, "devices");
	json_array_foreach(devs, i, d) {
		if (!json_is_string(json_object_get(d, "state")) ||
		    strcmp(json_string_value(json_object_get(d, "state")),
		    "unknown") != 0)
			continue;
		msg = json_string_value(json_object_get(d, "message"));
		table_join(&why, "; ", "%s: %s",
		    table_cell(json_object_get(d, "id"), NULL, 0),
		    msg != NULL ? msg : "not known");
	}
	if (host == NULL && vm != NULL)
		cli_error("SOURCE_UNKNOWN: no host reports VM %s", vm);
	else if (why != NULL)
		cli_error("SOURCE_UNKNOWN: source %s: %.900s",
		    host != NULL ? host : "-", why);
	else
		cli_error("SOURCE_UNKNOWN: the service does not know the "
		    "source");
	free(why);
}

/* Whether the answer's source block marks the source as not known. */
static int
source_unknown(const json_t *resp)
{
	const json_t	*src, *devs, *d, *state;
	size_t		 i;

	src = json_object_get(resp, "source");
	if (json_is_string(json_object_get(src, "vm")) &&
	    json_is_null(json_object_get(src, "host")))
		return (1);
	devs = json_object_get(src, "devices");
	json_array_foreach(devs, i, d) {
		state = json_object_get(d, "state");
		if (json_is_string(state) &&
		    strcmp(json_string_value(state), "unknown") == 0)
			return (1);
	}
	return (0);
}

/* The exit status for a set of results; all: every one must pass. */
static int
verdict_status(const json_t *results, int all)
{
	const json_t	*res;
	const char	*v;
	size_t		 i, total = 0, ok = 0, bad = 0;

	json_array_foreach(results, i, res) {
		total++;
		v = json_string_value(json_object_get(res, "verdict"));
		if (v == NULL)
			continue;
		if (strcmp(v, "compatible") == 0)
			ok++;
		else if (strcmp(v, "incompatible") == 0)
			bad++;
	}
	if (all) {
		if (total > 0 && ok == total)
			return (EXIT_COMPATIBLE);
		return (bad > 0 ? EXIT_INCOMPATIBLE : EXIT_UNKNOWN);
	}
	if (ok > 0)
		return (EXIT_COMPATIBLE);
	return (bad > 0 || total == 0 ? EXIT_INCOMPATIBLE : EXIT_UNKNOWN);
}

int
cmd_check(struct cli *cli, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "vm", required_argument, NULL, OPT_VM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		CLI_GLOBAL_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct http_response		 r;
	json_t				*req = NULL, *source, *devices, *dests;
	const char			*from = NULL, *vm = NULL;
	const char			*mode = "live";
	char				 id[CLI_MAX_ID + 8];
	char				 fromb[CLI_MAX_HOST], vmb[CLI_MAX_ID];
	int				 ch, rv = EXIT_ERROR, explain = 0;

	memset(&r, 0, sizeof(r));
	devices = json_array();
	dests = json_array();
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_DEVICE:
			if (cli_fold_device(optarg, id, sizeof(id)) == -1) {
				rv = cli_usage("check", "--device %s: not a "
				    "PCI address or an instance id", optarg);
				goto fail;
			}
			if (json_array_size(devices) == CHECK_MAX_DEVICES) {
				rv = cli_usage("check", "more than %d devices",
				    CHECK_MAX_DEVICES);
				goto fail;
			}
			json_array_append_new(devices, json_string(id));
			break;
		case OPT_VM:
			vm = optarg;
			break;
		case OPT_TO:
			if (cli_fold_host(optarg, fromb, sizeof(fromb)) ==
			    -1) {
				rv = cli_usage("check", "--to %s: not a valid "
				    "host name", optarg);
				goto fail;
			}
			if (json_array_size(dests) == CHECK_MAX_DESTS) {
				rv = cli_usage("check", "more than %d "
				    "destinations", CHECK_MAX_DESTS);
				goto fail;
			}
			json_array_append_new(dests, json_string(fromb));
			break;
		case OPT_MODE:
			mode = optarg;
			break;
		case OPT_EXPLAIN:
			explain = 1;
			break;
		case 'h':
		case OPT_HELP:
			rv = cli_help("check");
			goto fail;
		case '?':
		case ':':
			rv = cli_usage("check", CLI_BAD_OPTION,
			    argv[optind - 1]);
			goto fail;
		default:
			if (cli_global_option(cli, ch, optarg) != 0)
				goto fail;
		}
	}
	if (optind != argc) {
		rv = cli_usage("check", "unexpected argument %s",
		    argv[optind]);
		goto fail;
	}
	if ((json_array_size(devices) == 0) == (vm == NULL)) {
		rv = cli_usage("check", "give --device or --vm (not both)");
		goto fail;
	}
	if (vm != NULL) {
		if (cli_fold_uuid(vm, vmb, sizeof(vmb)) == -1) {
			rv = cli_usage("check", "--vm %s: not a UUID", vm);
			goto fail;
		}
		vm = vmb;
	}
	if (from == NULL && vm == NULL) {
		rv = cli_usage("check", "--from is needed with --device");
		goto fail;
	}
	if (from != NULL) {
		if (cli_fold_host(from, fromb, sizeof(fromb)) == -1) {
			rv = cli_usage("check", "--from %s: not a valid host "
			    "name", from);
			goto fail;
		}
		from = fromb;
	}
	if (!valid_mode(mode)) {
		rv = cli_usage("check", "--mode must be live, cold or cpr");
		goto fail;
	}

	source = json_object();
	if (from != NULL)
		json_object_set_new(source, "host", json_string(from));
	if (vm != NULL)
		json_object_set_new(source, "vm", json_string(vm));
	else
		json_object_set(source, "devices", devices);
	req = json_pack("{s:s,s:o}", "mode", mode, "source", source);
	if (req == NULL) {
		cli_error("cannot build the request");
		goto fail;
	}
	if (json_array_size(dests) > 0)
		json_object_set(req, "destinations", dests);
	if (http_request(cli, "POST", "/v1/check", req, &r) == -1 ||
	    answer_check_results(cli, r.json, 0) == -1)
		goto fail;
	if (source_unknown(r.json)) {
		if (cli->json)
			http_response_print(&r);
		report_source_unknown(r.json);
		rv = EXIT_UNKNOWN;
		goto fail;
	}
	show(cli, &r, explain);
	rv = verdict_status(json_object_get(r.json, "results"),
	    json_array_size(dests) > 0);

fail:
	http_response_free(&r);
	json_decref(req);
	json_decref(devices);
	json_decref(dests);
	return (rv);
}

int
cmd_destinations(struct cli *cli, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		CLI_GLOBAL_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct http_response		 r;
	const json_t			*results;
	const char			*mode = NULL;
	char				*path, uuid[CLI_MAX_ID];
	int				 ch, rv, explain = 0;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_MODE:
			mode = optarg;
			break;
		case OPT_EXPLAIN:
			explain = 1;
			break;
		case 'h':
		case OPT_HELP:
			return (cli_help("destinations"));
		case '?':
		case ':':
			return (cli_usage("destinations", CLI_BAD_OPTION,
			    argv[optind - 1]));
		default:
			if (cli_global_option(cli, ch, optarg) != 0)
				return (EXIT_ERROR);
		}
	}
	if (argc - optind != 1)
		return (cli_usage("destinations", "exactly one VM UUID is "
		    "needed"));
	if (cli_fold_uuid(argv[optind], uuid, sizeof(uuid)) == -1)
		return (cli_usage("destinations", "%s: not a UUID",
		    argv[optind]));
	if (mode != NULL && !valid_mode(mode))
		return (cli_usage("destinations", "--mode must be live, cold "
		    "or cpr"));

	if (mode != NULL)
		xasprintf(&path, "/v1/vms/%s/destinations?mode=%s", uuid,
		    mode);
	else
		xasprintf(&path, "/v1/vms/%s/destinations", uuid);
	if (http_request(cli, "GET", path, NULL, &r) == -1 ||
	    answer_check_results(cli, r.json, 1) == -1) {
		free(path);
		http_response_free(&r);
		return (EXIT_ERROR);
	}
	free(path);
	results = json_object_get(r.json, "results");
	show(cli, &r, explain);
	rv = json_array_size(results) > 0 ? EXIT_COMPATIBLE :
	    EXIT_INCOMPATIBLE;
	http_response_free(&r);
	return (rv);
}
