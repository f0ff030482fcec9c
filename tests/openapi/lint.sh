# SPDX-License-Identifier: Apache-2.0
# lint.sh -- schema/openapi.yaml must lint clean with @redocly/cli (the
# version pinned in tests/openapi/package-lock.json, installed by
# deploy/quickstart; skipped outside CI without it, see npm_tool), and
# must describe every route the server routes.
. "$top_srcdir/tests/lib.sh"
redocly=$(npm_tool redocly) || exit $?
spec="$top_srcdir/schema/openapi.yaml"
"$redocly" lint --config "$top_srcdir/tests/openapi/redocly.yaml" \
    --format stylish "$spec" > "$T/lint.out" 2>&1 || {
	cat "$T/lint.out"; fail "redocly lint reported problems"; }
grep -q "Woohoo\|valid" "$T/lint.out" || { cat "$T/lint.out"; fail "unexpected lint output"; }
ok "redocly lint clean"

# Every route of SPEC section 5 is documented with its method.
python3 - "$spec" <<'PY' || fail "routes missing from the OpenAPI document"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
want = {
    ("get", "/healthz"), ("get", "/readyz"), ("get", "/metrics"),
    ("get", "/v1/openapi.json"), ("put", "/v1/hosts/{host}/inventory"),
    ("get", "/v1/hosts"), ("get", "/v1/hosts/{host}"),
    ("delete", "/v1/hosts/{host}"), ("post", "/v1/check"),
    ("get", "/v1/hosts/{dst}/check"), ("get", "/v1/vms/{uuid}/destinations"),
    ("get", "/v1/policy"),
}
have = {(m, p) for p, ops in doc["paths"].items() for m in ops
        if m in ("get", "put", "post", "delete", "patch")}
missing = sorted(want - have)
for m, p in missing:
    print(f"missing: {m.upper()} {p}")
sys.exit(1 if missing else 0)
PY
ok "every SPEC route is documented"
