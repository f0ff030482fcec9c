/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_util.h -- helpers of the engine's Check suites (test_compat,
 * test_verdicts): fleets of fixture hosts from tests/unit/data/engine/,
 * requests, and assertions on answers. Times are relative to NOW; the
 * stale limit is STALE.
 */
#ifndef VC_ENGINE_UTIL_H
#define VC_ENGINE_UTIL_H

#include <stdint.h>

#include <jansson.h>

struct compat_config;
struct compat_status;
struct fleet;
struct policy;

#define NOW		1000000
#define STALE		300

/* Fixture host as JSON, to change before put_json(). */
json_t		*fixture_json(const char *host);
/* Put a document (or fixture host) into f, reported age seconds ago. */
void		 put_json(struct fleet *, const json_t *, int64_t age);
void		 put(struct fleet *, const char *host, int64_t age);
/* A fleet of the NULL-terminated fixture hosts, all 10 s old. */
struct fleet	*load(const char *const *);
/* JSON from text with ' for ", for readable requests. */
json_t		*req(const char *);
/* The answer of compat_check_text() parsed back; NULL when refused. */
json_t		*check_tree(const struct fleet *, const struct compat_config *,
		    const json_t *, struct compat_status *);
/* The check's answer (check_tree()) at NOW with STALE; NULL policy is
 * the built-in one. st may be NULL. */
json_t		*run(struct fleet *, const struct policy *, const char *,
		    struct compat_status *);
struct policy	*policy_text(const char *);
const char	*sget(const json_t *, const char *);
/* The result for host; fails the test when there is none. */
const json_t	*result_for(const json_t *, const char *);
/* The reason (or warning) with code, from source id src if not NULL. */
const json_t	*find_reason(const json_t *, const char *, const char *src);
/* Verdict, and if code is given a reason with that code and field. */
void		 expect(const json_t *, const char *verdict, const char *code,
		    const char *field);

#endif
