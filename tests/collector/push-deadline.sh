# SPDX-License-Identifier: Apache-2.0
# push-deadline.sh -- a one-shot --push against a server that accepts
# and never answers gives up at --push-timeout, every retry included.
# Before: five attempts of 30 s each plus backoff, minutes for one run.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

PORT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$PORT" &
at_exit "kill $! 2>/dev/null || :"
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT))" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "listener did not start"; sleep 0.1
done
printf 'tok\n' > "$T/token"
t0=$(date +%s%N)
rc=0
collect t4 --push "http://127.0.0.1:$PORT" --token-file "$T/token" --push-timeout 3 || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "one-shot push to a silent server gave up after $ms ms"
assert_eq "exit status" 1 "$rc"
[ "$ms" -lt 6000 ] || fail "gave up after $ms ms, --push-timeout was 3 s"
ok "gave up within the deadline"
grep -q -- '--push-timeout of 3 s reached' "$T/t4.err" || fail "no reason: $(cat "$T/t4.err")"
ok "the reason names the deadline"
rc=0
"$VC_COLLECT" --push http://127.0.0.1:1 --token-file "$T/token" --push-timeout 0 \
    > /dev/null 2>"$T/err" || rc=$?
assert_eq "--push-timeout 0 refused" 2 "$rc"
