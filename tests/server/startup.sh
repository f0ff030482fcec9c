# SPDX-License-Identifier: Apache-2.0
# startup.sh -- how vfio-compatd starts and fails to start, as an
# operator meets it: --version, one "error:" line and a non-zero exit
# for each start-up failure, --demo from a directory (missing: refused)
# whose hosts never go stale, and the --access-log line format.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
DEMO="$top_srcdir/deploy/demo"
DEV=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001

# run_fail WHAT RC PATTERN ARGS...: the server exits RC, and stderr is
# exactly one line, an "error:" line matching PATTERN.
run_fail() {
	what=$1 want=$2 pat=$3
	shift 3
	rc=0
	timeout 20 "$VC_SERVER" "$@" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$what: exit status" "$want" "$rc"
	assert_eq "$what: one line on stderr" 1 "$(wc -l <"$T/err")"
	grep -q "^vfio-compatd: error: $pat" "$T/err" ||
	    fail "$what: expected \"error: $pat\", got: $(cat "$T/err")"
	ok "$what: $(cat "$T/err")"
}

v=$("$VC_SERVER" --version)
echo "$v" | grep -Eq '^vfio-compatd [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version: $v"
ok "--version: $v"

# A port that another process holds: the address and the reason.
bport=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("up", flush=True)
time.sleep(30)' "$bport" >"$T/holder" &
holder=$!
at_exit "kill $holder 2>/dev/null || true"
i=0
until grep -q up "$T/holder" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "port holder did not start"
	sleep 0.1
done
run_fail "port in use" 1 "cannot listen on 127.0.0.1:$bport: Address already in use" \
    --listen "127.0.0.1:$bport" --db "$T/busy.db"
[ ! -e "$T/busy.db" ] || fail "a server that cannot listen created its database"
ok "nothing created when the port is in use"
kill $holder

run_fail "port 0" 2 "--listen 0.0.0.0:0: port 0 is not a port" --listen 0.0.0.0:0
run_fail "address by name" 2 "--listen example.org:80: the address is not an IPv4 or IPv6 address" \
    --listen example.org:80
run_fail "no port" 2 "--listen 127.0.0.1: expected ADDR:PORT" --listen 127.0.0.1
run_fail "address not on this host" 1 "cannot listen on 192.0.2.1:$bport: Cannot assign requested address" \
    --listen "192.0.2.1:$bport" --tokens /dev/null
run_fail "unknown option" 2 "unknown option or missing value: --frobnicate" --frobnicate
run_fail "unopenable database" 1 "cannot open the database: /nonexistent/dir/x.db" \
    --listen "127.0.0.1:$(free_port)" --db /nonexistent/dir/x.db
run_fail "database is a directory" 1 "cannot open the database: $T" \
    --listen "127.0.0.1:$(free_port)" --db "$T"
run_fail "--demo directory missing" 1 "--demo $T/nodemo: No such file or directory" \
    --listen "127.0.0.1:$(free_port)" --db "$T/nodemo.db" --demo "$T/nodemo"
mkdir "$T/empty"
run_fail "--demo directory empty" 1 "--demo $T/empty: no \*.json inventories" \
    --listen "127.0.0.1:$(free_port)" --db "$T/empty.db" --demo "$T/empty"
run_fail "--access-log unopenable" 1 "--access-log $T/no/such/log: No such file" \
    --listen "127.0.0.1:$(free_port)" --db "$T/al.db" --access-log "$T/no/such/log"

# The default demo directory is the installed one, named in --help.
"$VC_SERVER" --help | grep -q -- "--demo \[DIR\]" || fail "--help lacks --demo [DIR]"
ok "--help shows --demo [DIR]"

# Demo hosts never go stale: --stale-after 2, 3 s later the README's
# example is still compatible and no host is stale.
DB="$T/demo.db"
start_server --stale-after 2 --demo "$DEMO" --access-log "$T/access.log"
sleep 3
r=$(curl -s "$URL/v1/hosts/gpu-a2/check?source_host=gpu-a1&device=$DEV")
assert_eq "demo example after the stale limit" compatible "$(echo "$r" | jq -r .verdict)"
assert_eq "demo data age" 0 "$(echo "$r" | jq -r .data_age_s)"
assert_eq "no stale demo host" 0 "$(curl -s "$URL/v1/hosts?stale=true" | jq '.hosts | length')"
curl -s "$URL/metrics" | grep -q '^vfio_compat_hosts{state="stale"} 0$' || fail "stale metric counts demo hosts"
ok "stale metric: 0"
# A real report under a demo host's name makes it an ordinary host.
curl -s "$URL/v1/hosts/gpu-a2" | jq 'del(.received_at, .stale, .generation)' >"$T/a2.json"
put_inv gpu-a2 "$T/a2.json" >/dev/null
sleep 3
assert_eq "a reported host ages again" true "$(curl -s "$URL/v1/hosts/gpu-a2" | jq .stale)"

