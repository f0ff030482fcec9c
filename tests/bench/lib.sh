# SPDX-License-Identifier: Apache-2.0
# lib.sh -- what every bench in tests/bench/ shares: finding the build,
# a free loopback port, and judging paired rounds the way SPEC section
# 10 asks (one ratio per round, the peer and the project alternating,
# at least three rounds, min/median/max printed, the budget judged on
# the median). Sourced, never run.

# bench_server: the vfio-compatd to measure ($VC_SERVER, else an
# optimised _build*/, never a sanitizer one).
bench_server() {
	local s
	if [ -n "${VC_SERVER:-}" ]; then echo "$VC_SERVER"; return 0; fi
	for s in "$top"/_build/server/vfio-compatd "$top"/_build*/server/vfio-compatd; do
		case $s in *san*) continue ;; esac
		[ -x "$s" ] && { echo "$s"; return 0; }
	done
	echo "bench: no vfio-compatd; build first or set VC_SERVER" >&2
	return 1
}

# bench_port: a free TCP port on 127.0.0.1.
bench_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bench_wait_http URL [TRIES]: poll until URL answers 2xx (0.1 s apart).
bench_wait_http() {
	local i=0
	until curl -fs "$1" >/dev/null 2>&1; do
		i=$((i + 1)); [ "$i" -lt "${2:-300}" ] || return 1; sleep 0.1
	done
}

# bench_judge NAME UNIT OP BUDGET V1 V2 ...: print
#   NAME: min A / median B / max C UNIT over N rounds (budget OP BUDGET): met|MISSED
# OP is one of <= < >= >; fewer than 3 values is itself a failure of
# the bench (exit 1), never a figure.
bench_judge() {
	python3 - "$@" <<'PY'
import statistics, sys
name, unit, op, budget = sys.argv[1:5]
v = [float(x) for x in sys.argv[5:]]
if len(v) < 3:
    print("%s: only %d rounds; at least 3 are needed" % (name, len(v)))
    sys.exit(1)
med = statistics.median(v)
b = float(budget)
ok = {"<=": med <= b, "<": med < b, ">=": med >= b, ">": med > b}[op]
print("%s: min %.3g / median %.3g / max %.3g %s over %d rounds (budget %s %s): %s"
      % (name, min(v), med, max(v), unit, len(v), op, budget,
         "met" if ok else "MISSED"))
PY
}

# bench_load_fleet PORT DIR [CLIENTS]: PUT every DIR/*.json (named
# HOST.json) to the server on PORT with CLIENTS parallel keep-alive
# connections (default 8); prints "loaded N hosts in S s" and fails when
# any PUT is not answered 200.
bench_load_fleet() {
	python3 - "$1" "$2" "${3:-8}" <<'PY'
import http.client, os, sys, threading, time
port, fleet, clients = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
files = sorted(f for f in os.listdir(fleet) if f.endswith(".json"))
errors, lock, nxt = [], threading.Lock(), [0]

def loader():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while True:
        with lock:
            if nxt[0] >= len(files):
                break
            f = files[nxt[0]]
            nxt[0] += 1
        with open(os.path.join(fleet, f), "rb") as fh:
            body = fh.read()
        c.request("PUT", "/v1/hosts/%s/inventory" % f[:-5], body,
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 200:
            errors.append((f, r.status))

t0 = time.monotonic()
th = [threading.Thread(target=loader) for _ in range(clients)]
for t in th: t.start()
for t in th: t.join()
print("loaded %d hosts in %.1f s with %d clients, %d errors"
      % (len(files), time.monotonic() - t0, clients, len(errors)))
if errors:
    print("first errors:", errors[:5])
    sys.exit(1)
PY
}
