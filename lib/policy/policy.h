/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h -- which device fields must match between source and
 * destination, and how (SPEC section 6, "Policy").
 *
 * lib/policy/ owns policies and version comparison. It may use
 * lib/codec/ (for its own file's validation), lib/model/, lib/util/.
 *
 * A policy is an ordered list of rules; the first whose match fits a
 * device applies. Each rule maps a field name (driver, driver_version,
 * migration_version, vendor_id, ..., attributes.<key>) to a comparator:
 * exact, ignore, dst-ge, same-major-dst-ge or table:<name>.
 *
 * File: {"rules": [{"name", "match"?: {vendor_id, device_id, driver,
 * type, kind}, "compare": {field: comparator}}], "tables"?: {name:
 * [[src, dst], ...]}}; unknown keys, fields and comparators, tables that
 * do not exist and duplicate rule names are refused naming the path.
 * match.kind is mdev, nvidia-vgpu or pci (a passed-through device).
 * A null on one side is refused by all comparators but ignore; null on
 * both is equal. A table allows equal values and its listed pairs, in
 * that direction only. The rule applied is the source device's.
 */
#ifndef VC_POLICY_H
#define VC_POLICY_H

#include <stdbool.h>

#include <jansson.h>

struct inv_device;
struct inv_type;
struct policy;
struct policy_rule;
struct inv_error;

/* The first field a rule does not allow, with both values (NULL for a
 * JSON null). Strings point into the devices compared or the policy. */
struct policy_mismatch {
	const char	*field;
	const char	*src;
	const char	*dst;
};

/* The built-in policy of SPEC section 6: an "nvidia" rule (vendor 10de:
 * driver_version and device_id exact), then the "default" rule. A
 * loaded policy whose last rule does not match everything gets the
 * default rule appended. match.driver compares '-' and '_' equal. */
struct policy	*policy_default(void);
/* Load and validate a policy file; NULL with err naming the field. */
struct policy	*policy_load(const char *path, struct inv_error *);
struct policy	*policy_from_json(const json_t *, struct inv_error *);
void		 policy_free(struct policy *);
/* The active policy as served by GET /v1/policy. */
json_t		*policy_to_json(const struct policy *);

/*
 * The rule that applies to a source device: the first whose match fits.
 * type is the instance's type, or NULL for a passed-through PCI device
 * (which then matches kind "pci" and never a "type"). NULL when no rule
 * fits; the engine then compares nothing beyond the type itself.
 */
const struct policy_rule *policy_match(const struct policy *,
		    const struct inv_device *, const struct inv_type *);
const char	*policy_rule_name(const struct policy_rule *);
/*
 * a (with type ta, or NULL) and b agree on every field any rule can
 * compare -- the list policy_check() reads from -- so that every policy
 * judges them alike. Strings must come from one pool: they are compared
 * by pointer. The fleet's look-alike index is built on this.
 */
bool		 policy_fields_alike(const struct inv_device *,
		    const struct inv_type *, const struct inv_device *,
		    const struct inv_type *);
/*
 * Check every field the rule compares between source and destination:
 * 0 when all are allowed, -1 with *mm set (may be NULL) at the first
 * that is not, in the order the policy file lists them.
 */
int		 policy_check(const struct policy *, const struct policy_rule *,
		    const struct inv_device *sdev, const struct inv_type *stype,
		    const struct inv_device *ddev, const struct inv_type *dtype,
		    struct policy_mismatch *mm);
/* Value of a policy field ("driver_version", "attributes.nvidia.ecc")
 * on a device and optional type; NULL when null or not a field. The
 * migration_version of an instance is its type's, else its parent's. */
const char	*policy_field_value(const struct inv_device *,
		    const struct inv_type *, const char *field);

/* Dotted numeric compare: <0, 0, >0 like strcmp ("550.127.05" >
 * "550.90.05"). Non-numeric components compare as strings. */
int		 version_compare(const char *, const char *);
/* 1 when the first components are equal (numerically when digits). */
int		 version_major_equal(const char *, const char *);

#endif
