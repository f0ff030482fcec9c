#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/nova/test_filter.sh -- the Nova scheduler filter (clients/nova)
# against a live vfio-compatd with tokens: loads the fleet in
# tests/nova/data/ (a source host running a VM with a vGPU, a compatible
# destination, one with another driver version; a fourth candidate is
# never reported) and runs tests/nova/test_filter.py with Debian's nova;
# a second server with the same fleet serves https with client
# certificates for the ca_file, cert_file and key_file tests.
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
[ -x "$VC_SERVER" ] || fail "server not built: $VC_SERVER"
"$PY" -c 'import nova.scheduler.host_manager' ||
    fail "nova is not importable by $PY (Debian package python3-nova)"
command -v curl >/dev/null || fail "curl is missing (Debian package curl)"

# Tokens: the file holds sha256(token), role and host glob (SPEC 9).
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
admin=nova-test-admin-token
reader=nova-test-reader-token
printf '%s admin *\n%s reader *\n' "$(sha $admin)" "$(sha $reader)" \
    >"$T/tokens"
printf '%s\n' "$reader" >"$T/reader.token"

port=$(free_port)
url=http://127.0.0.1:$port
"$VC_SERVER" --listen "127.0.0.1:$port" --db "$T/vc.db" \
    --tokens "$T/tokens" >"$T/server.log" 2>&1 &
server=$!
at_exit "kill $server 2>/dev/null; wait $server 2>/dev/null || true"

# Up within 30 s, or fail with its log.
i=0
until curl -sf "$url/readyz" >/dev/null; do
	kill -0 $server 2>/dev/null || { cat "$T/server.log" >&2; fail "server died"; }
	i=$((i + 1))
	[ $i -le 300 ] || fail "server not up within 30 s"
	sleep 0.1
done

# Load the fleet, stamped now so that no host is stale.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for f in "$top_srcdir"/tests/nova/data/*.json; do
	host=$(sed -n 's/^  "host": "\(.*\)",$/\1/p' "$f")
	sed "s/\"collected_at\": \"[^\"]*\"/\"collected_at\": \"$now\"/" "$f" \
	    >"$T/inv.json"
	code=$(curl -s -o "$T/put.out" -w '%{http_code}' -X PUT \
	    -H "Authorization: Bearer $admin" \
	    -H 'Content-Type: application/json' \
	    --data-binary @"$T/inv.json" "$url/v1/hosts/$host/inventory")
	[ "$code" = 200 ] || fail "PUT $host: HTTP $code $(cat "$T/put.out")"
done
ok "fleet loaded"

# A sanity check of the fixtures through the API itself, so a failure
# below is the filter's and not the data's.
curl -sf -X POST -H "Authorization: Bearer $reader" \
    -H 'Content-Type: application/json' \
    --data '{"mode":"live","source":{"vm":"6f3b1c2d-0000-4000-8000-00000000002a"},"destinations":["gpu-ok.example.org","gpu-old.example.org"]}' \
    "$url/v1/check" >"$T/check.json" || fail "POST /v1/check failed"
"$PY" - "$T/check.json" <<'PYEOF' || fail "fixture verdicts: $(cat "$T/check.json")"
import json, sys
r = {x["host"]: x["verdict"] for x in json.load(open(sys.argv[1]))["results"]}
assert r == {"gpu-ok.example.org": "compatible",
             "gpu-old.example.org": "incompatible"}, r
PYEOF
ok "fixture verdicts"

# A second server over TLS that requires a client certificate, the same
# fleet loaded at start (--demo-dir); CA and certificates made here.
command -v openssl >/dev/null || fail "openssl is missing (Debian package openssl)"
mkdir "$T/tls"
(
	cd "$T/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 2 -subj /CN=vfio-compat-test-ca -keyout ca.key -out ca.pem
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=127.0.0.1 -keyout server.key -out server.csr
	printf 'subjectAltName=IP:127.0.0.1\n' >ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile ext -out server.pem
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=nova-scheduler -keyout client.key -out client.csr
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -out client.pem
) >"$T/openssl.log" 2>&1 || { cat "$T/openssl.log" >&2; fail "openssl"; }
tport=$(free_port)
turl=https://127.0.0.1:$tport
"$VC_SERVER" --listen "127.0.0.1:$tport" --db "$T/tls.db" \
    --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key" \
    --tls-client-ca "$T/tls/ca.pem" --demo-dir "$top_srcdir/tests/nova/data" >"$T/tls-server.log" 2>&1 &
tserver=$!
at_exit "kill $tserver 2>/dev/null; wait $tserver 2>/dev/null || true"
i=0
until curl -sf --cacert "$T/tls/ca.pem" --cert "$T/tls/client.pem" \
    --key "$T/tls/client.key" "$turl/readyz" >/dev/null; do
	kill -0 $tserver 2>/dev/null ||
	    { cat "$T/tls-server.log" >&2; fail "TLS server died"; }
	i=$((i + 1))
	[ $i -le 300 ] || fail "TLS server not up within 30 s"
	sleep 0.1
done
ok "TLS server up"

# Test what an operator installs: build the wheel from pyproject.toml
# (in a copy: the source tree may be read-only) and unpack it as a
# site directory; the entry point makes the options visible to
# oslo-config-generator.
export PYTHONDONTWRITEBYTECODE=1
cp -r "$top_srcdir/clients/nova" "$T/pkg"
(cd "$T/pkg" && "$PY" -c \
    'from setuptools import build_meta as b; b.build_wheel("dist")') \
    >"$T/wheel.log" 2>&1 || { cat "$T/wheel.log" >&2; fail "wheel build"; }
mkdir "$T/site"
"$PY" -m zipfile -e "$T"/pkg/dist/vfio_compat_nova-*-py3-none-any.whl \
    "$T/site" || fail "wheel unpack"
[ -f "$T/site/vfio_compat_nova/filter.py" ] || fail "wheel lacks filter.py"
PYTHONPATH=$T/site "$PY" -m oslo_config.generator \
    --namespace vfio_compat_nova >"$T/sample.conf" ||
    fail "oslo-config-generator"
for opt in url token_file timeout ca_file cert_file key_file on_error \
    host_suffix max_answer_bytes; do
	grep -q "^#$opt =" "$T/sample.conf" || fail "sample config lacks $opt"
done
grep -q '^\[vfio_compat\]' "$T/sample.conf" || fail "sample lacks [vfio_compat]"
ok "wheel and oslo-config-generator"

VC_URL=$url VC_READER_TOKEN=$T/reader.token \
VC_TLS_URL=$turl VC_TLS_DIR=$T/tls \
PYTHONPATH="$T/site${PYTHONPATH:+:$PYTHONPATH}" \
    "$PY" "$top_srcdir/tests/nova/test_filter.py" ||
    { tail -n 50 "$T/server.log" >&2; fail "filter tests"; }
ok "nova filter"
