/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy.c -- policy files: validation naming the field, every
 * comparator with nulls, tables, rule matching, field values, the
 * round trip through policy_to_json, and loading from a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "check_util.h"
#include <jansson.h>

#include "model/inventory.h"
#include "codec/inventory_json.h"
#include "policy/policy.h"

static struct policy	*parse(const char *, struct inv_error *);
static void		 expect_reject(const char *, const char *);
static int		 allows(const char *, const char *, const char *);

static const char *tabled =
    "{\"rules\":[{\"name\":\"nv\",\"match\":{\"vendor_id\":\"10de\"},"
    "\"compare\":{\"driver_version\":\"table:nv\","
    "\"attributes.nvidia.ecc\":\"exact\"}},"
    "{\"name\":\"mlx\",\"match\":{\"driver\":\"mlx5_vfio_pci\","
    "\"kind\":\"pci\"},\"compare\":{\"driver_version\":\"dst-ge\"}},"
    "{\"name\":\"t\",\"match\":{\"type\":\"nvidia-222\"},"
    "\"compare\":{\"migration_version\":\"same-major-dst-ge\"}},"
    "{\"name\":\"default\",\"match\":{},\"compare\":{\"driver\":\"exact\"}}],"
    "\"tables\":{\"nv\":[[\"550.90.05\",\"550.127.05\"],"
    "[\"535.1\",\"550.90.05\"]]}}";

static struct policy *
parse(const char *text, struct inv_error *err)
{
	json_t		*j = json_loads(text, 0, NULL);
	struct policy	*p;

	ck_assert_msg(j != NULL, "bad test JSON: %s", text);
	p = policy_from_json(j, err);
	json_decref(j);
	return (p);
}

/*
 * One comparator on two driver versions, through the public contract: a
 * one-rule policy comparing driver_version with it (and the nv table of
 * `tabled'), policy_match and policy_check. 1 allowed, 0 refused, -1
 * when the policy does not parse (an unknown comparator or table).
 */
static int
allows(const char *comparator, const char *src, const char *dst)
{
	struct inv_device		 s, d;
	struct inv_profile		 sp, dp;
	struct policy_mismatch		 mm;
	const struct policy_rule	*r;
	struct policy			*p;
	struct inv_error		 err;
	char				 text[512];
	int				 rv;

	snprintf(text, sizeof(text), "{\"rules\":[{\"name\":\"only\","
	    "\"match\":{},\"compare\":{\"driver_version\":\"%s\"}}],"
	    "\"tables\":{\"nv\":[[\"550.90.05\",\"550.127.05\"],"
	    "[\"535.1\",\"550.90.05\"]]}}", comparator);
	memset(&err, 0, sizeof(err));
	if ((p = parse(text, &err)) == NULL)
		return (-1);
	memset(&s, 0, sizeof(s));
	memset(&sp, 0, sizeof(sp));
	s.p = &sp;
	s.p->driver = "nvidia";
	s.p->driver_version = src;
	d = s;
	dp = sp;
	d.p = &dp;
	d.p->driver_version = dst;
	r = policy_match(p, &s, NULL);
	ck_assert_str_eq(policy_rule_name(r), "only");
	rv = policy_check(p, r, &s, NULL, &d, NULL, &mm) == 0 ? 1 : 0;
	if (rv == 0)
		ck_assert_str_eq(mm.field, "driver_version");
	policy_free(p);
	return (rv);
}

static void
expect_reject(const char *text, const char *field)
{
	struct inv_error	 err;
	struct policy		*p;

	memset(&err, 0, sizeof(err));
	p = parse(text, &err);
	ck_assert_msg(p == NULL, "accepted: %s", text);
	ck_assert_msg(strcmp(err.field, field) == 0, "field %s, want %s (%s)",
	    err.field, field, err.message);
}

