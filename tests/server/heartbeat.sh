# SPDX-License-Identifier: Apache-2.0
# heartbeat.sh -- a heartbeat (the host's last body with a new
# collected_at, as collector/watch.c sends it) is taken without a parse,
# and still as strictly as any PUT: host must equal {host}, collected_at
# must be a time and not older than the stored one; a body that differs
# in any other byte takes the full path; the new collected_at is what
# GET, the listing and a restart show, and the heartbeat keeps the host
# fresh. The store keeps one table (schema 3 dropped the projection).
# On SQLite heartbeats are written behind (STORE_SEEN_LATER): the row
# moves within the delay, SIGTERM writes what is pending, and a crash
# before the write shows the host older after a restart, never fresher.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
H=hb-1.example

# The body as a collector might send it: pretty-printed, not canonical.
jq --arg h "$H" '.host = $h | .collected_at = "2026-11-22T10:00:00Z"' \
    "$SAMPLE" > "$T/b0"
at() { sed "s/2026-11-22T10:00:00Z/$1/" "$T/b0" > "$T/b"; }
start_server --stale-after 2

assert_eq "first report" '{"host":"hb-1.example","generation":1,"changed":true}' "$(put_inv "$H" "$T/b0")"
at 2026-11-22T10:01:00Z
assert_eq "heartbeat" '{"host":"hb-1.example","generation":1,"changed":false}' "$(put_inv "$H" "$T/b")"
assert_eq "GET after a heartbeat" 2026-11-22T10:01:00Z "$(curl -s "$URL/v1/hosts/$H" | jq -r .collected_at)"
assert_eq "listing after a heartbeat" 2026-11-22T10:01:00Z "$(curl -s "$URL/v1/hosts" | jq -r '.hosts[0].collected_at')"

at 2026-11-22T10:00:30Z
r=$(req PUT "/v1/hosts/$H/inventory" -H "Content-Type: application/json" --data-binary "@$T/b")
assert_eq "older heartbeat" 409 "${r%% *}"
echo "${r#* }" | jq -e '.error.code == "OUT_OF_ORDER" and .error.field == "collected_at"' >/dev/null || fail "older heartbeat: $r"
at yesterday-at-noon
r=$(req PUT "/v1/hosts/$H/inventory" -H "Content-Type: application/json" --data-binary "@$T/b")
assert_eq "heartbeat with a bad time" 400 "${r%% *}"
echo "${r#* }" | jq -e '.error.field == "collected_at"' >/dev/null || fail "bad time: $r"
at 2026-11-22T10:02:00Z
r=$(req PUT "/v1/hosts/other.example/inventory" -H "Content-Type: application/json" --data-binary "@$T/b")
assert_eq "heartbeat for another host" 400 "${r%% *}"
echo "${r#* }" | jq -e '.error.code == "HOST_MISMATCH"' >/dev/null || fail "host mismatch: $r"
# A second collected_at member: the full path refuses the duplicate.
sed '0,/"collected_at"/s//"collected_at": "2026-11-22T10:02:00Z", "collected_at"/' "$T/b" > "$T/dup"
assert_eq "two collected_at members" 400 "$(status PUT "/v1/hosts/$H/inventory" -H "Content-Type: application/json" --data-binary "@$T/dup")"
assert_eq "refusals changed nothing" 2026-11-22T10:01:00Z "$(curl -s "$URL/v1/hosts/$H" | jq -r .collected_at)"

# One byte more elsewhere (a space: same content) and one value
# changed: both parsed, the first still a heartbeat, the second not.
sed 's/"vendor_id": "10de"/"vendor_id":  "10de"/' "$T/b" > "$T/sp"
assert_eq "same content, other bytes" '{"host":"hb-1.example","generation":1,"changed":false}' "$(put_inv "$H" "$T/sp")"
at 2026-11-22T10:03:00Z
sed 's/"available_instances": 15/"available_instances": 14/' "$T/b" > "$T/ch"
cmp -s "$T/b" "$T/ch" && fail "the change did not apply"
assert_eq "changed content" '{"host":"hb-1.example","generation":2,"changed":true}' "$(put_inv "$H" "$T/ch")"
# The earlier body's fingerprint is gone with its document.
at 2026-11-22T10:04:00Z
assert_eq "the old body again is a change" '{"host":"hb-1.example","generation":3,"changed":true}' "$(put_inv "$H" "$T/b")"

# A heartbeat keeps the host fresh past --stale-after.
sleep 3
assert_eq "stale before the heartbeat" true "$(curl -s "$URL/v1/hosts/$H" | jq .stale)"
at 2026-11-22T10:05:00Z
put_inv "$H" "$T/b" | jq -e '.changed == false' >/dev/null || fail "heartbeat"
assert_eq "fresh after the heartbeat" false "$(curl -s "$URL/v1/hosts/$H" | jq .stale)"
stop_server

# A restart shows the heartbeat's collected_at (the row's, not the
# document's) and the same generation.
start_server
r=$(curl -s "$URL/v1/hosts/$H")
assert_eq "collected_at after a restart" 2026-11-22T10:05:00Z "$(echo "$r" | jq -r .collected_at)"
assert_eq "generation after a restart" 3 "$(echo "$r" | jq -r .generation)"
if [ "${VC_TEST_STORE:-sqlite}" = sqlite ]; then
	at 2026-11-22T10:06:00Z
	put_inv "$H" "$T/b" | jq -e '.changed == false' >/dev/null || fail "heartbeat"
	i=0
	until [ "$(sqlite3 "$DB" "SELECT collected_at FROM hosts")" = 2026-11-22T10:06:00Z ]; do
		i=$((i + 1))
		[ $i -lt 20 ] || fail "the heartbeat was not stored within 2 s"
		sleep 0.1
	done
	at 2026-11-22T10:07:00Z
	put_inv "$H" "$T/b" | jq -e '.changed == false' >/dev/null || fail "heartbeat"
	kill -KILL "$SRV_PID"
	wait "$SRV_PID" || true
	start_server
	r=$(curl -s "$URL/v1/hosts/$H" | jq -r '.collected_at + " " + (.generation | tostring)')
	case $r in
	"2026-11-22T10:06:00Z 3"|"2026-11-22T10:07:00Z 3") ;;
	*) fail "after a crash: $r, wanted 10:06 or 10:07 at generation 3" ;;
	esac
	at 2026-11-22T10:06:30Z
	r=$(req PUT "/v1/hosts/$H/inventory" -H "Content-Type: application/json" --data-binary "@$T/b")
	[ "$r" = '200 {"host":"hb-1.example","generation":3,"changed":false}' ] ||
	    [ "${r%% *}" = 409 ] || fail "a heartbeat after the crash: $r"
fi
stop_server
assert_eq "tables in the store" hosts "$(sqlite3 "$DB" "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'")"
