/*
 * policy.h -- which device fields must match between source and
 * destination, and how (SPEC section 6, "Policy").
 *
 * A policy is an ordered list of rules; the first whose match fits a
 * device applies. Each rule maps a field name (driver, driver_version,
 * migration_version, vendor_id, ..., attributes.<key>) to a comparator:
 * exact, ignore, dst-ge, same-major-dst-ge or table:<name>.
 */
#ifndef VC_POLICY_H
#define VC_POLICY_H

#include <stdbool.h>

#include <jansson.h>

struct inv_device;
struct inv_type;
struct policy;
struct inv_error;

/* The built-in policy: the "default" rule of SPEC section 6. */
struct policy	*policy_default(void);
/* Load and validate a policy file; NULL with err naming the field. */
struct policy	*policy_load(const char *path, struct inv_error *);
struct policy	*policy_from_json(const json_t *, struct inv_error *);
void		 policy_free(struct policy *);
/* The active policy as served by GET /v1/policy. */
json_t		*policy_to_json(const struct policy *);

/* Dotted numeric compare: <0, 0, >0 like strcmp ("550.127.05" >
 * "550.90.05"). Non-numeric components compare as strings. */
int		 version_compare(const char *, const char *);

#endif
