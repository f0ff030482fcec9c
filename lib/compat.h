/*
 * compat.h -- the compatibility engine (SPEC section 6).
 *
 * JSON in, JSON out: the request is the body of POST /v1/check (the
 * server turns the GET forms into the same shape), the answer is the
 * response body of SPEC section 5. The engine reads the fleet under the
 * caller's read lock and writes nothing, so any number of checks run at
 * once. Keeping the boundary at JSON means the HTTP layer holds no
 * compatibility logic and the unit tests drive the engine exactly as a
 * client would.
 */
#ifndef VC_COMPAT_H
#define VC_COMPAT_H

#include <stdint.h>

#include <jansson.h>

struct fleet;
struct policy;

struct compat_config {
	const struct policy	*policy;
	int64_t			 now;		/* unix seconds */
	int64_t			 stale_after;	/* seconds, default 300 */
};

/* Why a request could not be answered at all (not a verdict). */
struct compat_status {
	int	http_status;	/* 400, 404, ... */
	char	code[48];	/* UPPER_SNAKE, e.g. VALIDATION_FAILED */
	char	message[256];
	char	field[128];	/* offending field, or "" */
};

/*
 * Answer a check request. Returns the response object, or NULL with st
 * filled when the request itself is invalid. A source that is not in the
 * inventory is not an error here: each result carries SOURCE_UNKNOWN and
 * the verdict unknown; the server's GET forms turn that into a 404.
 */
json_t	*compat_check(const struct fleet *, const struct compat_config *,
	    const json_t *request, struct compat_status *st);

#endif
