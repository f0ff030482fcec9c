# SPDX-License-Identifier: Apache-2.0
# tls.sh -- --tls-client-ca: with it every request on the HTTPS
# listener, /healthz and /metrics included, needs a client certificate
# that a CA in that file signed for TLS client use. The server finishes
# the handshake either way and answers a request without such a
# certificate 403 CLIENT_CERT_REQUIRED; it counts as a rejected update
# when it was an inventory PUT. Certificates are made here with openssl;
# curl and the vfio-compat CLI are the clients.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
command -v openssl >/dev/null || fail "openssl is required"

# mkcert NAME SIGNER EXTENSIONS: an EC key NAME.key and a certificate
# NAME.pem signed by SIGNER (a name made before) or self-signed (-).
mkcert() {
	name=$1 signer=$2 ext=$3
	printf '%b\n' "$ext" > "$T/$name.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$T/$name.key" -out "$T/$name.csr" \
	    -subj "/CN=vc-test-$name" >/dev/null 2>&1 || fail "openssl req $name"
	if [ "$signer" = - ]; then
		openssl x509 -req -in "$T/$name.csr" -signkey "$T/$name.key" \
		    -days 1 -extfile "$T/$name.ext" -out "$T/$name.pem" \
		    >/dev/null 2>&1 || fail "openssl x509 $name"
	else
		openssl x509 -req -in "$T/$name.csr" -CA "$T/$signer.pem" \
		    -CAkey "$T/$signer.key" -set_serial "0x$(openssl rand -hex 8)" \
		    -days 1 -extfile "$T/$name.ext" -out "$T/$name.pem" \
		    >/dev/null 2>&1 || fail "openssl x509 $name"
	fi
}
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign'
CLIENT_EXT='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth'
mkcert ca - "$CA_EXT"
mkcert otherca - "$CA_EXT"
mkcert server ca 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost'
mkcert client ca "$CLIENT_EXT"
mkcert stranger otherca "$CLIENT_EXT"
mkcert selfsigned - "$CLIENT_EXT"
openssl verify -CAfile "$T/ca.pem" "$T/client.pem" >/dev/null || fail "test client certificate"
openssl verify -CAfile "$T/ca.pem" "$T/stranger.pem" >/dev/null 2>&1 && fail "test stranger certificate verifies"
ok "certificates made"

# The server with a client CA, on HTTPS; started like start_server but
# probed with the good client certificate.
PORT=$(free_port)
URL="https://127.0.0.1:$PORT"
"$VC_SERVER" --listen "127.0.0.1:$PORT" --db "$DB" --threads 2 \
    --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
    --tls-client-ca "$T/ca.pem" >>"$SRV_LOG" 2>&1 &
SRV_PID=$!
at_exit "kill $SRV_PID 2>/dev/null || true"
GOOD="--cacert $T/ca.pem --cert $T/client.pem --key $T/client.key"
i=0
until curl -fs $GOOD "$URL/readyz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$SRV_LOG" >&2; fail "HTTPS server did not start"; }
	kill -0 "$SRV_PID" 2>/dev/null || { cat "$SRV_LOG" >&2; fail "server exited at start"; }
	sleep 0.1
done
ok "HTTPS server with --tls-client-ca is up"

A=$(jq -r .host "$SAMPLE")
PUTA="/v1/hosts/$A/inventory"
J='-H Content-Type:application/json'
N=0
# expect STATUS CODE METHOD PATH [CURL ARGS...]: status and error code
# (- for none) of one request; the TLS handshake must succeed.
expect() {
	st=$1 code=$2 m=$3 p=$4
	shift 4
	N=$((N + 1))
	rc=0
	got=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" --cacert "$T/ca.pem" \
	    "$@" "$URL$p") || rc=$?
	[ "$rc" = 0 ] || fail "#$N $m $p: curl exit $rc"
	[ "$got" = "$st" ] || fail "#$N $m $p: status $got, want $st: $(head -c 300 "$T/body")"
	if [ "$code" != - ]; then
		assert_eq "#$N $m $p code" "$code" "$(jq -r .error.code "$T/body")"
	fi
	ok "#$N $m $p -> $st"
}

# No client certificate: the handshake completes, every route is 403,
# unknown routes too (no 404 that would tell what exists).
for p in /healthz /readyz /metrics /v1/hosts "/v1/hosts/$A" /v1/openapi.json /v1/nope; do
	expect 403 CLIENT_CERT_REQUIRED GET "$p"
	assert_eq "#$N reason" "a client certificate is required" "$(jq -r .error.message "$T/body")"
done
expect 403 CLIENT_CERT_REQUIRED PUT "$PUTA" $J --data-binary "@$SAMPLE"
expect 403 CLIENT_CERT_REQUIRED POST /v1/check $J --data-binary '{}'

# A certificate from another CA, a self-signed one, and the server's
# own certificate (the right CA, but for TLS servers only): 403.
for c in stranger selfsigned server; do
	expect 403 CLIENT_CERT_REQUIRED GET /healthz --cert "$T/$c.pem" --key "$T/$c.key"
	assert_eq "#$N reason" "the client certificate is not trusted" "$(jq -r .error.message "$T/body")"
	expect 403 CLIENT_CERT_REQUIRED PUT "$PUTA" $J --data-binary "@$SAMPLE" \
	    --cert "$T/$c.pem" --key "$T/$c.key"
