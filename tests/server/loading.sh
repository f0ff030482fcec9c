# SPDX-License-Identifier: Apache-2.0
# loading.sh -- the start-up load behind an open port (server/load.h):
# on a store big enough to take a while, the port answers at once,
# /healthz 200, /readyz, checks, listings, PUTs and /metrics 503 LOADING
# until the fleet is loaded, then /readyz 200; the fleet the worker
# threads load is the one that was stored: every host's document,
# generation and received_at as the store holds them and as the fleet
# answered before the restart, and two loads answer a check over every
# host alike (the data's age aside).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
NBASE=20 COPIES=${VC_LOADING_COPIES:-100}

# Twenty hosts through the API: the store's real documents and digests.
start_server
python3 - "$SAMPLE" "$T/base" "$NBASE" <<'PY'
import copy, json, os, sys
sample, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(sample))
os.makedirs(out)
vf = next(d for d in doc["devices"] if not d["types"])
for h in range(n):
    d = copy.deepcopy(doc)
    d["host"] = "load-%02d.example" % h
    d["collected_at"] = "2026-11-22T10:00:%02dZ" % h
    # 60 more VFs: a document the size of a real SR-IOV host.
    for k in range(60):
        v = copy.deepcopy(vf)
        v["address"] = "0000:c1:%02x.%d" % (k // 8, k % 8)
        v["iommu_group"] = 200 + k
        d["devices"].append(v)
    json.dump(d, open(os.path.join(out, d["host"] + ".json"), "w"))
PY
for f in "$T"/base/*.json; do
	h=$(basename "$f" .json)
	put_inv "$h" "$f" | jq -e '.changed == true' >/dev/null || fail "PUT $h"
done
curl -s "$URL/v1/hosts" > "$T/hosts.before"
for f in "$T"/base/*.json; do
	h=$(basename "$f" .json)
	curl -s "$URL/v1/hosts/$h" > "$T/before.$h"
done
stop_server
ok "$NBASE hosts stored through the API"

# Cloned in the file under new names: a store that takes time to load.
python3 - "$DB" "$COPIES" <<'PY'
import sqlite3, sys
db, copies = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
rows = db.execute("SELECT host, generation, digest, collected_at, "
                  "received_at, document FROM hosts").fetchall()
for k in range(copies):
    for h, g, dg, c, r, doc in rows:
        n = "%s-c%03d" % (h, k)
        db.execute("INSERT INTO hosts (host, generation, digest, "
                   "collected_at, received_at, document) VALUES "
                   "(?,?,?,?,?,?)", (n, g + k, dg, c, r + k,
                   doc.replace('"host":"%s"' % h, '"host":"%s"' % n, 1)))
db.commit()
PY
total=$((NBASE * (COPIES + 1)))
ok "store of $total hosts, $(($(stat -c %s "$DB") / 1048576)) MiB"

# load_run OUT: start on $DB, record what answers while loading (one
# line per request: "<path> <status> <error code>") until /readyz is
# 200, then the fleet's answers.
# The client starts first and polls the port before the server exists:
# the load (well under a second for this store since the codec reads
# documents in one scan) must not be over before a Python is up.
load_run() {
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT"
	rm -f "$1.up"
	python3 - "$PORT" "$SAMPLE" "$1.up" > "$1.during" <<'PY' &
import http.client, json, sys, time
port, sample = int(sys.argv[1]), open(sys.argv[2], "rb").read()
open(sys.argv[3], "w").close()
def ask(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    code = "-"
    if r.status >= 400:
        code = json.loads(data)["error"]["code"]
    print(path, r.status, code, flush=True)
    return r.status
t0 = time.monotonic()
while True:
    try:
        ask("GET", "/healthz")
        break
    except OSError:
        if time.monotonic() - t0 > 10:
            sys.exit("the port did not open in 10 s")
        time.sleep(0.005)
ask("GET", "/readyz")
ask("GET", "/v1/hosts")
ask("POST", "/v1/check", b'{"source":{"host":"load-00.example","devices":["0000:3b:00.0"]}}')
ask("PUT", "/v1/hosts/gpu-x/inventory", sample)
ask("GET", "/metrics")
while ask("GET", "/readyz") != 200:
    if time.monotonic() - t0 > 300:
        sys.exit("not ready in 300 s")
    time.sleep(0.02)
PY
	ask_pid=$!
	at_exit "kill $ask_pid 2>/dev/null || true"
	i=0
	until [ -e "$1.up" ]; do
		i=$((i + 1)); [ $i -lt 3000 ] || fail "the client did not start"
		sleep 0.01
	done
	"$VC_SERVER" --listen "127.0.0.1:$PORT" --db "$DB" >>"$SRV_LOG" 2>&1 &
	SRV_PID=$!
	at_exit "kill $SRV_PID 2>/dev/null || true"
	wait "$ask_pid" || { cat "$SRV_LOG" >&2; fail "no answer"; }
	curl -s "$URL/v1/hosts" > "$1.hosts"
	curl -s -X POST -H 'Content-Type: application/json' \
	    -d '{"source":{"host":"load-00.example","devices":["0000:3b:00.0"]}}' \
	    "$URL/v1/check" | jq -c 'del(.results[].data_age_s)' > "$1.check"
}

load_run "$T/run1"
during=$T/run1.during
assert_eq "healthz at once" "/healthz 200 -" "$(sed -n 1p "$during")"
assert_eq "readyz while loading" "/readyz 503 LOADING" "$(sed -n 2p "$during")"
assert_eq "listing while loading" "/v1/hosts 503 LOADING" "$(sed -n 3p "$during")"
assert_eq "check while loading" "/v1/check 503 LOADING" "$(sed -n 4p "$during")"
assert_eq "PUT while loading" "/v1/hosts/gpu-x/inventory 503 LOADING" "$(sed -n 5p "$during")"
assert_eq "metrics while loading" "/metrics 503 LOADING" "$(sed -n 6p "$during")"
assert_eq "readyz in the end" "/readyz 200 -" "$(tail -n 1 "$during")"
ok "ready after $(grep -c '^/readyz 503' "$during") answers of 503 LOADING"
grep -q "$total hosts loaded" "$SRV_LOG" || fail "no load line in the log"

# The fleet is the store: each host's document, generation and
# received_at (the stored seconds, as RFC 3339).
assert_eq "hosts loaded" "$total" "$(jq '.hosts | length' "$T/run1.hosts")"
python3 - "$DB" "$URL" <<'PY' || fail "the loaded fleet differs from the store"
import calendar, http.client, json, sqlite3, sys, time, urllib.parse
db, url = sqlite3.connect(sys.argv[1]), urllib.parse.urlparse(sys.argv[2])
c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
n = 0
for h, g, r, doc in db.execute("SELECT host, generation, received_at, "
                               "document FROM hosts ORDER BY host"):
    c.request("GET", "/v1/hosts/" + h)
    resp = c.getresponse()
    got = json.loads(resp.read())
    assert resp.status == 200, (h, resp.status)
    assert got.pop("generation") == g, (h, "generation")
    assert got.pop("received_at") == time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(r)), (h, "received_at")
    got.pop("stale")
    assert got == json.loads(doc), (h, "document")
    n += 1
print("ok: %d hosts as stored" % n)
PY
for f in "$T"/base/*.json; do
	h=$(basename "$f" .json)
	curl -s "$URL/v1/hosts/$h" | cmp -s - "$T/before.$h" ||
	    fail "$h answered differently after the restart"
done
ok "the $NBASE hosts answer as before the restart"
stop_server

# A second load: the same fleet, whatever order the workers took.
load_run "$T/run2"
cmp -s "$T/run1.hosts" "$T/run2.hosts" || fail "two loads list different fleets"
cmp -s "$T/run1.check" "$T/run2.check" || fail "two loads answer the check differently"
assert_eq "the check covers the fleet" "$((total - 1))" "$(jq '.results | length' "$T/run1.check")"
ok "two loads: the same listing and the same check over $total hosts"
stop_server

# The check in parts goes out as one piece of text per part: over HTTP
# it is byte for byte the serial check (the data's age aside), and
# whole: jq reads a body cut short as no JSON at all.
check_with() {
	start_server --check-threads "$1"
	curl -s -X POST -H 'Content-Type: application/json' \
	    -d '{"source":{"host":"load-00.example","devices":["0000:3b:00.0"]}}' \
	    "$URL/v1/check" > "$T/threads$1.raw"
	jq -e '.results' "$T/threads$1.raw" > /dev/null ||
	    fail "--check-threads $1: the answer is no JSON"
	sed 's/"data_age_s":[0-9]*//g' "$T/threads$1.raw" > "$T/threads$1.check"
	stop_server
}
check_with 1
check_with 2
cmp -s "$T/threads1.check" "$T/threads2.check" ||
    fail "the check in parts answers unlike the serial one"
assert_eq "results in parts" "$((total - 1))" "$(jq '.results | length' "$T/threads2.raw")"
ok "the check in 2 parts answers as the serial one over $total hosts"

# SIGTERM in the middle of a load: stops it, exit 0 (stop_server).
PORT=$(free_port)
"$VC_SERVER" --listen "127.0.0.1:$PORT" --db "$DB" >>"$SRV_LOG" 2>&1 &
SRV_PID=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
	i=$((i + 1)); [ $i -lt 1000 ] || fail "no port"; sleep 0.01
done
assert_eq "asked to stop while" LOADING \
    "$(curl -s "http://127.0.0.1:$PORT/readyz" | jq -r .error.code)"
stop_server
ok "SIGTERM during the load: exit 0"
