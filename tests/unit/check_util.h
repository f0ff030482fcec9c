/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_util.h -- what every Check suite here needs: running itself and
 * reading fixtures from the source tree.
 */
#ifndef VC_CHECK_UTIL_H
#define VC_CHECK_UTIL_H

#include <stddef.h>

#include <check.h>

/* Run every test of s and free it; the exit status for main(). */
int	 check_run(Suite *);
/* A file below $top_srcdir (set by tests/run-test), whole and NUL-
 * terminated; fails the calling test when it cannot be read. */
char	*fixture_read(const char *relpath, size_t *lenp);

#endif
