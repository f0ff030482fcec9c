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

# bench_nginx DIR FILE URLPATH: start nginx (as many workers as cores,
# no access log) serving FILE's bytes at URLPATH for GET, from DIR/www;
# sets BENCH_NGINX_PID and BENCH_NGINX_PORT. The caller kills the PID.
bench_nginx() {
	local d=$1 nginx i=0
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	BENCH_NGINX_PORT=$(bench_port)
	# nginx workers drop to an unprivileged user: let them read it.
	chmod 755 "$d"
	mkdir -p "$d/www$(dirname "$3")" "$d/ngtmp"
	cp "$2" "$d/www$3"
	chmod -R a+rX "$d/www"
	cat > "$d/nginx.conf" <<EOC
worker_processes auto;
pid $d/nginx.pid;
error_log $d/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 1000000;
	client_body_temp_path $d/ngtmp;
	proxy_temp_path $d/ngtmp;
	fastcgi_temp_path $d/ngtmp;
	uwsgi_temp_path $d/ngtmp;
	scgi_temp_path $d/ngtmp;
	server {
		listen 127.0.0.1:$BENCH_NGINX_PORT;
		root $d/www;
		default_type application/json;
	}
}
EOC
	"$nginx" -p "$d" -c "$d/nginx.conf" -g 'daemon off;' 2>"$d/nginx.err" &
	BENCH_NGINX_PID=$!
	until curl -fs -o /dev/null "http://127.0.0.1:$BENCH_NGINX_PORT$3"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { cat "$d/nginx.err" "$d/nginx-error.log" >&2; return 1; }
		sleep 0.1
	done
}

# bench_wrk_rate OUT WRK-ARGS...: run wrk --latency into OUT and print
# its requests/s. A socket error or a non-2xx answer fails (exit 1):
# a round that dropped requests is no figure.
bench_wrk_rate() {
	local out=$1
	shift
	wrk --latency "$@" > "$out" 2>&1 || { cat "$out" >&2; return 1; }
	if grep -q -e 'Socket errors' -e 'Non-2xx' "$out"; then
		cat "$out" >&2
		echo "bench: wrk saw errors; the round does not count" >&2
		return 1
	fi
	awk '/^Requests\/sec:/ { print $2 }' "$out"
}

# bench_wrk_p99 OUT: the 99th percentile latency of a bench_wrk_rate run.
bench_wrk_p99() {
	awk '$1 == "99%" { print $2 }' "$1"
}

# bench_fleet_load PORT DIR CLIENTS [FIRST [COUNT]]: PUT the inventories
# DIR/*.json (name order, COUNT of them from the FIRST, default all)
# to the server on PORT with CLIENTS parallel keep-alive connections;
# prints "N hosts in S s" and fails (exit 1) when any PUT was not 200.
bench_fleet_load() {
	python3 "$top/tests/bench/fleet_load.py" "$@"
}

# bench_rss_mib PID: the resident set of a process, in MiB.
bench_rss_mib() {
	awk '/^VmRSS:/ { printf "%.0f\n", $2 / 1024 }' "/proc/$1/status"
}