# The access log: one line per request, in the documented fields.
curl -s -o /dev/null "$URL/v1/hosts/gpu-a1"
curl -s -o /dev/null "$URL/nowhere"
curl -s -o /dev/null -H 'Authorization: Bearer s3cr3t-t0ken' "$URL/healthz"
# logrotate's way: move the file, SIGHUP, and the next line goes to a
# new file of the same name.
mv "$T/access.log" "$T/access.log.1"
# start_server's own /readyz polls are in the old file already.
before=$(grep -c ' GET /readyz ' "$T/access.log.1" || true)
kill -HUP "$SRV_PID"
i=0
until [ -e "$T/access.log" ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "SIGHUP did not reopen the access log"
	sleep 0.1
done
curl -s -o /dev/null "$URL/readyz"
server_alive
assert_eq "after SIGHUP: the new file" 1 "$(grep -c ' GET /readyz 200 ' "$T/access.log")"
assert_eq "after SIGHUP: nothing more in the old file" "$before" \
    "$(grep -c ' GET /readyz ' "$T/access.log.1" || true)"
ok "SIGHUP reopens the access log"
cat "$T/access.log" >>"$T/access.log.1"
mv "$T/access.log.1" "$T/access.log"
stop_server
n=$(wc -l <"$T/access.log")
[ "$n" -ge 8 ] || fail "access log has $n lines: $(cat "$T/access.log")"
ok "access log: $n lines"
re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z 127\.0\.0\.1:[0-9]+ [A-Z]+ [^ ]+ [0-9]{3} [0-9]+ [0-9]+\.[0-9]{6} [a-z-]+$'
bad=$(grep -Evc "$re" "$T/access.log" || true)
assert_eq "every access log line has the 8 fields" 0 "$bad"
grep -Eq ' GET /v1/hosts/\{host\} 200 [1-9][0-9]* [0-9.]+ -$' "$T/access.log" || fail "no templated GET /v1/hosts/{host} line"
ok "route template, not the path"
grep -q 'gpu-a1' "$T/access.log" && fail "a raw path reached the access log"
grep -Eq ' GET unmatched 404 ' "$T/access.log" || fail "no 404 line"
ok "unmatched 404 logged"
grep -Eq ' PUT /v1/hosts/\{host\}/inventory 200 ' "$T/access.log" || fail "no PUT line"
ok "PUT logged"
grep -q 's3cr3t' "$T/access.log" && fail "the token reached the access log"
ok "no token in the access log"

# With a tokens file: each role by name, an unknown token as "invalid".
printf 'reader-token' | sha256sum | awk '{print $1 " reader *"}' >"$T/tokens"
printf 'admin-token' | sha256sum | awk '{print $1 " admin *"}' >>"$T/tokens"
printf 'push-token' | sha256sum | awk '{print $1 " collector *"}' >>"$T/tokens"
DB="$T/tok.db"
start_server --tokens "$T/tokens" --access-log - 
for t in reader-token admin-token push-token wrong-token; do
	curl -s -o /dev/null -H "Authorization: Bearer $t" "$URL/v1/hosts"
done
curl -s -o /dev/null "$URL/v1/hosts"
stop_server
for role in reader admin collector invalid; do
	grep -Eq " GET /v1/hosts [0-9]{3} [0-9]+ [0-9.]+ $role\$" "$SRV_LOG" || fail "no $role line: $(cat "$SRV_LOG")"
	ok "role $role"
done
grep -Eq " GET /v1/hosts 401 [0-9]+ [0-9.]+ -\$" "$SRV_LOG" || fail "no tokenless 401 line"
ok "no token: -"
grep -Eq 'token' "$SRV_LOG" && fail "a token reached the log"
ok "no token text in the log"
