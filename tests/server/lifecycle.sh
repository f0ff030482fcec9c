# SPDX-License-Identifier: Apache-2.0
# lifecycle.sh -- the server's command line, persistence across a
# restart, staleness, the policy file, --demo, and clean exits on
# SIGTERM and SIGINT.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"

# Usage errors exit 2, --help exits 0.
usage_rc() {
	rc=0
	"$VC_SERVER" "$@" > "$T/out" 2>&1 || rc=$?
	echo "$rc"
}
assert_eq "--help" 0 "$(usage_rc --help)"
grep -q -- '--listen' "$T/out" || fail "--help does not list --listen"
assert_eq "unknown option" 2 "$(usage_rc --frobnicate)"
assert_eq "stray argument" 2 "$(usage_rc extra)"
assert_eq "--threads 0" 2 "$(usage_rc --threads 0)"
assert_eq "--threads x" 2 "$(usage_rc --threads x)"
assert_eq "--stale-after -5" 2 "$(usage_rc --stale-after -5)"
assert_eq "--listen without port" 2 "$(usage_rc --listen 127.0.0.1)"
assert_eq "--listen port 70000" 2 "$(usage_rc --listen 127.0.0.1:70000)"
assert_eq "--listen by name" 2 "$(usage_rc --listen example.org:80)"
assert_eq "--tls-cert without --tls-key" 2 "$(usage_rc --tls-cert /dev/null)"
assert_eq "missing tokens file" 1 "$(usage_rc --tokens "$T/none" --db "$T/u.db" --listen 127.0.0.1:$(free_port))"
echo "not a token line" > "$T/badtokens"
assert_eq "bad tokens file" 1 "$(usage_rc --tokens "$T/badtokens" --db "$T/u.db" --listen 127.0.0.1:$(free_port))"
echo '{"rules": [{"name": "x", "match": {}, "compare": {"driver": "sometimes"}}]}' > "$T/badpolicy"
assert_eq "bad policy file" 1 "$(usage_rc --policy "$T/badpolicy" --db "$T/u.db" --listen 127.0.0.1:$(free_port))"
assert_eq "unopenable database" 1 "$(usage_rc --db /nonexistent/dir/x.db --listen 127.0.0.1:$(free_port))"

# Persistence: hosts, generations and received_at survive a restart.
start_server
A=$(jq -r .host "$SAMPLE")
put_inv "$A" "$SAMPLE" >/dev/null
jq '.devices[0].types[0].available_instances = 3' "$SAMPLE" > "$T/v2.json"
put_inv "$A" "$T/v2.json" >/dev/null
put_inv gpu-b.example.org "$SDATA/gpu-b.json" >/dev/null
curl -s "$URL/v1/hosts" > "$T/before.json"
curl -s "$URL/v1/hosts/$A" > "$T/a-before.json"
stop_server
ok "SIGTERM exits 0"
start_server
curl -s "$URL/v1/hosts" > "$T/after.json"
curl -s "$URL/v1/hosts/$A" > "$T/a-after.json"
assert_eq "hosts after restart" "$(jq -S . "$T/before.json")" "$(jq -S . "$T/after.json")"
assert_eq "host document after restart" "$(jq -S . "$T/a-before.json")" "$(jq -S . "$T/a-after.json")"
assert_eq "generation after restart" 2 "$(jq .generation "$T/a-after.json")"
r=$(put_inv "$A" "$T/v2.json")
assert_eq "same document after restart is unchanged" "2 false" "$(echo "$r" | jq -r '"\(.generation) \(.changed)"')"
kill -INT "$SRV_PID"
rc=0; wait "$SRV_PID" || rc=$?
assert_eq "SIGINT exits 0" 0 "$rc"

