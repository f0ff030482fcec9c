# SPDX-License-Identifier: Apache-2.0
# http-fuzz.sh -- mutation-fuzz the real server over HTTP for a bounded
# time (VC_FUZZ_SECONDS, default 20), from a corpus of every route's
# valid requests. Run in the sanitizer build (tests/unit/local.mk): an
# ASan or UBSan report, a crash, a hang of /healthz, an answer that is
# not HTTP, or a JSON answer that is not JSON (or an error without the
# error document) fails it, and so does a server that does not exit 0
# (leaks included) on SIGTERM afterwards.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
secs=${VC_FUZZ_SECONDS:-20}
start_server --request-timeout 5
A=$(jq -r .host "$SAMPLE")
put_inv "$A" "$SAMPLE" | grep -q generation || fail "cannot PUT the sample"
put_inv gpu-b.example.org "$SDATA/gpu-b.json" > /dev/null
C="$T/corpus"
mkdir "$C"
n=0
# raw METHOD TARGET [BODY]: one corpus entry.
raw() {
	n=$((n + 1))
	if [ $# -ge 3 ]; then
		printf '%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
		    "$1" "$2" "$(printf %s "$3" | wc -c)" "$3" > "$C/$(printf %02d $n)"
	else
		printf '%s %s HTTP/1.1\r\nHost: x\r\n\r\n' "$1" "$2" > "$C/$(printf %02d $n)"
	fi
}
DEV=0000:5e:00.3
VM=$(jq -r '.vms[0].uuid // "3d6f0a52-1b7e-4c39-8a1d-5e2f9b7c4a10"' "$SAMPLE")
raw GET /healthz
raw GET /readyz
raw GET /metrics
raw GET /v1/openapi.json
raw GET /v1/policy
raw GET /v1/hosts
raw GET "/v1/hosts?type=nvidia-222&stale=false"
raw GET "/v1/hosts/$A"
raw HEAD "/v1/hosts/$A"
raw DELETE /v1/hosts/gone.example.org
raw GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&device=$DEV"
raw GET "/v1/hosts/gpu-b.example.org/check?source_host=$A&vm=$VM"
raw GET "/v1/vms/$VM/destinations"
raw POST /v1/check "{\"source\":{\"host\":\"$A\",\"devices\":[\"$DEV\"]}}"
raw POST /v1/check "{\"mode\":\"cold\",\"source\":{\"vm\":\"$VM\"},\"destinations\":[\"gpu-b.example.org\"]}"
raw POST /v1/check '{"source":{"descriptors":[{"vendor_id":"10de","device_id":"1eb8"}]}}'
raw PUT "/v1/hosts/$A/inventory" "$(jq -c . "$SAMPLE")"
ok "corpus of $n requests"
seed=${VC_FUZZ_SEED:-$$}
rc=0
python3 "$top_srcdir/tests/fuzz/http-fuzz.py" "$PORT" "$secs" "$seed" "$C" > "$T/fuzz.out" || rc=$?
[ "$rc" = 0 ] || { cat "$T/fuzz.out"; tail -n 20 "$SRV_LOG"; fail "the fuzzer found a bug (seed $seed)"; }
set -- $(cat "$T/fuzz.out")
echo "fuzzed $1 requests in ${secs}s: $2 answered, $3 closed without an answer; statuses $4"
[ "$1" -gt 100 ] || fail "only $1 requests in ${secs}s"
server_alive
if grep -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$SRV_LOG"; then
	fail "sanitizer report in the server log"
fi
stop_server
if grep -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$SRV_LOG"; then
	fail "sanitizer report at exit"
fi
ok "no sanitizer report, clean exit"
