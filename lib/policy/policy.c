/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c -- the policy file: rules that say which device fields must
 * agree between source and destination, and how (SPEC section 6).
 *
 * A policy is parsed once (at startup) and then only read, by any
 * number of checks at once, so it is immutable after policy_from_json()
 * and lives in one arena. Parsing is strict in the style of the
 * inventory codec: every object is walked against the keys it may have
 * and the error names the offending path ("rules[1].compare.driver").
 * Field names are resolved to an enum at load time and table
 * comparators to their table, so a check never parses a string.
 *
 * Comparators: exact (equal strings), ignore (anything), dst-ge
 * (destination not older, version_compare), same-major-dst-ge (first
 * component equal and destination not older), table:<name> (the
 * [src, dst] pair is listed in "tables"; equal values are always
 * allowed, a table lists the cross-version moves). A null on one side
 * is refused by every comparator but ignore; null on both is equal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "codec/inventory_json.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#define POL_MAX_FILE	(1024 * 1024)
#define POL_MAX_DEPTH	8
#define POL_MAX_RULES	256
#define POL_MAX_COMPARE	64
#define POL_MAX_TABLES	64
#define POL_MAX_PAIRS	4096
#define POL_MAX_STRING	256

enum pol_cmp {
	CMP_EXACT,
	CMP_IGNORE,
	CMP_DST_GE,
	CMP_SAME_MAJOR_DST_GE,
	CMP_TABLE
};

enum pol_field {
	F_DRIVER,
	F_DRIVER_VERSION,
	F_MIGRATION_VERSION,
	F_VENDOR_ID,
	F_DEVICE_ID,
	F_SUBSYSTEM_VENDOR_ID,
	F_SUBSYSTEM_DEVICE_ID,
	F_CLASS,
	F_REVISION,
	F_ATTR
};

enum pol_matchkey {
	M_VENDOR_ID,
	M_DEVICE_ID,
	M_DRIVER,
	M_TYPE,
	M_KIND,
	M_COUNT
};

struct pol_table {
	const char	 *name;
	const char	**pairs;	/* src, dst, src, dst, ... */
	size_t		  npairs;
};

struct pol_compare {
	const char		*name;	/* as written, for errors and output */
	enum pol_field		 field;
	const char		*attr;	/* F_ATTR: the attribute key */
	enum pol_cmp		 cmp;
	const char		*spelling;	/* comparator as written */
	const struct pol_table	*table;
};

struct policy_rule {
	const char		*name;
	const char		*match[M_COUNT];	/* NULL: any */
	struct pol_compare	*compare;
	size_t			 ncompare;
};

struct policy {
	struct arena		*arena;
	struct policy_rule	*rules;
	size_t			 nrules;
	struct pol_table	*tables;
	size_t			 ntables;
};

static const char *const field_names[] = {
	"driver", "driver_version", "migration_version", "vendor_id",
	"device_id", "subsystem_vendor_id", "subsystem_device_id", "class",
	"revision"
};
static const char *const match_names[M_COUNT] = {
	"vendor_id", "device_id", "driver", "type", "kind"
};
static const char *const match_keys[] = { "vendor_id", "device_id",
	"driver", "type", "kind", NULL };
static const char *const top_keys[] = { "rules", "tables", NULL };
static const char *const rule_keys[] = { "name", "match", "compare", NULL };

static const char *get_text(struct policy *, const json_t *, const char *,
		    struct inv_error *);
static int	 parse_tables(struct policy *, const json_t *,
		    struct inv_error *);
static json_t	*default_rule(void);
static bool	 matches_all(const struct policy_rule *);
static int	 append_default(struct policy *, struct inv_error *);
static int	 parse_rule(struct policy *, const json_t *,
		    struct policy_rule *, size_t, struct inv_error *);
static int	 parse_compare(struct policy *, const char *, const json_t *,
		    struct pol_compare *, const char *, struct inv_error *);
