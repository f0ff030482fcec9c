/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_version.c -- dotted numeric version ordering: the case a string
 * compare gets wrong, leading zeros, suffixes, lengths and NULL.
 */
#include <check.h>

#include "check_util.h"

#include "policy/policy.h"

#define SIGN(x)	((x) > 0 ? 1 : (x) < 0 ? -1 : 0)

START_TEST(numeric_not_lexical)
{
	ck_assert_int_eq(SIGN(version_compare("550.127.05", "550.90.05")), 1);
	ck_assert_int_eq(SIGN(version_compare("550.90.05", "550.127.05")), -1);
	ck_assert_int_eq(SIGN(version_compare("10.1.0", "9.2.0")), 1);
	ck_assert_int_eq(SIGN(version_compare("9.2.0", "10.1")), -1);
}
END_TEST

START_TEST(leading_zeros_and_equality)
{
	ck_assert_int_eq(version_compare("550.90.05", "550.90.5"), 0);
	ck_assert_int_eq(version_compare("1.002", "1.2"), 0);
	ck_assert_int_eq(SIGN(version_compare("1.010", "1.9")), 1);
	ck_assert_int_eq(version_compare("6.8.0", "6.8.0"), 0);
}
END_TEST

START_TEST(fewer_components_older)
{
	ck_assert_int_eq(SIGN(version_compare("1.2", "1.2.0")), -1);
	ck_assert_int_eq(SIGN(version_compare("1.2.0", "1.2")), 1);
	ck_assert_int_eq(SIGN(version_compare("5.18.0-rc1", "5.18")), 1);
}
END_TEST

START_TEST(suffixes_and_strings)
{
	/* Kernel releases: numbers first, then the flavour as a string. */
	ck_assert_int_eq(SIGN(version_compare("6.8.0-45-generic", "5.18")),
	    1);
	ck_assert_int_eq(SIGN(version_compare("5.15.0-91-generic", "5.18")),
	    -1);
	ck_assert_int_eq(SIGN(version_compare("6.8.0-45-generic",
	    "6.8.0-100-generic")), -1);
	ck_assert_int_eq(SIGN(version_compare("1.0.a", "1.0.b")), -1);
	ck_assert_int_eq(SIGN(version_compare("1.0.b", "1.0.a")), 1);
	ck_assert_int_eq(SIGN(version_compare("1.0.ab", "1.0.a")), 1);
}
END_TEST

START_TEST(nulls)
{
	ck_assert_int_eq(version_compare(NULL, NULL), 0);
	ck_assert_int_eq(SIGN(version_compare(NULL, "1")), -1);
	ck_assert_int_eq(SIGN(version_compare("1", NULL)), 1);
}
END_TEST

START_TEST(major)
{
	ck_assert_int_eq(version_major_equal("550.90.05", "550.127.05"), 1);
	ck_assert_int_eq(version_major_equal("550.90.05", "0550.1"), 1);
	ck_assert_int_eq(version_major_equal("550.90.05", "535.90.05"), 0);
	ck_assert_int_eq(version_major_equal(NULL, "535"), 0);
	ck_assert_int_eq(version_major_equal(NULL, NULL), 1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("version");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, numeric_not_lexical);
	tcase_add_test(tc, leading_zeros_and_equality);
	tcase_add_test(tc, fewer_components_older);
	tcase_add_test(tc, suffixes_and_strings);
	tcase_add_test(tc, nulls);
	tcase_add_test(tc, major);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