START_TEST(comparators)
{
	ck_assert_int_eq(allows("exact", "a", "a"), 1);
	ck_assert_int_eq(allows("exact", "a", "b"), 0);
	ck_assert_int_eq(allows("ignore", "a", "b"), 1);
	ck_assert_int_eq(allows("dst-ge", "550.90.05",
	    "550.127.05"), 1);
	ck_assert_int_eq(allows("dst-ge", "550.127.05",
	    "550.90.05"), 0);
	ck_assert_int_eq(allows("dst-ge", "550.90.05",
	    "550.90.05"), 1);
	ck_assert_int_eq(allows("same-major-dst-ge", "550.90.05",
	    "550.127.05"), 1);
	ck_assert_int_eq(allows("same-major-dst-ge", "535.90.05",
	    "550.127.05"), 0);
	ck_assert_int_eq(allows("same-major-dst-ge", "550.127.05",
	    "550.90.05"), 0);
	ck_assert_int_eq(allows("table:nv", "550.90.05",
	    "550.127.05"), 1);
	/* Tables are directional: the reverse pair is not listed. */
	ck_assert_int_eq(allows("table:nv", "550.127.05",
	    "550.90.05"), 0);
	ck_assert_int_eq(allows("table:nv", "535.1", "550.127.05"),
	    0);
	ck_assert_int_eq(allows("table:nv", "535.1", "535.1"), 1);
	ck_assert_int_eq(allows("table:nope", "a", "a"), -1);
	ck_assert_int_eq(allows("bogus", "a", "a"), -1);
}
END_TEST

START_TEST(nulls)
{
	const char	*cmps[] = { "exact", "dst-ge", "same-major-dst-ge" };
	size_t		 i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(allows(cmps[i], NULL, "1.0"), 0);
		ck_assert_int_eq(allows(cmps[i], "1.0", NULL), 0);
		ck_assert_int_eq(allows(cmps[i], NULL, NULL), 1);
	}
	ck_assert_int_eq(allows("ignore", NULL, "1.0"), 1);
	ck_assert_int_eq(allows("ignore", "1.0", NULL), 1);
}
END_TEST

START_TEST(match_and_check)
{
	struct policy			*p = parse(tabled, NULL);
	struct inv_device		 s, d, m;
	struct inv_profile		 sp, dp, mp;
	struct inv_type			 t;
	struct inv_attr			 sa = { "nvidia.ecc", "enabled" };
	struct inv_attr			 da = { "nvidia.ecc", "disabled" };
	struct policy_mismatch		 mm;
	const struct policy_rule	*r;

	memset(&s, 0, sizeof(s));
	memset(&sp, 0, sizeof(sp));
	s.p = &sp;
	memset(&t, 0, sizeof(t));
	s.p->vendor_id = "10de";
	s.p->driver = "nvidia";
	s.p->driver_version = "550.90.05";
	s.p->attrs = &sa;
	s.p->nattrs = 1;
	d = s;
	dp = sp;
	d.p = &dp;
	d.p->driver_version = "550.127.05";
	t.kind = INV_KIND_MDEV;
	t.id = "nvidia-222";

	r = policy_match(p, &s, &t);
	ck_assert_str_eq(policy_rule_name(r), "nv");
	ck_assert_int_eq(policy_check(p, r, &s, &t, &d, &t, &mm), 0);
	d.p->attrs = &da;
	ck_assert_int_eq(policy_check(p, r, &s, &t, &d, &t, &mm), -1);
	ck_assert_str_eq(mm.field, "attributes.nvidia.ecc");
	ck_assert_str_eq(mm.src, "enabled");
	ck_assert_str_eq(mm.dst, "disabled");
	d.p->attrs = NULL;
	d.p->nattrs = 0;
	ck_assert_int_eq(policy_check(p, r, &s, &t, &d, &t, &mm), -1);
	ck_assert_ptr_null(mm.dst);
	d.p->attrs = &sa;
	d.p->nattrs = 1;
	d.p->driver_version = "550.54.14";
	ck_assert_int_eq(policy_check(p, r, &s, &t, &d, &t, &mm), -1);
	ck_assert_str_eq(mm.field, "driver_version");
	ck_assert_str_eq(mm.src, "550.90.05");
	ck_assert_str_eq(mm.dst, "550.54.14");

	/* kind "pci" fits only devices without a type. */
	memset(&m, 0, sizeof(m));
	memset(&mp, 0, sizeof(mp));
	m.p = &mp;
	m.p->vendor_id = "15b3";
	m.p->driver = "mlx5_vfio_pci";
	ck_assert_str_eq(policy_rule_name(policy_match(p, &m, NULL)), "mlx");
	t.id = "nvidia-222";
	ck_assert_str_eq(policy_rule_name(policy_match(p, &m, &t)), "t");
	t.id = "other";
	ck_assert_str_eq(policy_rule_name(policy_match(p, &m, &t)),
	    "default");
	policy_free(p);
}
END_TEST