done
# The same under TLS 1.2, where the certificate request differs.
expect 403 CLIENT_CERT_REQUIRED GET /healthz --tlsv1.2 --tls-max 1.2
expect 403 CLIENT_CERT_REQUIRED GET /healthz --tlsv1.2 --tls-max 1.2 \
    --cert "$T/stranger.pem" --key "$T/stranger.key"
expect 200 - GET /healthz --tlsv1.2 --tls-max 1.2 $GOOD
# Without --cacert the client refuses our server: TLS is real.
rc=0
curl -s -o /dev/null --cert "$T/client.pem" --key "$T/client.key" "$URL/healthz" || rc=$?
[ "$rc" != 0 ] || fail "curl trusted a server certificate from a test CA"
ok "server certificate checked by the client"
# Plain HTTP on the HTTPS port gets no HTTP answer.
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && fail "plain HTTP answered"
ok "no plain HTTP on the HTTPS port"

# Nothing refused reached the store.
expect 200 - GET /v1/hosts $GOOD
assert_eq "no host after refused PUTs" 0 "$(jq '.hosts | length' "$T/body")"

# The good certificate: everything works.
expect 200 - GET /healthz $GOOD
expect 200 - GET /readyz $GOOD
expect 200 - PUT "$PUTA" $J --data-binary "@$SAMPLE" $GOOD
assert_eq "PUT generation" 1 "$(jq .generation "$T/body")"
expect 200 - GET /v1/hosts $GOOD
assert_eq "the PUT host is listed" "$A" "$(jq -r '[.hosts[].host] | join(" ")' "$T/body")"
expect 200 - GET "/v1/hosts/$A" $GOOD
expect 200 - GET /metrics $GOOD
# One PUT without a certificate, one with each of three bad ones.
grep -q '^vfio_compat_inventory_updates_total{result="rejected"} 4$' "$T/body" ||
    fail "refused PUTs: $(grep 'updates_total{result="rejected"}' "$T/body")"
grep -q '^vfio_compat_inventory_updates_total{result="changed"} 1$' "$T/body" ||
    fail "accepted PUT: $(grep 'updates_total{result="changed"}' "$T/body")"
ok "refused PUTs counted as rejected updates"
grep -q '^vfio_compat_http_requests_total{route="/healthz",method="GET",code="403"} 6$' "$T/body" ||
    fail "403s on /healthz: $(grep 'route="/healthz",' "$T/body")"
ok "403s counted under their route"

# The CLI with the client certificate works; without it, exit 2 with a
# one-line reason.
CLI_TLS="--url $URL --cacert $T/ca.pem"
rc=0
"$VC_CLI" $CLI_TLS --cert "$T/client.pem" --key "$T/client.key" hosts > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 0 ] || fail "CLI with a client certificate: exit $rc: $(cat "$T/err")"
grep -qF "$A" "$T/out" || fail "CLI hosts does not list $A: $(cat "$T/out")"
ok "CLI hosts with a client certificate"
rc=0
"$VC_CLI" $CLI_TLS --cert "$T/client.pem" --key "$T/client.key" --json host "$A" > "$T/out" 2> "$T/err" || rc=$?
assert_eq "CLI host --json" "0 $A" "$rc $(jq -r .host "$T/out")"
# cli_refused WHAT REASON [CLI ARGS...]
cli_refused() {
	what=$1 reason=$2
	shift 2
	rc=0
	"$VC_CLI" $CLI_TLS "$@" hosts > "$T/out" 2> "$T/err" || rc=$?
	assert_eq "CLI $what: exit" 2 "$rc"
	assert_eq "CLI $what: one line on stderr" 1 "$(wc -l < "$T/err")"
	grep -q "CLIENT_CERT_REQUIRED: $reason" "$T/err" ||
	    fail "CLI $what: reason: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "CLI $what: printed $(cat "$T/out")"
	ok "CLI $what: $(cat "$T/err")"
}
cli_refused "without --cert" "a client certificate is required"
cli_refused "with a certificate from another CA" \
    "the client certificate is not trusted" --cert "$T/stranger.pem" --key "$T/stranger.key"

# The collector pushes with its client certificate; without one the
# server's 403 is final: exit 1 with one line, and nothing stored.
echo any-token > "$T/token"
"$VC_COLLECT" --host tls-collector --probe-dir "$T/none" --push "$URL" \
    --token-file "$T/token" --cacert "$T/ca.pem" \
    --cert "$T/client.pem" --key "$T/client.key" 2>"$T/err" ||
	fail "collector push with a client certificate: $(cat "$T/err")"
got=$(curl -s $GOOD "$URL/v1/hosts/tls-collector" | jq -r '.generation')
assert_eq "collector push with --cert stored" 1 "$got"
rc=0
"$VC_COLLECT" --host tls-nocert --probe-dir "$T/none" --push "$URL" \
    --token-file "$T/token" --cacert "$T/ca.pem" 2>"$T/err" || rc=$?
# Only the push's own line counts: the host's scan may warn (no QEMU or
# libvirt on this machine, say).
grep -v ': warning: ' "$T/err" >"$T/err.push" || :
assert_eq "collector push without --cert: exit" 1 "$rc"
assert_eq "collector push without --cert: one line" 1 "$(grep -vc '^$' "$T/err.push")"
grep -q 403 "$T/err" || fail "collector reason does not say 403: $(cat "$T/err")"
got=$(curl -s -o /dev/null -w '%{http_code}' $GOOD "$URL/v1/hosts/tls-nocert")
assert_eq "refused push stored nothing" 404 "$got"

server_alive
stop_server
grep -q 'client certificates required' "$SRV_LOG" || fail "the start-up line does not say so"
ok "start-up line names the client CA"
