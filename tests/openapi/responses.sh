# SPDX-License-Identifier: Apache-2.0
# responses.sh -- every kind of answer a live server gives, held to the
# schema schema/openapi.yaml declares for that operation and status; and
# the served /v1/openapi.json is that document.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
spec="$top_srcdir/schema/openapi.yaml"
validate="$top_srcdir/tests/openapi/validate-response"
# The demo fleet: gpu-a1 runs this VM with one T4 vGPU.
VM=3d6f0a52-1b7e-4c39-8a1d-5e2f9b7c4a10
start_server --demo "$top_srcdir/deploy/demo"
n=0

# check METHOD TEMPLATE EXPECTED_STATUS PATH [CURL ARGS...]
check() {
	m=$1 tpl=$2 want=$3 p=$4
	shift 4
	got=$(curl -s -o "$T/resp" -w '%{http_code}' -X "$m" "$@" "$URL$p")
	[ "$got" = "$want" ] || { cat "$T/resp"; fail "$m $p: status $got, want $want"; }
	"$validate" "$spec" "$m" "$tpl" "$got" "$T/resp" ||
	    fail "$m $p ($got) does not match the document"
	n=$((n + 1))
	ok "$m $p $got matches $tpl"
}

check GET /healthz 200 /healthz
check GET /readyz 200 /readyz
check GET /v1/hosts 200 /v1/hosts
check GET /v1/hosts 200 '/v1/hosts?type=nvidia-222&stale=false'
check GET /v1/hosts 400 '/v1/hosts?colour=blue'
check GET '/v1/hosts/{host}' 200 /v1/hosts/gpu-a1
check GET '/v1/hosts/{host}' 200 /v1/hosts/gpu-h1
check GET '/v1/hosts/{host}' 200 /v1/hosts/lab-1
check GET '/v1/hosts/{host}' 404 /v1/hosts/nosuch
check GET '/v1/hosts/{host}' 400 /v1/hosts/bad~name
check GET /v1/policy 200 /v1/policy
check GET "/v1/vms/{uuid}/destinations" 200 "/v1/vms/$VM/destinations"
check GET "/v1/vms/{uuid}/destinations" 404 \
    /v1/vms/00000000-0000-4000-8000-000000000000/destinations
inst=$(curl -s "$URL/v1/hosts/gpu-a1" | jq -r '.instances[0].id')
check GET '/v1/hosts/{dst}/check' 200 \
    "/v1/hosts/gpu-a2/check?source_host=gpu-a1&device=$inst"
check GET '/v1/hosts/{dst}/check' 200 \
    "/v1/hosts/gpu-a4/check?source_host=gpu-a1&vm=$VM"
check GET '/v1/hosts/{dst}/check' 404 \
    "/v1/hosts/gpu-a2/check?source_host=gpu-a1&device=0000:99:00.0"
check GET '/v1/hosts/{dst}/check' 400 "/v1/hosts/gpu-a2/check?source_host=gpu-a1"

for body in "{\"source\":{\"vm\":\"$VM\"}}" \
    "{\"mode\":\"cpr\",\"source\":{\"host\":\"gpu-a1\",\"devices\":[\"$inst\"]}}" \
    "{\"source\":{\"host\":\"net-1\",\"devices\":[\"0000:5e:00.2\",\"0000:5e:00.3\"]},\"destinations\":[\"net-2\",\"nosuch\"]}" \
    '{"source":{"descriptors":[{"device":{"vendor_id":"10de","driver":"nvidia","driver_version":"550.90.05"},"type":{"kind":"mdev","id":"nvidia-222","device_api":"vfio-pci"}}]}}'; do
	check POST /v1/check 200 /v1/check -H 'Content-Type: application/json' -d "$body"
done
check POST /v1/check 400 /v1/check -H 'Content-Type: application/json' -d '{"source":'
check POST /v1/check 415 /v1/check -H 'Content-Type: text/plain' -d '{}'
check DELETE /v1/check 405 /v1/check

jq '.host = "fresh-1"' "$SAMPLE" > "$T/fresh.json"
check PUT '/v1/hosts/{host}/inventory' 200 /v1/hosts/fresh-1/inventory \
    -H 'Content-Type: application/json' --data-binary @"$T/fresh.json"
check PUT '/v1/hosts/{host}/inventory' 400 /v1/hosts/other-1/inventory \
    -H 'Content-Type: application/json' --data-binary @"$T/fresh.json"
jq '.devices[0].vendor_id = "XYZ"' "$T/fresh.json" > "$T/bad.json"
check PUT '/v1/hosts/{host}/inventory' 400 /v1/hosts/fresh-1/inventory \
    -H 'Content-Type: application/json' --data-binary @"$T/bad.json"
head -c 5000000 /dev/zero | tr '\0' ' ' > "$T/huge.json"
check PUT '/v1/hosts/{host}/inventory' 413 /v1/hosts/fresh-1/inventory \
    -H 'Content-Type: application/json' --data-binary @"$T/huge.json"
check DELETE '/v1/hosts/{host}' 404 /v1/hosts/nosuch
got=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/v1/hosts/fresh-1")
assert_eq "DELETE answers 204 with no body" 204 "$got"

# The served document is the YAML, as JSON.
curl -s "$URL/v1/openapi.json" > "$T/served.json"
python3 - "$spec" "$T/served.json" <<'PY' || fail "served openapi.json differs from schema/openapi.yaml"
import json, sys, yaml
sys.exit(0 if yaml.safe_load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)
PY
ok "GET /v1/openapi.json serves schema/openapi.yaml"
echo "$n responses validated"