static int	 parse_comparator(const struct policy *, const char *,
		    enum pol_cmp *, const struct pol_table **);
static int	 field_parse(const char *, enum pol_field *, const char **);
static const char *field_value(const struct inv_device *,
		    const struct inv_type *, enum pol_field, const char *);
static bool	 allowed(enum pol_cmp, const struct pol_table *, const char *,
		    const char *);
static bool	 streq(const char *, const char *);

static bool
streq(const char *a, const char *b)
{
	if (a == b)
		return (true);
	if (a == NULL || b == NULL)
		return (false);
	return (strcmp(a, b) == 0);
}

/* A short clean non-empty string copied into the policy, or NULL. */
static const char *
get_text(struct policy *p, const json_t *v, const char *path,
    struct inv_error *err)
{
	const char	*s;
	size_t		 len;

	if (v == NULL || !json_is_string(v)) {
		inv_fail(err, path, "must be a string");
		return (NULL);
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (len == 0 || len > POL_MAX_STRING || strlen(s) != len ||
	    !str_is_clean_utf8(s, len)) {
		inv_fail(err, path, "must be clean text of 1 to %d bytes",
		    POL_MAX_STRING);
		return (NULL);
	}
	return (arena_strdup(p->arena, s));
}

static int
field_parse(const char *s, enum pol_field *f, const char **attr)
{
	size_t	 i;

	*attr = NULL;
	if (str_has_prefix(s, "attributes.") && s[11] != '\0') {
		*f = F_ATTR;
		*attr = s + 11;
		return (0);
	}
	for (i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++) {
		if (strcmp(field_names[i], s) == 0) {
			*f = (enum pol_field)i;
			return (0);
		}
	}
	return (-1);
}

static int
parse_comparator(const struct policy *p, const char *s, enum pol_cmp *cmp,
    const struct pol_table **table)
{
	size_t	 i;

	*table = NULL;
	if (strcmp(s, "exact") == 0)
		*cmp = CMP_EXACT;
	else if (strcmp(s, "ignore") == 0)
		*cmp = CMP_IGNORE;
	else if (strcmp(s, "dst-ge") == 0)
		*cmp = CMP_DST_GE;
	else if (strcmp(s, "same-major-dst-ge") == 0)
		*cmp = CMP_SAME_MAJOR_DST_GE;
	else if (str_has_prefix(s, "table:")) {
		*cmp = CMP_TABLE;
		for (i = 0; i < p->ntables; i++) {
			if (strcmp(p->tables[i].name, s + 6) == 0) {
				*table = &p->tables[i];
				return (0);
			}
		}
		return (-1);
	} else
		return (-1);
	return (0);
}

static int
parse_tables(struct policy *p, const json_t *obj, struct inv_error *err)
{
	char		 field[512];
	const char	*name;
	const json_t	*pairs, *pair, *v;
	struct pol_table *t;
	size_t		 i, j;

	if (obj == NULL)
		return (0);
	if (!json_is_object(obj))
		return (inv_fail(err, "tables", "must be an object"));
	if (json_object_size(obj) > POL_MAX_TABLES)
		return (inv_fail(err, "tables", "more than %d tables",
		    POL_MAX_TABLES));
	p->tables = arena_calloc(p->arena, json_object_size(obj) + 1,
	    sizeof(*p->tables));
	json_object_foreach((json_t *)obj, name, pairs) {
		snprintf(field, sizeof(field), "tables.%s", name);
		if (!str_is_device_id(name))
			return (inv_fail(err, field,
			    "table name must be [A-Za-z0-9._:-], at most 64"));
		if (!json_is_array(pairs))
			return (inv_fail(err, field, "must be an array of "
			    "[source, destination] pairs"));
		if (json_array_size(pairs) > POL_MAX_PAIRS)
			return (inv_fail(err, field, "more than %d pairs",
			    POL_MAX_PAIRS));
		t = &p->tables[p->ntables++];
		t->name = arena_strdup(p->arena, name);
		t->npairs = json_array_size(pairs);
		t->pairs = arena_calloc(p->arena, 2 * t->npairs + 1,
		    sizeof(*t->pairs));
		json_array_foreach(pairs, i, pair) {
			snprintf(field, sizeof(field), "tables.%s[%zu]", name,
			    i);
			if (!json_is_array(pair) || json_array_size(pair) != 2)
				return (inv_fail(err, field, "must be a "
				    "[source, destination] pair"));
			for (j = 0; j < 2; j++) {
				snprintf(field, sizeof(field),
				    "tables.%s[%zu][%zu]", name, i, j);
				v = json_array_get(pair, j);
				if ((t->pairs[2 * i + j] = get_text(p, v, field,
				    err)) == NULL)
					return (-1);
			}
		}
	}
	return (0);
}

static int
parse_compare(struct policy *p, const char *key, const json_t *v,
    struct pol_compare *c, const char *path, struct inv_error *err)
{
	const char	*s;

