/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_util.c -- shared by the Check suites in tests/unit/.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check_util.h"
#include "util/file.h"

#define FIXTURE_MAX	(16 * 1024 * 1024)

int
check_run(Suite *s)
{
	SRunner	*sr = srunner_create(s);
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? 0 : 1);
}

char *
fixture_read(const char *relpath, size_t *lenp)
{
	const char	*top = getenv("top_srcdir");
	char		 path[4096];
	char		*buf;

	snprintf(path, sizeof(path), "%s/%s", top != NULL ? top : ".",
	    relpath);
	buf = file_read(path, FIXTURE_MAX, lenp);
	ck_assert_msg(buf != NULL, "cannot read fixture %s", path);
	return (buf);
}
