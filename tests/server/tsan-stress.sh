# SPDX-License-Identifier: Apache-2.0
# tsan-stress.sh -- every thread of the server busy at once for a few
# seconds (VC_STRESS_SECONDS, default 6): PUTs, DELETEs and re-PUTs,
# checks, listings and scrapes at full speed, slowloris connections the
# request deadline shuts down, and bodies taken from the shared budget.
# No request may fail and the server must exit 0 on SIGTERM, which under
# ThreadSanitizer (deploy/quickstart test) means no race was reported.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
secs=${VC_STRESS_SECONDS:-6}
# --metrics-detail: scrapes read per-host detail blocks that the
# PUTs and DELETEs replace and free meanwhile (metrics_fleet.c).
start_server --request-timeout 2 --metrics-detail
A=$(jq -r .host "$SAMPLE")
INST=$(jq -r '.instances[0].id' "$SAMPLE")
put_inv "$A" "$SAMPLE" > /dev/null
for w in 1 2 3; do
	variant "$T/w$w.json" "w$w.example.org"
done
END=$(( $(date +%s) + secs ))
J='-H Content-Type:application/json'
code() { curl -s -o /dev/null -w '%{http_code}' "$@" || echo 000; }
writer() {
	while [ "$(date +%s)" -lt "$END" ]; do
		c=$(code -X PUT $J --data-binary "@$T/w$1.json" "$URL/v1/hosts/w$1.example.org/inventory")
		[ "$c" = 200 ] || echo "PUT w$1: $c" >> "$T/errors"
		c=$(code -X DELETE "$URL/v1/hosts/w$1.example.org")
		[ "$c" = 204 ] || echo "DELETE w$1: $c" >> "$T/errors"
	done
}
reader() {
	while [ "$(date +%s)" -lt "$END" ]; do
		c=$(code -X POST $J --data-binary "{\"source\":{\"host\":\"$A\",\"devices\":[\"$INST\"]}}" "$URL/v1/check")
		[ "$c" = 200 ] || echo "POST check: $c" >> "$T/errors"
		c=$(code "$URL/v1/hosts")
		[ "$c" = 200 ] || echo "list: $c" >> "$T/errors"
	done
}
scraper() {
	while [ "$(date +%s)" -lt "$END" ]; do
		c=$(code "$URL/metrics")
		[ "$c" = 200 ] || echo "scrape: $c" >> "$T/errors"
	done
}
pids=""
for w in 1 2 3; do writer "$w" & pids="$pids $!"; done
for r in 1 2; do reader & pids="$pids $!"; done
scraper & pids="$pids $!"
python3 "$top_srcdir/tests/server/hostile-client.py" slowloris "$PORT" 10 "$secs" \
    > "$T/slow" & pids="$pids $!"
python3 "$top_srcdir/tests/server/hostile-client.py" bodies "$PORT" "$SRV_PID" 24 1048576 \
    > "$T/bodies" & pids="$pids $!"
for p in $pids; do wait "$p"; done
[ ! -s "$T/errors" ] || { sort "$T/errors" | uniq -c | head; fail "requests failed under load"; }
assert_eq "slowloris connections shut down by the deadline" 10 "$(cat "$T/slow")"
ok "$secs s of PUT, DELETE, check, list, scrape, slowloris and held bodies without an error"
server_alive
stop_server
ok "clean exit"
