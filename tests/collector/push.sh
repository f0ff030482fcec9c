# SPDX-License-Identifier: Apache-2.0
# push.sh -- --push PUTs the compact inventory with the bearer token to a
# listener started here; it retries 5xx and 429 with backoff, gives up on
# other 4xx at once, an unreachable server fails with one line, and
# https is verified against --cacert.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

PORT=$(free_port)
# The listener answers the statuses listed in $T/plan, one per request
# (200 once the plan is used up), and records each request.
cat >"$T/listener.py" <<'PY'
import http.server, json, ssl, sys
port, plan_file, log_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(plan_file) as f:
            plan = f.read().split()
        status = int(plan[0]) if plan else 200
        with open(plan_file, "w") as f:
            f.write(" ".join(plan[1:]))
        with open(log_file, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                "auth": self.headers.get("Authorization"),
                "type": self.headers.get("Content-Type"),
                "status": status, "body": body.decode()}) + "\n")
        reply = b'{"host":"testhost","generation":1,"changed":true}'
        if status != 200:
            reply = b'{"error":{"code":"NOPE","message":"planned\\nfailure"}}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", port), H)
if len(sys.argv) > 5:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
: >"$T/plan"
: >"$T/requests"
# listen PORT [CERT KEY]: start the listener, wait until it accepts.
listen() {
	python3 "$T/listener.py" "$1" "$T/plan" "$T/requests" ${2:+"$2" "$3"} &
	at_exit "kill $! 2>/dev/null || :"
	i=0
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $1))" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "listener did not start"
		sleep 0.1
	done
}
listen "$PORT"

printf '  s3cret-token  \nsecond line ignored\n' >"$T/token"
URL=http://127.0.0.1:$PORT

# Plain success: one PUT, the token, JSON, the path for the host.
collect t4 --push "$URL" --token-file "$T/token" ||
    fail "push: exit $?: $(cat "$T/t4.err")"
[ ! -s "$T/t4.json" ] || fail "--push alone also printed the inventory"
assert_eq "one request" 1 "$(wc -l <"$T/requests")"
assert_eq "request line and headers" \
    "PUT /v1/hosts/testhost/inventory Bearer s3cret-token application/json" \
    "$(jq -r '"\(.method) \(.path) \(.auth) \(.type)"' "$T/requests")"
jq -r .body "$T/requests" >"$T/body.json"
assert_eq "body is compact (one line)" 1 "$(wc -l <"$T/body.json")"
valid "$T/body.json"
as_jansson_prints "$T/body.json"
same_as_expected t4 "$T/body.json"

# 500, 503, 429 then 200: four attempts, success, warnings for each retry.
: >"$T/requests"
echo "500 503 429" >"$T/plan"
collect t4 --push "$URL/" --token-file "$T/token" ||
    fail "retried push: exit $?: $(cat "$T/t4.err")"
assert_eq "retries until success" "500 503 429 200" \
    "$(jq -r .status "$T/requests" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "path with a trailing slash in the URL" "/v1/hosts/testhost/inventory" \
    "$(jq -r .path "$T/requests" | sort -u)"
assert_eq "a warning per retry" 3 "$(grep -c 'retrying' "$T/t4.err")"

# 400: no retry, exit 1, one line naming the status.
: >"$T/requests"
echo "400" >"$T/plan"
rc=0
collect t4 --push "$URL" --token-file "$T/token" || rc=$?
assert_eq "400: exit status" 1 "$rc"
assert_eq "400: a single attempt" 1 "$(wc -l <"$T/requests")"
assert_eq "400: one line on stderr" 1 "$(wc -l <"$T/t4.err")"
grep -q 'HTTP 400' "$T/t4.err" || fail "400: reason not shown"

# Always 500: gives up after 5 attempts with one final line.
: >"$T/requests"
echo "500 500 500 500 500 500" >"$T/plan"
rc=0
collect t4 --push "$URL" --token-file "$T/token" || rc=$?
assert_eq "persistent 500: exit status" 1 "$rc"
assert_eq "persistent 500: five attempts" 5 "$(wc -l <"$T/requests")"
assert_eq "persistent 500: one final line" 1 \
    "$(grep -vc 'retrying' "$T/t4.err")"
grep -q 'failed after 5 attempts: HTTP 500' "$T/t4.err" ||
    fail "persistent 500: reason not shown: $(cat "$T/t4.err")"

# Unreachable: nothing listens on a fresh port.
DEAD=$(free_port)
rc=0
collect t4 --push "http://127.0.0.1:$DEAD" --token-file "$T/token" || rc=$?
assert_eq "unreachable: exit status" 1 "$rc"
assert_eq "unreachable: one final line" 1 "$(grep -vc 'retrying' "$T/t4.err")"
grep -q "^vfio-compat-collect: push to http://127.0.0.1:$DEAD/v1/hosts/testhost/inventory failed after 5 attempts" \
    "$T/t4.err" || fail "unreachable: reason not shown: $(cat "$T/t4.err")"

# A missing token file is a one-line failure before any request.
: >"$T/requests"
rc=0
collect t4 --push "$URL" --token-file "$T/missing" || rc=$?
assert_eq "missing token file: exit status" 1 "$rc"
assert_eq "missing token file: one line" 1 "$(wc -l <"$T/t4.err")"
assert_eq "missing token file: no request" 0 "$(wc -l <"$T/requests")"

# HTTPS: verified against --cacert; an untrusted certificate is final
# (no retries) and a one-line failure.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" 2>/dev/null || fail "openssl req failed"
TPORT=$(free_port)
listen "$TPORT" "$T/cert.pem" "$T/key.pem"
: >"$T/requests"
: >"$T/plan"
collect t4 --push "https://127.0.0.1:$TPORT" --token-file "$T/token" \
    --cacert "$T/cert.pem" || fail "https push: exit $?: $(cat "$T/t4.err")"
assert_eq "https: one request" 1 "$(wc -l <"$T/requests")"
assert_eq "https: token sent" "Bearer s3cret-token" \
    "$(jq -r .auth "$T/requests")"
rc=0
collect t4 --push "https://127.0.0.1:$TPORT" --token-file "$T/token" || rc=$?
assert_eq "untrusted certificate: exit status" 1 "$rc"
assert_eq "untrusted certificate: one line, no retries" 1 "$(wc -l <"$T/t4.err")"
grep -q 'failed after 1 attempt: .*certificate' "$T/t4.err" ||
    fail "untrusted certificate: reason not shown: $(cat "$T/t4.err")"
assert_eq "untrusted certificate: nothing delivered" 1 "$(wc -l <"$T/requests")"
