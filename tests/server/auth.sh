# SPDX-License-Identifier: Apache-2.0
# auth.sh -- --tokens: roles, host globs, 401 with a Bearer challenge,
# 403 outside role or glob, open health and metrics endpoints, and the
# refusal to serve beyond loopback without a tokens file.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"

sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
cat > "$T/tokens" <<EOT
# digest role glob
$(sha admin-secret) admin *
$(sha reader-secret) reader *
$(sha collector-secret) collector compute-*
EOT
start_server --tokens "$T/tokens"
A=$(jq -r .host "$SAMPLE")
PUTA="/v1/hosts/$A/inventory"
J='-H Content-Type:application/json'
bearer() { echo "Authorization: Bearer $1"; }

N=0
# expect STATUS CODE METHOD PATH [CURL ARGS...]
expect() {
	st=$1 code=$2 m=$3 p=$4
	shift 4
	N=$((N + 1))
	got=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" "$@" "$URL$p") || true
	[ "$got" = "$st" ] || fail "#$N $m $p: status $got, want $st: $(head -c 300 "$T/body")"
	if [ "$code" != - ]; then
		assert_eq "#$N $m $p code" "$code" "$(jq -r .error.code "$T/body")"
	fi
	ok "#$N $m $p -> $st"
}

# Open endpoints.
expect 200 - GET /healthz
expect 200 - GET /readyz
expect 200 - GET /metrics

# No token, a wrong token, a malformed header: 401 with a challenge.
expect 401 UNAUTHENTICATED GET /v1/hosts
grep -qi '^www-authenticate: bearer' "$T/hdr" || fail "no WWW-Authenticate: Bearer"
ok "WWW-Authenticate: Bearer"
expect 401 UNAUTHENTICATED GET /v1/hosts -H "$(bearer wrong-secret)"
grep -qi '^www-authenticate: bearer' "$T/hdr" || fail "no WWW-Authenticate on a wrong token"
expect 401 UNAUTHENTICATED GET /v1/hosts -H "Authorization: Basic YWRtaW46YWRtaW4="
expect 401 UNAUTHENTICATED GET /v1/hosts -H "Authorization: Bearer"
expect 401 UNAUTHENTICATED PUT "$PUTA" $J --data-binary "@$SAMPLE"
expect 401 UNAUTHENTICATED GET /v1/openapi.json
expect 401 UNAUTHENTICATED POST /v1/check $J --data-binary '{}'
# The digest of a token is not a token.
expect 401 UNAUTHENTICATED GET /v1/hosts -H "$(bearer "$(sha reader-secret)")"

# Collector: PUT of hosts matching its glob only, nothing else.
expect 200 - PUT "$PUTA" $J --data-binary "@$SAMPLE" -H "$(bearer collector-secret)"
expect 403 FORBIDDEN PUT /v1/hosts/gpu-b.example.org/inventory $J \
    --data-binary "@$SDATA/gpu-b.json" -H "$(bearer collector-secret)"
expect 403 FORBIDDEN GET /v1/hosts -H "$(bearer collector-secret)"
expect 403 FORBIDDEN DELETE "/v1/hosts/$A" -H "$(bearer collector-secret)"

# Reader: GETs and checks of every host, no writes.
expect 200 - GET /v1/hosts -H "$(bearer reader-secret)"
expect 200 - GET "/v1/hosts/$A" -H "$(bearer reader-secret)"
expect 200 - POST /v1/check $J -H "$(bearer reader-secret)" \
    --data-binary "{\"source\": {\"host\": \"$A\", \"devices\": [\"0000:5e:00.3\"]}}"
expect 403 FORBIDDEN PUT "$PUTA" $J --data-binary "@$SAMPLE" -H "$(bearer reader-secret)"
expect 403 FORBIDDEN DELETE "/v1/hosts/$A" -H "$(bearer reader-secret)"

# Admin: everything.
expect 200 - PUT /v1/hosts/gpu-b.example.org/inventory $J \
    --data-binary "@$SDATA/gpu-b.json" -H "$(bearer admin-secret)"
expect 200 - GET /v1/policy -H "$(bearer admin-secret)"
expect 204 - DELETE /v1/hosts/gpu-b.example.org -H "$(bearer admin-secret)"

# Route errors come before auth errors only for unknown routes.
expect 404 NOT_FOUND GET /v1/nope

# Inventory PUTs refused by auth (one 401, two 403) count as rejected
# updates; the two accepted ones as changed.
curl -s "$URL/metrics" > "$T/metrics"
grep -q '^vfio_compat_inventory_updates_total{result="rejected"} 3$' "$T/metrics" ||
    fail "auth refusals: $(grep 'updates_total{result="rejected"}' "$T/metrics")"
grep -q '^vfio_compat_inventory_updates_total{result="changed"} 2$' "$T/metrics" ||
    fail "accepted updates: $(grep 'updates_total{result="changed"}' "$T/metrics")"
ok "refused and accepted inventory PUTs counted"
server_alive
stop_server

# Beyond loopback: refused without --tokens, exit 1 with a reason.
rc=0
"$VC_SERVER" --listen 0.0.0.0:$(free_port) --db "$T/x.db" > "$T/out" 2>&1 || rc=$?
assert_eq "0.0.0.0 without --tokens exits 1" 1 "$rc"
grep -q 'without --tokens' "$T/out" || fail "no reason given: $(cat "$T/out")"
ok "refusal names the reason"
rc=0
"$VC_SERVER" --listen "[::]:$(free_port)" --db "$T/x.db" > "$T/out" 2>&1 || rc=$?
assert_eq ":: without --tokens exits 1" 1 "$rc"
[ ! -e "$T/x.db" ] || fail "the refused server created its database"
ok "the refused server touched nothing"

# With tokens it may listen on every address.
DB="$T/wide.db"
PORT=$(free_port)
"$VC_SERVER" --listen "0.0.0.0:$PORT" --db "$DB" --tokens "$T/tokens" >>"$SRV_LOG" 2>&1 &
SRV_PID=$!
at_exit "kill $SRV_PID 2>/dev/null || true"
URL="http://127.0.0.1:$PORT"
i=0
until curl -fs "$URL/readyz" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "server on 0.0.0.0 did not start"; sleep 0.1
done
ok "0.0.0.0 with --tokens serves"
stop_server