	if (field_parse(key, &c->field, &c->attr) == -1)
		return (inv_fail(err, path, "unknown field; one of driver, "
		    "driver_version, migration_version, vendor_id, device_id, "
		    "subsystem_vendor_id, subsystem_device_id, class, "
		    "revision, attributes.<key>"));
	if (c->field == F_ATTR && !str_is_attr_key(c->attr))
		return (inv_fail(err, path, "attribute key must be "
		    "[A-Za-z0-9._-], at most 128"));
	if ((s = get_text(p, v, path, err)) == NULL)
		return (-1);
	if (parse_comparator(p, s, &c->cmp, &c->table) == -1)
		return (inv_fail(err, path, "comparator must be exact, ignore, "
		    "dst-ge, same-major-dst-ge or table:<name of a table>"));
	c->name = arena_strdup(p->arena, key);
	if (c->field == F_ATTR)
		c->attr = c->name + 11;
	c->spelling = s;
	return (0);
}

static int
parse_rule(struct policy *p, const json_t *obj, struct policy_rule *r,
    size_t idx, struct inv_error *err)
{
	char		 path[64], field[512];
	const json_t	*match, *cmp, *v;
	const char	*key;
	size_t		 i;

	snprintf(path, sizeof(path), "rules[%zu]", idx);
	if (json_check_keys(obj, path, rule_keys, err) == -1)
		return (-1);
	snprintf(field, sizeof(field), "%s.name", path);
	if ((r->name = get_text(p, json_object_get(obj, "name"), field,
	    err)) == NULL)
		return (-1);

	snprintf(field, sizeof(field), "%s.match", path);
	if ((match = json_object_get(obj, "match")) != NULL) {
		if (json_check_keys(match, field, match_keys, err) == -1)
			return (-1);
		for (i = 0; i < M_COUNT; i++) {
			if ((v = json_object_get(match, match_names[i])) ==
			    NULL)
				continue;
			snprintf(field, sizeof(field), "%s.match.%s", path,
			    match_names[i]);
			if ((r->match[i] = get_text(p, v, field, err)) == NULL)
				return (-1);
		}
	}

	snprintf(field, sizeof(field), "%s.compare", path);
	if ((cmp = json_object_get(obj, "compare")) == NULL)
		return (inv_fail(err, field, "required field is missing"));
	if (!json_is_object(cmp))
		return (inv_fail(err, field, "must be an object"));
	if (json_object_size(cmp) > POL_MAX_COMPARE)
		return (inv_fail(err, field, "more than %d fields",
		    POL_MAX_COMPARE));
	r->compare = arena_calloc(p->arena, json_object_size(cmp) + 1,
	    sizeof(*r->compare));
	json_object_foreach((json_t *)cmp, key, v) {
		snprintf(field, sizeof(field), "%s.compare.%s", path, key);
		if (parse_compare(p, key, v, &r->compare[r->ncompare], field,
		    err) == -1)
			return (-1);
		r->ncompare++;
	}
	return (0);
}

/* SPEC 6: what every device is compared on when no other rule fits. */
static json_t *
default_rule(void)
{
	return (json_pack("{s:s,s:{},s:{s:s,s:s,s:s}}", "name", "default",
	    "match", "compare", "driver", "exact", "driver_version", "exact",
	    "migration_version", "exact"));
}

static bool
matches_all(const struct policy_rule *r)
{
	size_t	 i;

	for (i = 0; i < M_COUNT; i++)
		if (r->match[i] != NULL)
			return (false);
	return (true);
}

/*
 * A policy file's last rule may not match everything; the built-in
 * default rule then comes last (SPEC 6, v1.1), so no device is ever
 * compared on nothing. It is named "default", or "builtin-default" when
 * the file already has a rule of that name.
 */
static int
append_default(struct policy *p, struct inv_error *err)
{
	json_t	*dr;
	size_t	 i;
	int	 rv;

	if (p->nrules > 0 && matches_all(&p->rules[p->nrules - 1]))
		return (0);
	dr = default_rule();
	for (i = 0; i < p->nrules; i++)
		if (strcmp(p->rules[i].name, "default") == 0)
			json_object_set_new(dr, "name",
			    json_string("builtin-default"));
	rv = parse_rule(p, dr, &p->rules[p->nrules], p->nrules, err);
	json_decref(dr);
	if (rv == -1)
		return (-1);
	p->nrules++;
	return (0);
}

struct policy *
policy_from_json(const json_t *root, struct inv_error *err)
{
	struct policy	*p = xcalloc(1, sizeof(*p));
	const json_t	*rules, *v;
	size_t		 i, j;
	char		 field[64];

	p->arena = arena_new();
	if (json_depth_exceeds(root, POL_MAX_DEPTH)) {
		inv_fail(err, "(document)", "nested deeper than %d levels",
		    POL_MAX_DEPTH);
		goto fail;
	}
	if (json_check_keys(root, "", top_keys, err) == -1)
		goto fail;
	/* Tables first: rules refer to them by name. */
	if (parse_tables(p, json_object_get(root, "tables"), err) == -1)
		goto fail;
	rules = json_object_get(root, "rules");
	if (rules == NULL || !json_is_array(rules)) {
		inv_fail(err, "rules", "must be an array");
		goto fail;
	}
	if (json_array_size(rules) == 0 ||
	    json_array_size(rules) > POL_MAX_RULES) {
		inv_fail(err, "rules", "must hold 1 to %d rules",
		    POL_MAX_RULES);
		goto fail;
	}
	/* One more for the default rule append_default() may add. */
	p->rules = arena_calloc(p->arena, json_array_size(rules) + 1,
	    sizeof(*p->rules));
	json_array_foreach(rules, i, v) {
		if (parse_rule(p, v, &p->rules[i], i, err) == -1)
			goto fail;
		p->nrules++;
		for (j = 0; j < i; j++) {
			if (strcmp(p->rules[j].name, p->rules[i].name) != 0)
				continue;
			snprintf(field, sizeof(field), "rules[%zu].name", i);
			inv_fail(err, field, "duplicate rule name %s",
			    p->rules[i].name);
			goto fail;
		}
	}
	if (append_default(p, err) == -1)
		goto fail;
	return (p);

fail:
	policy_free(p);
	return (NULL);
}

struct policy *
policy_load(const char *path, struct inv_error *err)
{
	FILE		*f;
	char		*buf = NULL;
	size_t		 len;
	json_t		*root = NULL;
	json_error_t	 jerr;
	struct policy	*p = NULL;

	if ((f = fopen(path, "r")) == NULL) {
		inv_fail(err, "(file)", "%s: cannot open", path);
		return (NULL);
	}
	buf = xmalloc(POL_MAX_FILE + 1);
	len = fread(buf, 1, POL_MAX_FILE + 1, f);
	if (ferror(f)) {
		inv_fail(err, "(file)", "%s: read error", path);
		goto fail;
	}
	if (len > POL_MAX_FILE) {
		inv_fail(err, "(file)", "%s: larger than %d bytes", path,
		    POL_MAX_FILE);
		goto fail;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		inv_fail(err, "(document)", "invalid JSON at line %d column "
		    "%d: %s", jerr.line, jerr.column, jerr.text);
		goto fail;
	}
	p = policy_from_json(root, err);

fail:
	json_decref(root);
	free(buf);
	fclose(f);
	return (p);
}

struct policy *
policy_default(void)
{
	struct policy	*p;
	json_t		*root;

	/* NVIDIA migrates between the same board and driver only (not H100
	 * PCIe to NVL); everything else falls to the default rule. */
	root = json_pack("{s:[{s:s,s:{s:s},s:{s:s,s:s}},o]}", "rules",
	    "name", "nvidia", "match", "vendor_id", "10de", "compare",
	    "driver_version", "exact", "device_id", "exact", default_rule());
	p = policy_from_json(root, NULL);
	json_decref(root);
	return (p);
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	arena_free(p->arena);
	free(p);
}

json_t *
policy_to_json(const struct policy *p)
{
	json_t			*o = json_object(), *rules, *r, *m, *c, *t, *a;
	const struct policy_rule *rule;
	size_t			 i, j;

	rules = json_array();
	for (i = 0; i < p->nrules; i++) {
		rule = &p->rules[i];
		r = json_object();
		m = json_object();
		c = json_object();
		json_object_set_new(r, "name", json_string(rule->name));
		for (j = 0; j < M_COUNT; j++)
			if (rule->match[j] != NULL)
				json_object_set_new(m, match_names[j],
				    json_string(rule->match[j]));
		json_object_set_new(r, "match", m);
		for (j = 0; j < rule->ncompare; j++)
			json_object_set_new(c, rule->compare[j].name,
			    json_string(rule->compare[j].spelling));
		json_object_set_new(r, "compare", c);
		json_array_append_new(rules, r);
	}
	json_object_set_new(o, "rules", rules);
	if (p->ntables > 0) {
		t = json_object();
		for (i = 0; i < p->ntables; i++) {
			a = json_array();
			for (j = 0; j < p->tables[i].npairs; j++)
				json_array_append_new(a, json_pack("[ss]",
				    p->tables[i].pairs[2 * j],
				    p->tables[i].pairs[2 * j + 1]));
			json_object_set_new(t, p->tables[i].name, a);
		}
		json_object_set_new(o, "tables", t);
	}
	return (o);
}

const struct policy_rule *
policy_match(const struct policy *p, const struct inv_device *d,
    const struct inv_type *t)
{
	const struct policy_rule	*r;
	const char			*have[M_COUNT];
	size_t				 i, j;

	have[M_VENDOR_ID] = d->p->vendor_id;
	have[M_DEVICE_ID] = d->p->device_id;
	have[M_DRIVER] = d->p->driver;
	have[M_TYPE] = t != NULL ? t->id : NULL;
	have[M_KIND] = t != NULL ? inv_kind_name(t->kind) : "pci";
	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		for (j = 0; j < M_COUNT; j++)
			if (r->match[j] != NULL && !(have[j] != NULL &&
			    (j == M_DRIVER ? inv_driver_eq(r->match[j],
			    have[j]) : strcmp(r->match[j], have[j]) == 0)))
				break;
		if (j == M_COUNT)
			return (r);
	}
	return (NULL);
}

