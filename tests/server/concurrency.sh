# SPDX-License-Identifier: Apache-2.0
# concurrency.sh -- 8 clients for 10 s: writers PUT changing inventories
# (some racing on one shared host), readers run checks and listings. No
# request may fail, and afterwards the fleet the API serves must agree
# with the database host by host, generation and document alike.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
start_server
A=$(jq -r .host "$SAMPLE")
INST=$(jq -r '.instances[0].id' "$SAMPLE")
VM=$(jq -r '.vms[0].uuid' "$SAMPLE")
put_inv "$A" "$SAMPLE" >/dev/null
DURATION=${VC_CONCURRENCY_SECONDS:-10}
END=$(( $(date +%s) + DURATION ))

# Two states per writer host, so every PUT changes something.
for w in 1 2 3 4; do
	for v in 0 1; do
		variant "$T/w$w-$v.json" "writer-$w.example.org" \
		    ".devices[0].types[0].available_instances = $((w + v * 8))"
	done
done
for v in 0 1 2; do
	variant "$T/shared-$v.json" shared.example.org ".devices[0].driver_version = \"550.$v.1\""
done
put_inv shared.example.org "$T/shared-0.json" >/dev/null

writer() {
	w=$1 n=0
	while [ "$(date +%s)" -lt "$END" ]; do
		f="$T/w$w-$((n % 2)).json"
		code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
		    --data-binary "@$f" "$URL/v1/hosts/writer-$w.example.org/inventory") || code=000
		[ "$code" = 200 ] || echo "writer $w PUT: $code" >> "$T/errors"
		f="$T/shared-$(( (n + w) % 3 )).json"
		code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
		    --data-binary "@$f" "$URL/v1/hosts/shared.example.org/inventory") || code=000
		[ "$code" = 200 ] || echo "writer $w shared PUT: $code" >> "$T/errors"
		n=$((n + 1))
	done
	echo "$n" > "$T/writer-$w.count"
}

reader() {
	r=$1 n=0
	while [ "$(date +%s)" -lt "$END" ]; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		    --data-binary "{\"source\": {\"host\": \"$A\", \"devices\": [\"$INST\"]}}" "$URL/v1/check") || code=000
		[ "$code" = 200 ] || echo "reader $r POST check: $code" >> "$T/errors"
		code=$(curl -s -o /dev/null -w '%{http_code}' \
		    "$URL/v1/hosts/writer-$r.example.org/check?source_host=$A&device=$INST") || code=000
		[ "$code" = 200 ] || echo "reader $r GET check: $code" >> "$T/errors"
		code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/vms/$VM/destinations") || code=000
		[ "$code" = 200 ] || echo "reader $r destinations: $code" >> "$T/errors"
		code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/hosts") || code=000
		[ "$code" = 200 ] || echo "reader $r list: $code" >> "$T/errors"
		n=$((n + 4))
	done
	echo "$n" > "$T/reader-$r.count"
}

pids=""
for i in 1 2 3 4; do
	writer "$i" & pids="$pids $!"
	reader "$i" & pids="$pids $!"
done
# Scrape metrics meanwhile: they read the fleet too.
while [ "$(date +%s)" -lt "$END" ]; do
	curl -s -o /dev/null "$URL/metrics" || echo "metrics scrape failed" >> "$T/errors"
	sleep 0.5
done
for p in $pids; do wait "$p"; done

[ ! -s "$T/errors" ] || { sort "$T/errors" | uniq -c | head; fail "requests failed under load"; }
puts=$(cat "$T"/writer-*.count | paste -sd+ | bc)
reads=$(cat "$T"/reader-*.count | paste -sd+ | bc)
ok "8 clients, $DURATION s: $((puts * 2)) PUTs and $reads reads, no errors"
server_alive

# The fleet and the store agree, host by host.
[ -n "${PG_URI:-}" ] ||
    assert_eq "integrity_check" ok "$(sqlite3 "$DB" 'PRAGMA integrity_check')"
hosts=$(curl -s "$URL/v1/hosts" | jq -r '.hosts[].host')
assert_eq "host count" 6 "$(echo "$hosts" | wc -l)"
for h in $hosts; do
	curl -s "$URL/v1/hosts/$h" > "$T/api.json"
	g=$(store_q "SELECT generation FROM hosts WHERE host = '$h'")
	assert_eq "$h generation" "$g" "$(jq .generation "$T/api.json")"
	store_q "SELECT document FROM hosts WHERE host = '$h'" | jq -S 'del(.collected_at)' > "$T/db.json"
	jq -S 'del(.collected_at, .received_at, .stale, .generation)' "$T/api.json" > "$T/api-doc.json"
	cmp -s "$T/db.json" "$T/api-doc.json" || fail "$h: fleet and store disagree"
done
ok "fleet and store agree"
curl -s "$URL/metrics" > "$T/metrics"
grep -q 'vfio_compat_inventory_updates_total{result="rejected"} 0' "$T/metrics" || fail "rejected updates under load"
stop_server
