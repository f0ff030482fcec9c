# SPDX-License-Identifier: Apache-2.0
# schema.sh -- the published JSON Schema accepts what the codec accepts
# and rejects the same broken documents, field for field.
. "$top_srcdir/tests/lib.sh"
validate="$top_srcdir/tests/schema-validate"
sample="$top_srcdir/tests/unit/data/sample.json"

python3 -c 'import jsonschema, json, sys; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' \
    "$top_srcdir/schema/inventory.schema.json" || fail "schema is not a valid 2020-12 schema"
ok "schema is valid JSON Schema 2020-12"

"$validate" "$sample" || fail "sample rejected by schema"
ok "sample accepted"

# Each mutation must be rejected, and the message must name the field.
while IFS='|' read -r filter field; do
	[ -n "$filter" ] || continue
	jq "$filter" "$sample" > "$T/bad.json"
	if out=$("$validate" "$T/bad.json"); then
		fail "schema accepted: $filter"
	fi
	case "$out" in
	*"$field"*) ok "rejected $field" ;;
	*) fail "schema error for $filter does not name $field: $out" ;;
	esac
done <<'CASES'
.surprise = 1|(document)
.host = "bad host"|host
.vms[0].backend = "vhost"|vms[0].backend
.platform.iommu_dirty_tracking = "yes"|platform.iommu_dirty_tracking
.devices[0].vendor_id = "10DE"|devices[0].vendor_id
.devices[0].class = "0302"|devices[0].class
.devices[1].physfn = "5e:00.0"|devices[1].physfn
.devices[0].migration.flags = ["teleport"]|devices[0].migration.flags[0]
.devices[0].types[0].kind = "vgpu"|devices[0].types[0].kind
.devices[0].types[0].available_instances = -1|devices[0].types[0].available_instances
.instances[0].id = "not-a-uuid"|instances[0].id
.vms[0].pid = 0|vms[0].pid
del(.platform.arch)|platform
CASES