START_TEST(field_values)
{
	struct inv_device	 d;
	struct inv_profile	 dp;
	struct inv_type		 t;

	memset(&d, 0, sizeof(d));
	memset(&dp, 0, sizeof(dp));
	d.p = &dp;
	memset(&t, 0, sizeof(t));
	d.p->migration.version = "dev-mv";
	d.p->subsystem_device_id = "12a2";
	ck_assert_str_eq(policy_field_value(&d, NULL, "migration_version"),
	    "dev-mv");
	ck_assert_str_eq(policy_field_value(&d, &t, "migration_version"),
	    "dev-mv");
	t.migration_version = "type-mv";
	ck_assert_str_eq(policy_field_value(&d, &t, "migration_version"),
	    "type-mv");
	ck_assert_str_eq(policy_field_value(&d, &t, "subsystem_device_id"),
	    "12a2");
	ck_assert_ptr_null(policy_field_value(&d, &t, "driver"));
	ck_assert_ptr_null(policy_field_value(&d, &t, "no_such_field"));
}
END_TEST

START_TEST(validation)
{
	expect_reject("[]", "(document)");
	expect_reject("{\"rules\":[],\"x\":1}", "x");
	expect_reject("{\"rules\":[]}", "rules");
	expect_reject("{}", "rules");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{},\"y\":1}]}",
	    "rules[0].y");
	expect_reject("{\"rules\":[{\"compare\":{}}]}", "rules[0].name");
	expect_reject("{\"rules\":[{\"name\":\"a\"}]}", "rules[0].compare");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"match\":{\"colour\":"
	    "\"red\"},\"compare\":{}}]}", "rules[0].match.colour");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"match\":{\"vendor_id\":"
	    "7},\"compare\":{}}]}", "rules[0].match.vendor_id");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{\"driver\":"
	    "\"exact\"}},{\"name\":\"b\",\"compare\":{\"speed\":\"exact\"}}]}",
	    "rules[1].compare.speed");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{\"driver\":"
	    "\"fuzzy\"}}]}", "rules[0].compare.driver");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":"
	    "{\"attributes.a:b\":\"exact\"}}]}",
	    "rules[0].compare.attributes.a:b");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{\"driver\":"
	    "\"table:missing\"}}]}", "rules[0].compare.driver");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{\"driver\":"
	    "1}}]}", "rules[0].compare.driver");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{}},"
	    "{\"name\":\"a\",\"compare\":{}}]}", "rules[1].name");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{}}],"
	    "\"tables\":{\"t\":[[\"1\"]]}}", "tables.t[0]");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{}}],"
	    "\"tables\":{\"t\":[[\"1\",2]]}}", "tables.t[0][1]");
	expect_reject("{\"rules\":[{\"name\":\"a\",\"compare\":{}}],"
	    "\"tables\":[]}", "tables");
	expect_reject("{\"rules\":[[[[[[[[[[1]]]]]]]]]]}", "(document)");
}
END_TEST

