/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compat.h -- the compatibility engine (SPEC section 6).
 *
 * lib/engine/ owns the check: requirements, evaluation, matching, the
 * answer's text. It may use every folder of lib/ but store/ and
 * metrics/, and knows nothing of HTTP.
 *
 * JSON in, JSON out: the request is the body of POST /v1/check (the
 * server turns the GET forms into the same shape, or for the single
 * check hands its parts over as they are), the answer is the
 * response body of SPEC section 5. The engine reads the fleet under the
 * caller's read lock and writes nothing, so any number of checks run at
 * once. Keeping the boundary at JSON means the HTTP layer holds no
 * compatibility logic and the unit tests drive the engine exactly as a
 * client would.
 *
 * Answer: {"source": {"host", "vm"?, "devices": [resolved requirements:
 * id, state ok|unknown|not_migratable, kind mdev|nvidia-vgpu|pci, type,
 * device_api, parent, ids, driver, driver_version, migration_version,
 * flags (null when not probed), policy (rule name)]}, "results": [{host,
 * verdict, reasons, warnings, assignments, score, data_age_s}]}. Reason
 * codes: HOST_UNKNOWN, HOST_STALE, SOURCE_UNKNOWN, SOURCE_NOT_MIGRATABLE,
 * TYPE_MISSING, DEVICE_API_MISMATCH, DEVICE_MISSING, VERSION_MISMATCH,
 * NO_CAPACITY, P2P_REQUIRED, PLATFORM_MISMATCH, SAME_HOST,
 * CPR_UNSUPPORTED; warnings FLAGS_UNKNOWN, DATA_OLD. score (compatible
 * results only, else null) is the free capacity of the candidate slots
 * left after the assignment. Order: compatible by score, then unknown,
 * then incompatible, ties by host name. compat.c's opening comment
 * lists the decisions the SPEC leaves open.
 */
#ifndef VC_COMPAT_H
#define VC_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct buf_pieces;
struct fleet;
struct policy;

struct compat_config {
	const struct policy	*policy;
	int64_t			 now;		/* unix seconds */
	int64_t			 stale_after;	/* seconds, default 300 */
	/* Threads a check against a big fleet may use (0, 1: the
	 * calling thread only). */
	unsigned int		 threads;
};

/* Why a request could not be answered in full (not a verdict). */
enum compat_error {
	COMPAT_OK,		/* answered */
	COMPAT_EINVAL,		/* the request is not valid: no answer */
	COMPAT_ENOSOURCE,	/* the source is not in the fleet: an answer
				 * whose results say SOURCE_UNKNOWN */
	COMPAT_EINTERNAL	/* the engine failed: no answer */
};

struct compat_status {
	enum compat_error error;
	char	message[256];
	char	field[128];	/* offending field, or "" */
	/* On an answer: how many results had each verdict (all of them,
	 * also with compatible_only), for the checks_total metric. */
	size_t	n_compatible, n_unknown, n_incompatible;
};


/*
 * Answer a check request as JSON text (NUL-terminated, length in *lenp,
 * free() it), written directly without building a jansson tree. Returns
 * NULL with st filled (COMPAT_EINVAL and the field) when the request
 * itself is invalid. A source that is not in the inventory is not an
 * error here: each result carries SOURCE_UNKNOWN and the verdict
 * unknown, and st is COMPAT_ENOSOURCE naming the field ("source.vm",
 * "source.devices[1]") so the server's GET forms can answer 404; on a
 * full answer st->error is COMPAT_OK. st may be NULL. Mapping kinds to
 * HTTP is the server's. A NULL config policy means the built-in policy.
 * compatible_only keeps only the compatible results (GET
 * /v1/vms/{uuid}/destinations).
 *
 * Request: {"mode": "live"|"cold"|"cpr", "source": S, "destinations":
 * [hosts]} with S one of {"host","devices":[ids]}, {"host","vm"},
 * {"vm"} or {"descriptors":[D], "platform"?: {"arch","qemu_version"}}
 * and each D {"id"?, "device": {device entry fields, any subset},
 * "type"?: {type entry fields; kind, id, device_api required}} -- with
 * "type" an instance of that type on that parent, without it a
 * passed-through device. At most 64 devices or descriptors and 10000
 * destinations.
 */
char	*compat_check_text(const struct fleet *, const struct compat_config *,
	    const json_t *request, bool compatible_only, size_t *lenp,
	    struct compat_status *st);
/*
 * The same answer as consecutive pieces into out (util/buf.h; empty on
 * entry), for a caller that can send them without joining them: 0, or
 * -1 refused with out left empty. A check in parts makes one per part.
 */
int	 compat_check_pieces(const struct fleet *,
	    const struct compat_config *, const json_t *request,
	    bool compatible_only, struct buf_pieces *out,
	    struct compat_status *st);

/*
 * For GET /v1/hosts/{dst}/check: a request naming exactly one
 * destination (else COMPAT_EINVAL on "destinations"), answered with
 * just that result's object as text, no envelope and no source section -- the
 * cheapest form, for the route benchmarked per request. st as above:
 * COMPAT_ENOSOURCE when the source is not in the fleet.
 */
char	*compat_check_one_text(const struct fleet *,
	    const struct compat_config *, const json_t *request, size_t *lenp,
	    struct compat_status *st);

/*
 * The same question with its parts already apart, so that the GET form
 * builds no JSON: the source {host, devices: [device]} or {host?, vm}
 * (exactly one of device and vm) and one destination. Every part is
 * validated as in a JSON request, with the same fields and messages;
 * the answer and st are compat_check_one_text()'s.
 */
struct compat_one {
	const char	*mode;		/* live, cold or cpr; NULL: live */
	const char	*host;		/* source host, or NULL with vm */
	const char	*device;	/* a device or instance id, or NULL */
	const char	*vm;		/* a VM's UUID, or NULL */
	const char	*destination;
};

char	*compat_check_one(const struct fleet *, const struct compat_config *,
	    const struct compat_one *, size_t *lenp, struct compat_status *st);

#endif