# Staleness: a short --stale-after makes the hosts stale and unknown.
start_server --stale-after 1
sleep 2.2
assert_eq "stale host" true "$(curl -s "$URL/v1/hosts/$A" | jq .stale)"
assert_eq "?stale=true" 2 "$(curl -s "$URL/v1/hosts?stale=true" | jq '.hosts | length')"
assert_eq "?stale=false" 0 "$(curl -s "$URL/v1/hosts?stale=false" | jq '.hosts | length')"
curl -s "$URL/metrics" | grep -q '^vfio_compat_hosts{state="stale"} 2$' || fail "stale hosts metric"
ok "stale hosts metric"
r=$(curl -s "$URL/v1/hosts/gpu-b.example.org/check?source_host=$A&device=0000:5e:00.3")
[ "$(echo "$r" | jq -r .verdict)" != compatible ] || fail "a stale host is compatible: $r"
ok "a stale host is never compatible"
echo "$r" | jq -e '.reasons | any(.code == "HOST_STALE")' >/dev/null || fail "no HOST_STALE: $r"
ok "HOST_STALE"
r=$(put_inv "$A" "$T/v2.json")
assert_eq "a fresh report makes the host fresh" false "$(curl -s "$URL/v1/hosts/$A" | jq .stale)"
stop_server

# A policy file is active and shown by GET /v1/policy.
cat > "$T/policy.json" <<'EOP'
{"rules": [
  {"name": "nvidia", "match": {"vendor_id": "10de"},
   "compare": {"driver_version": "dst-ge"}},
  {"name": "default", "match": {},
   "compare": {"driver": "exact", "driver_version": "exact", "migration_version": "exact"}}
]}
EOP
start_server --policy "$T/policy.json"
assert_eq "policy served" "nvidia default" "$(curl -s "$URL/v1/policy" | jq -r '[.rules[].name] | join(" ")')"
stop_server

# --demo: the sample fleet of deploy/demo, fresh, with a VM that has
# somewhere to go; --demo-dir points elsewhere.
DB="$T/demo.db"
start_server --demo "$top_srcdir/deploy/demo"
ndemo=$(ls "$top_srcdir"/deploy/demo/*.json | wc -l)
assert_eq "--demo loads every demo host" "$ndemo" "$(curl -s "$URL/v1/hosts?stale=false" | jq '.hosts | length')"
r=$(curl -s "$URL/v1/vms/3d6f0a52-1b7e-4c39-8a1d-5e2f9b7c4a10/destinations")
assert_eq "demo VM destinations" "gpu-a2 gpu-a3" "$(echo "$r" | jq -r '[.results[].host] | join(" ")')"
stop_server
mkdir "$T/demo2"
cp "$top_srcdir/deploy/demo/gpu-a2.json" "$T/demo2/"
DB="$T/demo2.db"
start_server --demo-dir "$T/demo2"
assert_eq "--demo-dir" gpu-a2 "$(curl -s "$URL/v1/hosts" | jq -r '[.hosts[].host] | join(" ")')"
stop_server
echo '{"schema": "nope"}' > "$T/demo2/bad.json"
assert_eq "--demo-dir with a bad inventory" 1 "$(usage_rc --demo-dir "$T/demo2" --db "$T/demo3.db" --listen 127.0.0.1:$(free_port))"

# HTTPS with --tls-cert/--tls-key (tls.sh tests --tls-client-ca).
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
	    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	DB="$T/tls.db"
	PORT=$(free_port)
	"$VC_SERVER" --listen "127.0.0.1:$PORT" --db "$DB" --tls-cert "$T/cert.pem" \
	    --tls-key "$T/key.pem" >>"$SRV_LOG" 2>&1 &
	SRV_PID=$!
	at_exit "kill $SRV_PID 2>/dev/null || true"
	i=0
	until curl -fs --cacert "$T/cert.pem" "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$SRV_LOG" >&2; fail "HTTPS server did not start"; }
		sleep 0.1
	done
	ok "HTTPS with --tls-cert and --tls-key"
	curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && fail "plain HTTP answered on the HTTPS port"
	ok "no plain HTTP on the HTTPS port"
	stop_server
	assert_eq "--tls-client-ca without --tls-cert" 2 "$(usage_rc --tls-client-ca "$T/cert.pem")"
	echo "not a certificate" > "$T/notca.pem"
	assert_eq "--tls-client-ca without a certificate" 1 "$(usage_rc --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --tls-client-ca "$T/notca.pem" --db "$T/u.db" --listen 127.0.0.1:$(free_port))"
	grep -q 'no usable CA certificate' "$T/out" || fail "no reason for a bad --tls-client-ca: $(cat "$T/out")"
	ok "a bad --tls-client-ca names the reason"
fi
