# SPDX-License-Identifier: Apache-2.0
# bad-input.sh -- a battery of malformed, oversized, misdirected and
# mistyped requests. Each must get its documented status and error
# code as a JSON error body; afterwards the server must still be up and
# the stored data (the API's view and a dump of the database) unchanged.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
start_server

A=$(jq -r .host "$SAMPLE")
INST=$(jq -r '.instances[0].id' "$SAMPLE")
put_inv "$A" "$SAMPLE" >/dev/null
put_inv gpu-b.example.org "$SDATA/gpu-b.json" >/dev/null
curl -s "$URL/v1/hosts" | jq -S 'del(.hosts[].stale)' > "$T/before.json"
store_dump > "$T/before.sql"

N=0
REJECTED=0
# expect STATUS CODE METHOD PATH [CURL ARGS...]; counts the refused
# inventory PUTs in REJECTED.
expect() {
	st=$1 code=$2 m=$3 p=$4
	shift 4
	N=$((N + 1))
	case "$m $p" in
	"PUT /v1/hosts/"*/inventory) REJECTED=$((REJECTED + 1)) ;;
	esac
	got=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" "$@" "$URL$p") || true
	[ "$got" = "$st" ] || fail "#$N $m $p: status $got, want $st: $(head -c 300 "$T/body")"
	grep -qi '^content-type: application/json' "$T/hdr" || fail "#$N $m $p: not JSON"
	c=$(jq -r '.error.code' "$T/body" 2>/dev/null) || fail "#$N $m $p: body is not JSON"
	if [ "$code" = "*" ]; then
		[ -n "$c" ] && [ "$c" != null ] || fail "#$N $m $p: no error code"
	else
		[ "$c" = "$code" ] || fail "#$N $m $p: code $c, want $code"
	fi
	jq -e '.error.message | type == "string" and length > 0' "$T/body" >/dev/null ||
	    fail "#$N $m $p: no error message"
	ok "#$N $m $p -> $st $c"
}
# expect_field FIELD: the last answer named this field.
expect_field() {
	assert_eq "#$N field" "$1" "$(jq -r .error.field "$T/body")"
}
# expect_allow VALUE: the last answer's Allow header.
expect_allow() {
	a=$(grep -i '^allow:' "$T/hdr" | cut -d' ' -f2- | tr -d '\r')
	assert_eq "#$N Allow" "$1" "$a"
}

J='-H Content-Type:application/json'
PUTA="/v1/hosts/$A/inventory"
# put_edit JQ: the sample edited by a jq filter, as a PUT to host A.
put_edit() {
	jq "$1" "$SAMPLE" > "$T/edit.json"
	expect 400 VALIDATION_FAILED PUT "$PUTA" $J --data-binary "@$T/edit.json"
}

# Malformed, truncated and empty JSON.
expect 400 INVALID_JSON PUT "$PUTA" $J --data-binary '{'
head -c 700 "$SAMPLE" > "$T/trunc.json"
expect 400 INVALID_JSON PUT "$PUTA" $J --data-binary "@$T/trunc.json"
expect 400 INVALID_JSON PUT "$PUTA" $J --data-binary ''
expect 400 INVALID_JSON PUT "$PUTA" $J --data-binary '{"schema": "a", "schema": "b"}'
expect 400 INVALID_JSON PUT "$PUTA" $J --data-binary '{"host": "x"} trailing'
printf '{"host": "\377\376"}' > "$T/utf8.json"
expect 400 INVALID_JSON PUT "$PUTA" $J --data-binary "@$T/utf8.json"
expect 400 INVALID_JSON POST /v1/check $J --data-binary '{"source": '

