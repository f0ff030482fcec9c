/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_promtext.c -- the exposition-format writer: label escaping, and
 * the per-type series both /metrics and --textfile publish.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"
#include "model/inventory.h"
#include "metrics/promtext.h"

START_TEST(test_escaping)
{
	struct promtext	 p;

	prom_init(&p, "x_");
	prom_printf(&p, "m{");
	prom_label(&p, "a", "plain", true);
	prom_label(&p, "b", "q\"b\\n\nend", false);
	prom_label(&p, "c", NULL, false);
	prom_printf(&p, "} %d\n", 1);
	ck_assert_str_eq(p.out.data,
	    "m{a=\"plain\",b=\"q\\\"b\\\\n\\nend\",c=\"\"} 1\n");
	ck_assert_uint_eq(p.out.len, strlen(p.out.data));
	free(p.out.data);
}
END_TEST

START_TEST(test_growth)
{
	struct promtext	 p;
	char		 big[5000];
	size_t		 i;

	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	prom_init(&p, "x_");
	for (i = 0; i < 100; i++)
		prom_label(&p, "k", big, true);
	ck_assert_uint_eq(p.out.len, 100 * (sizeof(big) - 1 + 4));
	ck_assert_uint_eq(strlen(p.out.data), p.out.len);
	free(p.out.data);
}
END_TEST

START_TEST(test_type_series)
{
	size_t			 len;
	char			*buf = fixture_read("tests/unit/data/sample.json",
				    &len);
	struct inventory	*inv = inventory_parse(buf, len, NULL, NULL);
	struct promtext		 p;

	ck_assert(inv != NULL);
	prom_init(&p, "vc_");
	prom_header(&p, "type_instances", "gauge", "Help.");
	prom_type_series(&p, inv, false, inv->host);
	prom_type_series(&p, inv, true, NULL);
	ck_assert_str_eq(p.out.data,
	    "# HELP vc_type_instances Help.\n"
	    "# TYPE vc_type_instances gauge\n"
	    "vc_type_instances{host=\"compute-17.example.org\","
	    "parent=\"0000:3b:00.0\",kind=\"mdev\",type=\"nvidia-222\"} 1\n"
	    "vc_type_instances{host=\"compute-17.example.org\","
	    "parent=\"0000:3b:00.0\",kind=\"mdev\",type=\"nvidia-230\"} 0\n"
	    "vc_type_available_instances{parent=\"0000:3b:00.0\","
	    "kind=\"mdev\",type=\"nvidia-222\"} 15\n"
	    "vc_type_available_instances{parent=\"0000:3b:00.0\","
	    "kind=\"mdev\",type=\"nvidia-230\"} 0\n");
	free(p.out.data);
	inventory_free(inv);
	free(buf);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("promtext");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_type_series);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