START_TEST(round_trip)
{
	struct policy	*p = parse(tabled, NULL), *q;
	json_t		*a, *b, *orig;

	ck_assert_ptr_nonnull(p);
	a = policy_to_json(p);
	q = policy_from_json(a, NULL);
	ck_assert_ptr_nonnull(q);
	b = policy_to_json(q);
	ck_assert(json_equal(a, b));
	orig = json_loads(tabled, 0, NULL);
	ck_assert(json_equal(a, orig));
	json_decref(orig);
	json_decref(a);
	json_decref(b);
	policy_free(p);
	policy_free(q);

	/* The built-in policy: SPEC v1.1's NVIDIA rule, then default. */
	p = policy_default();
	a = policy_to_json(p);
	orig = json_loads("{\"rules\":[{\"name\":\"nvidia\",\"match\":"
	    "{\"vendor_id\":\"10de\"},\"compare\":{\"driver_version\":"
	    "\"exact\",\"device_id\":\"exact\"}},{\"name\":\"default\","
	    "\"match\":{},\"compare\":{\"driver\":\"exact\","
	    "\"driver_version\":\"exact\",\"migration_version\":\"exact\"}}]}",
	    0, NULL);
	ck_assert(json_equal(a, orig));
	json_decref(orig);
	json_decref(a);
	policy_free(p);
}
END_TEST

/*
 * SPEC v1.1: a policy whose last rule does not match everything gets the
 * default rule appended, so a device no rule names is still compared on
 * driver, driver_version and migration_version -- before, it was
 * compared on nothing at all. Driver matches take '-' and '_' as equal.
 */
START_TEST(default_appended)
{
	struct policy			*p;
	const struct policy_rule	*r;
	struct policy_mismatch		 mm;
	struct inv_device		 s, d;
	struct inv_profile		 sp, dp;
	json_t				*j, *rules;

	p = parse("{\"rules\":[{\"name\":\"xe\",\"match\":{\"driver\":"
	    "\"xe_vfio_pci\"},\"compare\":{\"driver_version\":\"ignore\"}}]}",
	    NULL);
	ck_assert_ptr_nonnull(p);
	j = policy_to_json(p);
	rules = json_object_get(j, "rules");
	ck_assert_uint_eq(json_array_size(rules), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    rules, 1), "name")), "default");
	json_decref(j);

	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	memset(&sp, 0, sizeof(sp));
	memset(&dp, 0, sizeof(dp));
	s.p = &sp;
	d.p = &dp;
	s.p->vendor_id = d.p->vendor_id = "15b3";
	s.p->driver = d.p->driver = "mlx5_vfio_pci";
	s.p->driver_version = "6.8.0";
	d.p->driver_version = "6.9.0";
	r = policy_match(p, &s, NULL);
	ck_assert_str_eq(policy_rule_name(r), "default");
	ck_assert_int_eq(policy_check(p, r, &s, NULL, &d, NULL, &mm), -1);
	ck_assert_str_eq(mm.field, "driver_version");

	/* The kernel's xe-vfio-pci is the rule's xe_vfio_pci. */
	s.p->driver = d.p->driver = "xe-vfio-pci";
	r = policy_match(p, &s, NULL);
	ck_assert_str_eq(policy_rule_name(r), "xe");
	ck_assert_int_eq(policy_check(p, r, &s, NULL, &d, NULL, &mm), 0);
	policy_free(p);

	/* A file with its own "default" that is not a catch-all. */
	p = parse("{\"rules\":[{\"name\":\"default\",\"match\":{\"kind\":"
	    "\"pci\"},\"compare\":{}}]}", NULL);
	ck_assert_ptr_nonnull(p);
	j = policy_to_json(p);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "rules"), 1), "name")), "builtin-default");
	json_decref(j);
	policy_free(p);
}
END_TEST

START_TEST(load_file)
{
	char			 path[] = "/tmp/test_policy.XXXXXX";
	struct inv_error	 err;
	struct policy		*p;
	FILE			*f;
	int			 fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(tabled, f);
	fclose(f);
	p = policy_load(path, &err);
	ck_assert_ptr_nonnull(p);
	policy_free(p);

	f = fopen(path, "w");
	fputs("{\"rules\": [", f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	ck_assert_ptr_null(policy_load(path, &err));
	ck_assert_str_eq(err.field, "(document)");
	unlink(path);
	ck_assert_ptr_null(policy_load(path, &err));
	ck_assert_str_eq(err.field, "(file)");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, comparators);
	tcase_add_test(tc, nulls);
	tcase_add_test(tc, match_and_check);
	tcase_add_test(tc, field_values);
	tcase_add_test(tc, validation);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, default_appended);
	tcase_add_test(tc, load_file);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