# Wrong types and values, each naming its field.
expect 400 VALIDATION_FAILED PUT "$PUTA" $J --data-binary '[]'
expect 400 VALIDATION_FAILED PUT "$PUTA" $J --data-binary '"inventory"'
put_edit '.schema = "vfio-compat/inventory/v2"'; expect_field schema
put_edit '.host = 17'; expect_field host
put_edit '.devices = {}'; expect_field devices
put_edit '.devices[0].vendor_id = "10DE"'; expect_field 'devices[0].vendor_id'
put_edit '.devices[0].vendor_id = "0x10de"'; expect_field 'devices[0].vendor_id'
put_edit '.devices[1].address = "0000:5e/00.3"'; expect_field 'devices[1].address'
put_edit '.devices[0].iommu_group = "42"'; expect_field 'devices[0].iommu_group'
put_edit '.devices[0].types[0].available_instances = -1'
put_edit '.devices[0].types[0].kind = "vgpu"'
put_edit '.devices[0].migration.flags = ["teleport"]'
put_edit '.collected_at = "yesterday"'; expect_field collected_at
put_edit '.platform.iommufd = "yes"'; expect_field platform.iommufd
put_edit '.vms[0].uuid = "not-a-uuid"'
put_edit '.instances[0].parent = null'

# Unknown fields.
put_edit '.color = "blue"'; expect_field color
put_edit '.devices[0].bogus = 1'; expect_field 'devices[0].bogus'

# Deeply nested bodies: past the document depth cap, and past the
# parser's own.
python3 -c 'print("{\"a\":" * 40 + "1" + "}" * 40)' > "$T/nest40.json"
expect 400 INVALID_JSON PUT "$PUTA" $J --data-binary "@$T/nest40.json"
python3 -c 'print("[" * 100000 + "]" * 100000)' > "$T/nest1e5.json"
expect 400 INVALID_JSON PUT "$PUTA" $J --data-binary "@$T/nest1e5.json"
expect 400 INVALID_JSON POST /v1/check $J --data-binary "@$T/nest40.json"

# Bodies over 4 MiB: declared, and chunked without a length.
python3 -c 'import sys; sys.stdout.write("{\"schema\":\"" + "a" * (4 * 1024 * 1024 + 16) + "\"}")' > "$T/huge.json"
expect 413 PAYLOAD_TOO_LARGE PUT "$PUTA" $J --data-binary "@$T/huge.json"
expect 413 PAYLOAD_TOO_LARGE PUT "$PUTA" $J -H 'Transfer-Encoding: chunked' --data-binary "@$T/huge.json"
expect 413 PAYLOAD_TOO_LARGE POST /v1/check $J --data-binary "@$T/huge.json"

# Host in body is not the host in the path; bad host names and ids.
expect 400 HOST_MISMATCH PUT /v1/hosts/gpu-b.example.org/inventory $J --data-binary "@$SAMPLE"
expect_field host
expect 400 INVALID_HOST PUT /v1/hosts/bad~host/inventory $J --data-binary "@$SAMPLE"
expect 400 INVALID_HOST GET /v1/hosts/bad~host
expect 400 INVALID_HOST DELETE /v1/hosts/has@at
long=$(python3 -c 'print("a" * 300)')
expect 400 INVALID_PARAMETER GET "/v1/hosts/$long"
expect 400 INVALID_HOST GET "/v1/hosts/bad~host.example.org/check?source_host=$A&device=$INST"
expect 400 INVALID_HOST GET "/v1/hosts/gpu-b.example.org/check?source_host=bad~host&device=$INST"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?device=$INST"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?source_host=$A"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&device=$INST&vm=6f3b1c2d-0000-4000-8000-00000000002a"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&vm=6F3B"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&device=a/b"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&device=$INST&mode=teleport"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&device=$INST&color=red"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&source_host=$A&device=$INST"
expect 400 INVALID_PARAMETER GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&device=$long"
expect 400 INVALID_PARAMETER GET /v1/vms/not-a-uuid/destinations
expect 400 INVALID_PARAMETER GET /v1/hosts?stale=maybe
expect 400 INVALID_PARAMETER GET /v1/hosts?vendor_id=XYZ1
expect 400 INVALID_PARAMETER GET /v1/hosts?sort=name

