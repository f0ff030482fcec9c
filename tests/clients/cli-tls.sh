# SPDX-License-Identifier: Apache-2.0
# cli-tls.sh -- the CLI over HTTPS with certificates made here: a real
# vfio-compatd with --tls-cert/--tls-key verified through --cacert, and
# a server that demands a client certificate (openssl s_server -Verify,
# serving canned answers) reached with --cert/--key and refused without.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"
command -v openssl >/dev/null || fail "openssl is required"

# A CA, a server certificate for 127.0.0.1 and localhost, a client one,
# and a second CA that signed none of them.
cd "$T"
ossl() { openssl "$@" 2>>"$T/openssl.log" || { cat "$T/openssl.log" >&2; fail "openssl $1"; }; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=vc-test-ca
ossl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=other-ca
ossl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > srv.ext
ossl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile srv.ext
ossl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr -subj /CN=operator
ossl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 2
cat cli.pem cli.key > cli-both.pem
cd - >/dev/null

# vfio-compatd over HTTPS.
PORT=$(free_port)
HURL="https://127.0.0.1:$PORT"
"$VC_SERVER" --listen "127.0.0.1:$PORT" --db "$T/tls.db" \
    --tls-cert "$T/srv.pem" --tls-key "$T/srv.key" >>"$SRV_LOG" 2>&1 &
SRV_PID=$!
at_exit "kill $SRV_PID 2>/dev/null || true"
wait_listen "$HURL/healthz"
URL=$HURL
curl -sf --cacert "$T/ca.pem" -o /dev/null --retry 50 --retry-delay 0 --retry-all-errors "$URL/readyz" || fail "curl over TLS"
load_fleet --cacert "$T/ca.pem"

expect_rc "https with --cacert" 0 --url "$URL" --cacert "$T/ca.pem" hosts
assert_eq "https rows" 4 "$(printf '%s\n' "$out" | sed 1d | grep -c .)"
expect_rc "https by name" 0 --url "https://localhost:$PORT" --cacert "$T/ca.pem" \
    check --from $SRC --device $MDEV --to $SAME
assert_eq "https check row" "$SAME compatible 15 -" "$(row $SAME)"
expect_rc "https without the CA" 2 --url "$URL" hosts
contains "https without the CA: reason" "vfio-compat: $URL: TLS: " "$err"
expect_rc "https with another CA" 2 --url "$URL" --cacert "$T/other.pem" hosts
contains "https with another CA: reason" "TLS: " "$err"
expect_rc "https with a missing CA file" 2 --url "$URL" --cacert "$T/none.pem" hosts
expect_rc "http to an https port" 2 --url "http://127.0.0.1:$PORT" hosts
# The recipes use curl, which reads the CA from CURL_CA_BUNDLE.
rc=0
out=$(VFIO_COMPAT_URL="$URL" CURL_CA_BUNDLE="$T/ca.pem" sh "$EXAMPLES/list-hosts.sh") || rc=$?
assert_eq "recipe over https" "0 4" "$rc $(printf '%s\n' "$out" | grep -c .)"

# A server that will not talk without a client certificate from the CA.
mkdir -p "$T/www/v1"
printf '{"rules":[{"name":"mtls-only","match":{},"compare":{"driver":"exact"}}]}\n' \
    > "$T/www/v1/policy"
MPORT=$(free_port)
MURL="https://127.0.0.1:$MPORT"
(cd "$T/www" && exec openssl s_server -accept "127.0.0.1:$MPORT" \
    -cert "$T/srv.pem" -key "$T/srv.key" -CAfile "$T/ca.pem" -Verify 1 -verify_return_error \
    -WWW -quiet) >>"$SRV_LOG" 2>&1 &
at_exit "kill $! 2>/dev/null || true"
wait_listen "$MURL/"

expect_rc "client certificate" 0 --url "$MURL" --cacert "$T/ca.pem" \
    --cert "$T/cli.pem" --key "$T/cli.key" policy
assert_eq "client certificate: answer" "mtls-only any device driver=exact" "$(row mtls-only)"
expect_rc "client certificate and key in one file" 0 --url "$MURL" \
    --cacert "$T/ca.pem" --cert "$T/cli-both.pem" --json policy
assert_eq "one file: answer" mtls-only "$(printf '%s' "$out" | jq -r '.rules[0].name')"
expect_rc "no client certificate" 2 --url "$MURL" --cacert "$T/ca.pem" policy
contains "no client certificate: reason" "vfio-compat: $MURL: " "$err"
assert_eq "no client certificate: no output" "" "$out"
expect_rc "client certificate from another CA" 2 --url "$MURL" --cacert "$T/ca.pem" \
    --cert "$T/other.pem" --key "$T/other.key" policy
expect_rc "missing client certificate file" 2 --url "$MURL" --cacert "$T/ca.pem" \
    --cert "$T/none.pem" --key "$T/cli.key" policy
contains "missing client certificate file: reason" "TLS: " "$err"
