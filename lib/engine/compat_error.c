/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compat_error.c -- how the engine says a request cannot be answered.
 *
 * Every part of the engine that validates (the check's envelope in
 * compat.c, the source in requirement.c) reports through here, so a
 * refusal always carries its kind, the offending field and why; what a
 * kind means on the wire is the caller's business (server/check.c).
 */
#include <stdarg.h>
#include <stdio.h>

#include "engine/compat.h"
#include "engine/compat_int.h"
#include "codec/inventory_json.h"

void
compat_fail(struct compat_status *st, enum compat_error error,
    const char *field, const char *fmt, ...)
{
	va_list	 ap;

	if (st == NULL)
		return;
	st->error = error;
	snprintf(st->field, sizeof(st->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
}

int
compat_check_keys(const json_t *obj, const char *path,
    const char *const *keys, struct compat_status *st)
{
	struct inv_error	 err;

	if (json_check_keys(obj, path, keys, &err) == 0)
		return (0);
	compat_fail(st, COMPAT_EINVAL, err.field, "%s",
	    err.message);
	return (-1);
}