# Check requests the engine refuses.
expect 400 '*' POST /v1/check $J --data-binary '{}'
expect 400 '*' POST /v1/check $J --data-binary '[1, 2]'
expect 400 '*' POST /v1/check $J --data-binary '{"source": "gpu-a"}'
expect 400 '*' POST /v1/check $J --data-binary "{\"mode\": \"teleport\", \"source\": {\"host\": \"$A\", \"devices\": [\"$INST\"]}}"
expect 400 '*' POST /v1/check $J --data-binary "{\"source\": {\"host\": \"$A\", \"devices\": \"$INST\"}}"
expect 400 '*' POST /v1/check $J --data-binary "{\"source\": {\"host\": \"$A\", \"devices\": [\"$INST\"]}, \"destinations\": [42]}"
expect 400 '*' POST /v1/check $J --data-binary "{\"source\": {\"host\": \"$A\", \"devices\": [\"$INST\"]}, \"extra\": true}"

# Wrong content types.
expect 415 UNSUPPORTED_MEDIA_TYPE PUT "$PUTA" --data-binary "@$SAMPLE"
expect 415 UNSUPPORTED_MEDIA_TYPE PUT "$PUTA" -H 'Content-Type: text/plain' --data-binary "@$SAMPLE"
expect 415 UNSUPPORTED_MEDIA_TYPE PUT "$PUTA" -H 'Content-Type: application/jsonx' --data-binary "@$SAMPLE"
expect 415 UNSUPPORTED_MEDIA_TYPE POST /v1/check -H 'Content-Type: application/x-www-form-urlencoded' --data-binary '{}'

# Wrong methods: 405 with Allow.
expect 405 METHOD_NOT_ALLOWED DELETE /v1/hosts; expect_allow GET
expect 405 METHOD_NOT_ALLOWED POST "/v1/hosts/$A"; expect_allow "GET, DELETE"
expect 405 METHOD_NOT_ALLOWED GET "$PUTA"; expect_allow PUT
expect 405 METHOD_NOT_ALLOWED GET /v1/check; expect_allow POST
expect 405 METHOD_NOT_ALLOWED PUT /v1/check $J --data-binary '{}'; expect_allow POST
expect 405 METHOD_NOT_ALLOWED PATCH /healthz; expect_allow GET
expect 405 METHOD_NOT_ALLOWED POST /metrics; expect_allow GET

# Unknown routes and hosts.
expect 404 NOT_FOUND GET /
expect 404 NOT_FOUND GET /v1/nope
expect 404 NOT_FOUND GET /v1/hosts/
expect 404 NOT_FOUND GET "/v1/hosts/$A/inventory/extra"
expect 404 NOT_FOUND GET /v2/hosts
expect 404 HOST_NOT_FOUND DELETE /v1/hosts/nosuch.example.org
expect 404 HOST_NOT_FOUND GET /v1/hosts/nosuch.example.org

[ "$N" -ge 40 ] || fail "only $N bad requests"
ok "$N bad requests answered as documented"

server_alive
assert_eq "healthz after the battery" '200 {"status":"ok"}' "$(req GET /healthz)"
curl -s "$URL/v1/hosts" | jq -S 'del(.hosts[].stale)' > "$T/after.json"
cmp -s "$T/before.json" "$T/after.json" || { diff "$T/before.json" "$T/after.json"; fail "GET /v1/hosts changed"; }
ok "GET /v1/hosts unchanged"
store_dump > "$T/after.sql"
cmp -s "$T/before.sql" "$T/after.sql" || { diff "$T/before.sql" "$T/after.sql" | head; fail "database changed"; }
ok "database unchanged"
curl -s "$URL/metrics" > "$T/metrics"
# Every refused PUT counts, also those refused before validation
# (413, 415).
grep -q "^vfio_compat_inventory_updates_total{result=\"rejected\"} $REJECTED\$" "$T/metrics" ||
    fail "rejections: want $REJECTED, got $(grep 'updates_total{result="rejected"}' "$T/metrics")"
grep -q 'vfio_compat_http_requests_total{route="unmatched",method="GET",code="404"} 5' "$T/metrics" || fail "unmatched routes not counted"
ok "rejections and unmatched routes counted"
stop_server