bool
policy_fields_alike(const struct inv_device *a, const struct inv_type *ta,
    const struct inv_device *b, const struct inv_type *tb)
{
	size_t	 i;

	/* Every field is the profile's: one profile, one answer. */
	if (a->p == b->p && ta == tb)
		return (true);
	for (i = 0; i < F_ATTR; i++)
		if (field_value(a, ta, (enum pol_field)i, NULL) !=
		    field_value(b, tb, (enum pol_field)i, NULL))
			return (false);
	/* Any attribute may be named as attributes.<key>. */
	if (a->p->nattrs != b->p->nattrs)
		return (false);
	for (i = 0; i < a->p->nattrs; i++)
		if (a->p->attrs[i].key != b->p->attrs[i].key ||
		    a->p->attrs[i].value != b->p->attrs[i].value)
			return (false);
	return (true);
}

const char *
policy_rule_name(const struct policy_rule *r)
{
	return (r != NULL ? r->name : NULL);
}

static const char *
field_value(const struct inv_device *d, const struct inv_type *t,
    enum pol_field f, const char *attr)
{
	switch (f) {
	case F_DRIVER:
		return (d->p->driver);
	case F_DRIVER_VERSION:
		return (d->p->driver_version);
	case F_MIGRATION_VERSION:
		if (t != NULL && t->migration_version != NULL)
			return (t->migration_version);
		return (d->p->migration.version);
	case F_VENDOR_ID:
		return (d->p->vendor_id);
	case F_DEVICE_ID:
		return (d->p->device_id);
	case F_SUBSYSTEM_VENDOR_ID:
		return (d->p->subsystem_vendor_id);
	case F_SUBSYSTEM_DEVICE_ID:
		return (d->p->subsystem_device_id);
	case F_CLASS:
		return (d->p->class);
	case F_REVISION:
		return (d->p->revision);
	case F_ATTR:
		return (inv_get_attr(d, attr));
	}
	return (NULL);
}

