/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_util.c -- what the engine's Check suites share: fixture hosts
 * put into a fleet (as they are or changed first), requests written with
 * single quotes, and the checks of an answer's verdicts and reasons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "check_util.h"
#include "engine/compat.h"
#include "engine_util.h"
#include "fleet/fleet.h"
#include "model/inventory.h"
#include "codec/inventory_json.h"
#include "policy/policy.h"

json_t *
fixture_json(const char *host)
{
	char	 rel[256], *buf;
	size_t	 len;
	json_t	*j;

	snprintf(rel, sizeof(rel), "tests/unit/data/engine/%s.json", host);
	buf = fixture_read(rel, &len);
	j = json_loadb(buf, len, 0, NULL);
	ck_assert_msg(j != NULL, "%s: not JSON", rel);
	free(buf);
	return (j);
}

void
put_json(struct fleet *f, const json_t *doc, int64_t age)
{
	struct inv_error	 err;
	struct inventory	*inv;
	char			*buf = json_dumps(doc, JSON_COMPACT);

	inv = inventory_parse(buf, strlen(buf), fleet_pool(f), &err);
	ck_assert_msg(inv != NULL, "%s: %s", err.field, err.message);
	free(buf);
	inventory_sort(inv);
	fleet_put(f, inv, NOW - age, 1);
}

void
put(struct fleet *f, const char *host, int64_t age)
{
	json_t	*j = fixture_json(host);

	put_json(f, j, age);
	json_decref(j);
}

struct fleet *
load(const char *const *hosts)
{
	struct fleet	*f = fleet_new();

	for (; *hosts != NULL; hosts++)
		put(f, *hosts, 10);
	return (f);
}

json_t *
req(const char *text)
{
	char	*s = strdup(text), *p;
	json_t	*j;

	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	j = json_loads(s, 0, NULL);
	ck_assert_msg(j != NULL, "bad test JSON: %s", s);
	free(s);
	return (j);
}

json_t *
run(struct fleet *f, const struct policy *pol, const char *text,
    struct compat_status *st)
{
	struct compat_config	 cfg;
	struct compat_status	 local;
	json_t			*r = req(text), *out;

	cfg.policy = pol;
	cfg.now = NOW;
	cfg.stale_after = STALE;
	cfg.threads = 1;
	out = check_tree(f, &cfg, r, st != NULL ? st : &local);
	json_decref(r);
	return (out);
}

struct policy *
policy_text(const char *text)
{
	json_t		*j = req(text);
	struct policy	*p = policy_from_json(j, NULL);

	json_decref(j);
	ck_assert_ptr_nonnull(p);
	return (p);
}

const char *
sget(const json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

const json_t *
result_for(const json_t *resp, const char *host)
{
	const json_t	*r;
	size_t		 i;

	json_array_foreach(json_object_get(resp, "results"), i, r)
		if (strcmp(sget(r, "host"), host) == 0)
			return (r);
	ck_abort_msg("no result for %s", host);
	return (NULL);
}

/* The reason (or warning) with code, from source id src if not NULL. */
const json_t *
find_reason(const json_t *result, const char *code, const char *src)
{
	const char	*lists[] = { "reasons", "warnings" };
	const json_t	*r;
	size_t		 i, l;

	for (l = 0; l < 2; l++)
		json_array_foreach(json_object_get(result, lists[l]), i, r)
			if (strcmp(sget(r, "code"), code) == 0 &&
			    (src == NULL || (sget(r, "source") != NULL &&
			    strcmp(sget(r, "source"), src) == 0)))
				return (r);
	return (NULL);
}

/* Verdict, and if code is given a reason with that code and field. */
void
expect(const json_t *result, const char *verdict, const char *code,
    const char *field)
{
	const json_t	*r;
	char		*dump;

	dump = json_dumps(result, JSON_COMPACT);
	ck_assert_msg(strcmp(sget(result, "verdict"), verdict) == 0,
	    "want %s: %s", verdict, dump);
	if (code != NULL) {
		r = find_reason(result, code, NULL);
		ck_assert_msg(r != NULL, "want %s: %s", code, dump);
		ck_assert_ptr_nonnull(sget(r, "message"));
		if (field != NULL)
			ck_assert_msg(sget(r, "field") != NULL &&
			    strcmp(sget(r, "field"), field) == 0,
			    "want field %s: %s", field, dump);
	}
	free(dump);
}

json_t *
check_tree(const struct fleet *f, const struct compat_config *cfg,
    const json_t *request, struct compat_status *st)
{
	json_t	*out;
	char	*text;
	size_t	 len;

	if ((text = compat_check_text(f, cfg, request, false, &len,
	    st)) == NULL)
		return (NULL);
	out = json_loadb(text, len, 0, NULL);
	ck_assert_msg(out != NULL, "the answer is not JSON: %.200s", text);
	free(text);
	return (out);
}
