/* SPDX-License-Identifier: Apache-2.0 */
/*
 * answer.c -- the shape of every 200 answer, checked before it is used.
 *
 * The exit status of check and destinations is a migration decision, so
 * an answer is read only after it has been found to be what the API
 * promises: {"results":[{"host":1,"verdict":"compatible"}]} is not a
 * compatible host, it is a broken server or something in between, and
 * it is exit 2 with one line naming the first field that is wrong.
 * Contradictions fail the same way (a compatible host with reasons, an
 * incompatible one without any, a destinations list with a host that
 * is not compatible), so that nothing missing or garbled can come out
 * as "compatible".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/strutil.h"

#define ANSWER_MAX_NAME		253	/* host names */
#define ANSWER_MAX_PATH		128

static int	bad(const struct cli *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	is_name(const json_t *);
static int	is_code(const json_t *);
static int	is_count(const json_t *);
static int	opt_string(const json_t *, const char *);
static int	opt_scalar(const json_t *, const char *);
static int	check_reason(const struct cli *, const json_t *, const char *);
static int	check_result(const struct cli *, const json_t *, const char *,
		    int);

/* Report the first thing wrong; always -1. */
static int
bad(const struct cli *cli, const char *path, const char *fmt, ...)
{
	va_list	 ap;
	char	 why[256];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cli_error("%s: malformed answer: %s: %s", cli->url, path, why);
	return (-1);
}

/* A host name as the server prints it: clean text, 1 to 253 bytes. */
static int
is_name(const json_t *v)
{
	size_t	 len;

	if (!json_is_string(v))
		return (0);
	len = json_string_length(v);
	return (len > 0 && len <= ANSWER_MAX_NAME &&
	    str_is_clean_utf8(json_string_value(v), len) &&
	    strchr(json_string_value(v), ' ') == NULL);
}

/* A reason or error code: UPPER_SNAKE. */
static int
is_code(const json_t *v)
{
	const char	*s;

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > 64)
		return (0);
	for (s = json_string_value(v); *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return (0);
	return (1);
}

static int
is_count(const json_t *v)
{
	return (json_is_integer(v) && json_integer_value(v) >= 0);
}

/* Absent, or a string. */
static int
opt_string(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	return (v == NULL || json_is_string(v));
}

/* Absent, or a string, number, boolean or null: never a container. */
static int
opt_scalar(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	return (v == NULL || !(json_is_object(v) || json_is_array(v)));
}

static int
check_reason(const struct cli *cli, const json_t *r, const char *path)
{
	if (!json_is_object(r))
		return (bad(cli, path, "not an object"));
	if (!is_code(json_object_get(r, "code")))
		return (bad(cli, path, "code is not an UPPER_SNAKE string"));
	if (!opt_string(r, "message") || !opt_string(r, "field") ||
	    !opt_string(r, "source"))
		return (bad(cli, path, "message, field and source must be "
		    "strings"));
	if (!opt_scalar(r, "source_value") ||
	    !opt_scalar(r, "destination_value"))
		return (bad(cli, path, "source_value and destination_value "
		    "must be scalars"));
	return (0);
}

static int
check_result(const struct cli *cli, const json_t *res, const char *path,
    int only_compatible)
{
	const json_t	*v, *list, *r;
	const char	*verdict;
	char		 p[ANSWER_MAX_PATH + 64];
	size_t		 i;

	if (!json_is_object(res))
		return (bad(cli, path, "not an object"));
	if (!is_name(json_object_get(res, "host")))
		return (bad(cli, path, "host is not a host name"));
	v = json_object_get(res, "verdict");
	verdict = json_string_value(v);
	if (verdict == NULL || (strcmp(verdict, "compatible") != 0 &&
	    strcmp(verdict, "incompatible") != 0 &&
	    strcmp(verdict, "unknown") != 0))
		return (bad(cli, path, "verdict is not compatible, "
		    "incompatible or unknown"));
	list = json_object_get(res, "reasons");
	if (!json_is_array(list))
		return (bad(cli, path, "reasons is not an array"));
	json_array_foreach(list, i, r) {
		snprintf(p, sizeof(p), "%s.reasons[%zu]", path, i);
		if (check_reason(cli, r, p) == -1)
			return (-1);
	}
	if (strcmp(verdict, "compatible") == 0 && json_array_size(list) > 0)
		return (bad(cli, path, "compatible, with reasons against it"));
	if (strcmp(verdict, "compatible") != 0 && json_array_size(list) == 0)
		return (bad(cli, path, "%s without a reason", verdict));
	if (only_compatible && strcmp(verdict, "compatible") != 0)
		return (bad(cli, path, "%s in a list of compatible hosts",
		    verdict));
	list = json_object_get(res, "warnings");
	if (list != NULL && !json_is_array(list))
		return (bad(cli, path, "warnings is not an array"));
	json_array_foreach(list, i, r) {
		snprintf(p, sizeof(p), "%s.warnings[%zu]", path, i);
		if (json_is_object(r) ? check_reason(cli, r, p) == -1 :
		    !is_code(r))
			return (json_is_object(r) ? -1 :
			    bad(cli, p, "not a warning"));
	}
	v = json_object_get(res, "score");
	if (strcmp(verdict, "compatible") == 0 ? !is_count(v) :
	    !(v == NULL || json_is_null(v) || is_count(v)))
		return (bad(cli, path, "score is not a count"));
	v = json_object_get(res, "data_age_s");
	if (v != NULL && !json_is_null(v) && !is_count(v))
		return (bad(cli, path, "data_age_s is not a count"));
	v = json_object_get(res, "assignments");
	if (v != NULL && !json_is_array(v))
		return (bad(cli, path, "assignments is not an array"));
	return (0);
}

int
answer_check_results(const struct cli *cli, const json_t *root,
    int only_compatible)
{
	const json_t	*results, *res, *src;
	char		 path[ANSWER_MAX_PATH];
	size_t		 i;

	if (!json_is_object(root))
		return (bad(cli, "(document)", "not an object"));
	src = json_object_get(root, "source");
	if (src != NULL && !json_is_object(src))
		return (bad(cli, "source", "not an object"));
	if (src != NULL && json_object_get(src, "devices") != NULL &&
	    !json_is_array(json_object_get(src, "devices")))
		return (bad(cli, "source.devices", "not an array"));
	results = json_object_get(root, "results");
	if (!json_is_array(results))
		return (bad(cli, "results", "not an array"));
	json_array_foreach(results, i, res) {
		snprintf(path, sizeof(path), "results[%zu]", i);
		if (check_result(cli, res, path, only_compatible) == -1)
			return (-1);
	}
	return (0);
}

int
answer_check_hosts(const struct cli *cli, const json_t *root)
{
	const json_t	*hosts, *h, *v;
	char		 path[ANSWER_MAX_PATH];
	size_t		 i;

	hosts = json_object_get(root, "hosts");
	if (!json_is_array(hosts))
		return (bad(cli, "hosts", "not an array"));
	json_array_foreach(hosts, i, h) {
		snprintf(path, sizeof(path), "hosts[%zu]", i);
		if (!json_is_object(h))
			return (bad(cli, path, "not an object"));
		if (!is_name(json_object_get(h, "host")))
			return (bad(cli, path, "host is not a host name"));
		if (!json_is_boolean(json_object_get(h, "stale")))
			return (bad(cli, path, "stale is not a boolean"));
		if (!is_count(json_object_get(h, "devices")) ||
		    !is_count(json_object_get(h, "instances")) ||
		    !is_count(json_object_get(h, "vms")))
			return (bad(cli, path, "devices, instances and vms "
			    "must be counts"));
		v = json_object_get(h, "collected_at");
		if (v != NULL && !json_is_string(v) && !json_is_null(v))
			return (bad(cli, path, "collected_at is not a time"));
	}
	return (0);
}

int
answer_check_host(const struct cli *cli, const json_t *root,
    const char *host)
{
	const json_t	*v;
	static const char *const lists[] = { "devices", "instances", "vms" };
	size_t		 i;

	if (!json_is_object(root))
		return (bad(cli, "(document)", "not an object"));
	v = json_object_get(root, "host");
	if (!is_name(v) || strcmp(json_string_value(v), host) != 0)
		return (bad(cli, "host", "not the host asked for (%s)", host));
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (!json_is_array(json_object_get(root, lists[i])))
			return (bad(cli, lists[i], "not an array"));
	if (!json_is_boolean(json_object_get(root, "stale")))
		return (bad(cli, "stale", "not a boolean"));
	v = json_object_get(root, "platform");
	if (v != NULL && !json_is_object(v) && !json_is_null(v))
		return (bad(cli, "platform", "not an object"));
	return (0);
}

int
answer_check_policy(const struct cli *cli, const json_t *root)
{
	const json_t	*rules, *rule, *tables, *pairs;
	const char	*key;
	char		 path[ANSWER_MAX_PATH];
	size_t		 i;

	rules = json_object_get(root, "rules");
	if (!json_is_array(rules))
		return (bad(cli, "rules", "not an array"));
	json_array_foreach(rules, i, rule) {
		snprintf(path, sizeof(path), "rules[%zu]", i);
		if (!json_is_object(rule) ||
		    !json_is_string(json_object_get(rule, "name")))
			return (bad(cli, path, "not a named rule"));
		if ((json_object_get(rule, "match") != NULL &&
		    !json_is_object(json_object_get(rule, "match"))) ||
		    (json_object_get(rule, "compare") != NULL &&
		    !json_is_object(json_object_get(rule, "compare"))))
			return (bad(cli, path, "match and compare must be "
			    "objects"));
	}
	tables = json_object_get(root, "tables");
	if (tables == NULL)
		return (0);
	if (!json_is_object(tables))
		return (bad(cli, "tables", "not an object"));
	json_object_foreach((json_t *)tables, key, pairs)
		if (!json_is_array(pairs))
			return (bad(cli, "tables", "%s is not a list", key));
	return (0);
}