const char *
policy_field_value(const struct inv_device *d, const struct inv_type *t,
    const char *field)
{
	enum pol_field	 f;
	const char	*attr;

	if (field_parse(field, &f, &attr) == -1)
		return (NULL);
	return (field_value(d, t, f, attr));
}

static bool
allowed(enum pol_cmp cmp, const struct pol_table *table, const char *src,
    const char *dst)
{
	size_t	 i;

	if (cmp == CMP_IGNORE)
		return (true);
	if (src == NULL || dst == NULL)
		return (src == dst);
	switch (cmp) {
	case CMP_EXACT:
		return (streq(src, dst));
	case CMP_DST_GE:
		return (version_compare(dst, src) >= 0);
	case CMP_SAME_MAJOR_DST_GE:
		return (version_major_equal(src, dst) &&
		    version_compare(dst, src) >= 0);
	case CMP_TABLE:
		if (streq(src, dst))
			return (true);
		for (i = 0; i < table->npairs; i++)
			if (strcmp(table->pairs[2 * i], src) == 0 &&
			    strcmp(table->pairs[2 * i + 1], dst) == 0)
				return (true);
		return (false);
	case CMP_IGNORE:
		break;
	}
	return (true);
}

int
policy_check(const struct policy *p, const struct policy_rule *r,
    const struct inv_device *sdev, const struct inv_type *stype,
    const struct inv_device *ddev, const struct inv_type *dtype,
    struct policy_mismatch *mm)
{
	const struct pol_compare	*c;
	const char			*sv, *dv;
	size_t				 i;

	if (r == NULL)
		return (0);
	for (i = 0; i < r->ncompare; i++) {
		c = &r->compare[i];
		if (c->cmp == CMP_IGNORE)
			continue;
		sv = field_value(sdev, stype, c->field, c->attr);
		dv = field_value(ddev, dtype, c->field, c->attr);
		if (allowed(c->cmp, c->table, sv, dv))
			continue;
		if (mm != NULL) {
			mm->field = c->name;
			mm->src = sv;
			mm->dst = dv;
		}
		return (-1);
	}
	return (0);
}
