/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_strpool.c -- the string pool gives memory back: references are
 * counted, the last release frees a string, and a host whose reports
 * keep changing (a probe printing a counter) leaves the pool the size
 * of what is current, not of everything it ever said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "check_util.h"
#include "model/inventory.h"
#include "codec/inventory_json.h"
#include "util/strpool.h"

static size_t	pool_count(struct strpool *);
static size_t	pool_bytes(struct strpool *);

/* strpool_stats(), one figure at a time. */
static size_t
pool_count(struct strpool *p)
{
	size_t	count, bytes;

	strpool_stats(p, &count, &bytes);
	return (count);
}

static size_t
pool_bytes(struct strpool *p)
{
	size_t	count, bytes;

	strpool_stats(p, &count, &bytes);
	return (bytes);
}

START_TEST(test_refcount)
{
	struct strpool	*p = strpool_new();
	const char	*a, *b, *c;

	a = strpool_intern(p, "nvidia-222");
	b = strpool_intern(p, "nvidia-222");
	c = strpool_intern(p, "nvidia-230");
	ck_assert_ptr_eq(a, b);
	ck_assert_ptr_ne(a, c);
	ck_assert_uint_eq(pool_count(p), 2);
	strpool_release(p, &a, 1);
	ck_assert_uint_eq(pool_count(p), 2);
	ck_assert_str_eq(b, "nvidia-222");
	strpool_release(p, &b, 1);
	ck_assert_uint_eq(pool_count(p), 1);
	/* Probing still finds what sits past a freed slot. */
	ck_assert_ptr_eq(strpool_intern(p, "nvidia-230"), c);
	strpool_release(p, &c, 1);
	strpool_release(p, &c, 1);
	ck_assert_uint_eq(pool_count(p), 0);
	strpool_free(p);
}
END_TEST

START_TEST(test_churn_bounded)
{
	struct strpool	*p = strpool_new();
	const char	*keep, *s;
	char		 buf[32];
	size_t		 i, base;

	keep = strpool_intern(p, "stays");
	base = pool_bytes(p);
	for (i = 0; i < 200000; i++) {
		snprintf(buf, sizeof(buf), "value-%zu", i);
		s = strpool_intern(p, buf);
		ck_assert_str_eq(s, buf);
		strpool_release(p, &s, 1);
	}
	ck_assert_uint_eq(pool_count(p), 1);
	ck_assert_uint_le(pool_bytes(p), base + 4096);
	ck_assert_ptr_eq(strpool_intern(p, "stays"), keep);
	strpool_free(p);
}
END_TEST

/* The same host reported again and again with a new driver_version and
 * attribute value each time, the previous report freed as the fleet
 * does: the pool holds one report's strings, not every report's. */
START_TEST(test_inventory_churn)
{
	struct strpool		*p = strpool_new();
	struct inventory	*inv, *prev = NULL;
	struct inv_error	 err;
	json_t			*root, *dev;
	char			*buf, v[32];
	size_t			 len, i, after_first = 0;
	json_error_t		 jerr;

	buf = fixture_read("tests/unit/data/sample.json", &len);
	root = json_loadb(buf, len, 0, &jerr);
	ck_assert_ptr_nonnull(root);
	dev = json_array_get(json_object_get(root, "devices"), 0);
	ck_assert_ptr_nonnull(dev);
	for (i = 0; i < 2000; i++) {
		snprintf(v, sizeof(v), "550.%zu", i);
		json_object_set_new(dev, "driver_version", json_string(v));
		json_object_set_new(json_object_get(dev, "attributes"),
		    "temperature", json_string(v));
		inv = inventory_from_json(root, p, &err);
		ck_assert_msg(inv != NULL, "%s: %s", err.field, err.message);
		inventory_free(prev);
		prev = inv;
		if (i == 0)
			after_first = pool_count(p);
	}
	ck_assert_uint_le(pool_count(p), after_first + 2);
	inventory_free(prev);
	ck_assert_uint_eq(pool_count(p), 0);
	json_decref(root);
	free(buf);
	strpool_free(p);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("strpool");
	TCase	*tc = tcase_create("strpool");

	tcase_add_test(tc, test_refcount);
	tcase_add_test(tc, test_churn_bounded);
	tcase_add_test(tc, test_inventory_churn);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
