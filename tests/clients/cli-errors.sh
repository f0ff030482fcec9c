# SPDX-License-Identifier: Apache-2.0
# cli-errors.sh -- what vfio-compat makes of a server that misbehaves:
# a proxy's HTML error page, an answer that is not JSON, an answer over
# the 16 MiB cap, no answer at all, and error text carrying terminal
# escapes, 200 answers of the wrong shape, invalid UTF-8, a redirect and
# an answer that drips. Each is exit 2 with one readable line on stderr.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"

# fake MODE: a fake-server.py in that mode; sets $FURL.
fake() {
	p=$(free_port)
	FURL="http://127.0.0.1:$p"
	python3 "$top_srcdir/tests/clients/fake-server.py" "$p" "$1" \
	    >>"$SRV_LOG" 2>&1 &
	at_exit "kill $! 2>/dev/null || true"
	wait_listen "$FURL/"
}

fake html502
expect_rc "HTML error page" 2 --url "$FURL" hosts
assert_eq "HTML error page: status and first line" \
    "vfio-compat: $FURL: HTTP 502: <html>" "$err"
expect_rc "HTML error page, --json" 2 --url "$FURL" --json policy
assert_eq "HTML error page, --json: nothing on stdout" "" "$out"

fake notjson
expect_rc "200 that is not JSON" 2 --url "$FURL" hosts
contains "not JSON: reason" "$FURL: the answer is not JSON" "$err"

fake huge
expect_rc "answer over the cap" 2 --url "$FURL" hosts
assert_eq "answer over the cap: reason" \
    "vfio-compat: $FURL: the answer is larger than 16 MiB" "$err"

fake escape
expect_rc "escapes in an error" 2 --url "$FURL" host x.example.org
assert_eq "escapes replaced" "vfio-compat: BAD?[31m: red?[0m?bell (x)" "$err"
printf '%s' "$err" | LC_ALL=C grep -q "$(printf '\033')" && fail "an escape reached stderr"
ok "no escape on stderr"

fake hang
start=$(date +%s)
expect_rc "no answer" 2 --url "$FURL" --timeout 1 hosts
took=$(( $(date +%s) - start ))
[ "$took" -le 4 ] || fail "--timeout 1 took $took s"
ok "--timeout 1 gave up after $took s"
assert_eq "no answer: reason" "vfio-compat: $FURL: no answer within 1 seconds" "$err"

# Nothing listens: the reason names the address.
DEAD="http://127.0.0.1:$(free_port)"
expect_rc "connection refused" 2 --url "$DEAD" policy
contains "connection refused: reason" "vfio-compat: cannot connect to $DEAD" "$err"
expect_rc "no such host" 2 --url "http://no-such-host.invalid:1" --timeout 5 policy
contains "no such host: reason" "cannot connect to http://no-such-host.invalid:1" "$err"

# A real server with tokens: 401 and 403 shown as the server words them.
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
cat > "$T/tokens" <<EOT
$(sha admin-secret) admin *
$(sha reader-secret) reader *
$(sha collector-secret) collector compute-*
EOT
start_server --tokens "$T/tokens"
printf 'admin-secret\n' > "$T/admin"
printf '  reader-secret  \n# comment\n' > "$T/reader"
printf 'collector-secret\n' > "$T/collector"
printf 'wrong-secret\n' > "$T/wrong"
: > "$T/empty"
load_fleet -H "Authorization: Bearer admin-secret"
expect_rc "no token" 2 --url "$URL" hosts
contains "no token: server's code" "vfio-compat: UNAUTHENTICATED: " "$err"
expect_rc "wrong token" 2 --url "$URL" --token-file "$T/wrong" hosts
contains "wrong token: server's code" "vfio-compat: UNAUTHENTICATED: " "$err"
expect_rc "collector token" 2 --url "$URL" --token-file "$T/collector" hosts
contains "collector token: server's code" "vfio-compat: FORBIDDEN: " "$err"
expect_rc "reader token (trimmed, first line)" 0 --url "$URL" --token-file "$T/reader" hosts
assert_eq "reader token rows" 4 "$(printf '%s\n' "$out" | sed 1d | grep -c .)"
expect_rc "reader token, check" 0 --url "$URL" --token-file "$T/reader" \
    check --from $SRC --device $MDEV --to $SAME
export VFIO_COMPAT_TOKEN_FILE="$T/reader" VFIO_COMPAT_URL="$URL"
expect_rc "VFIO_COMPAT_TOKEN_FILE" 0 destinations $VM
expect_rc "--token-file beats VFIO_COMPAT_TOKEN_FILE" 2 --token-file "$T/wrong" policy
unset VFIO_COMPAT_TOKEN_FILE VFIO_COMPAT_URL
expect_rc "missing token file" 2 --url "$URL" --token-file "$T/none" hosts
assert_eq "missing token file: reason" "vfio-compat: $T/none: cannot open token file" "$err"
expect_rc "empty token file" 2 --url "$URL" --token-file "$T/empty" hosts
assert_eq "empty token file: reason" "vfio-compat: $T/empty: no token on the first line" "$err"
head -c 5000 /dev/zero | tr '\0' a > "$T/long"
expect_rc "oversize token file" 2 --url "$URL" --token-file "$T/long" hosts
contains "oversize token file: reason" "token file larger than" "$err"

# 200 answers that are not what the API promises: exit 2 with one line,
# never a verdict read from them (issue 12). Each would have been read
# as a verdict before answer.c: the first exited 0, compatible.
n=$(python3 "$top_srcdir/tests/clients/fake-server.py" 0 count)
m=0
while [ $m -lt "$n" ]; do
	fake "answer:$m"
	expect_rc "malformed answer $m: check" 2 --url "$FURL" check --from a --device 0000:5e:00.3 --to b
	contains "malformed answer $m: reason" "vfio-compat: $FURL: malformed answer: " "$err"
	assert_eq "malformed answer $m: nothing on stdout" "" "$out"
	expect_rc "malformed answer $m: check --json" 2 --url "$FURL" --json check --vm 6f3b1c2d-0000-4000-8000-00000000002a
	assert_eq "malformed answer $m: --json prints nothing" "" "$out"
	m=$((m + 1))
done
[ $m -ge 10 ] || fail "only $m malformed answers tried"
fake answer:0
assert_eq "malformed answer 0: the first wrong field named" \
    "vfio-compat: $FURL: malformed answer: results[0]: host is not a host name" \
    "$("$VC_CLI" --url "$FURL" check --from a --device 0000:5e:00.3 2>&1 >/dev/null || true)"
expect_rc "malformed answer: destinations" 2 --url "$FURL" destinations 6f3b1c2d-0000-4000-8000-00000000002a
expect_rc "malformed answer: hosts" 2 --url "$FURL" hosts
expect_rc "malformed answer: host" 2 --url "$FURL" host a
expect_rc "malformed answer: policy" 2 --url "$FURL" policy
fake answer:8
expect_rc "hosts with stale as a string" 2 --url "$FURL" hosts
contains "hosts with stale as a string: reason" "hosts[0]: stale is not a boolean" "$err"

fake badutf8
expect_rc "invalid UTF-8" 2 --url "$FURL" hosts
contains "invalid UTF-8: reason" "the answer is not JSON" "$err"

# A redirect is an answer, not an instruction: not followed.
fake redirect
expect_rc "redirect" 2 --url "$FURL" check --vm 6f3b1c2d-0000-4000-8000-00000000002a
contains "redirect: shown, not followed" "$FURL: HTTP 302" "$err"

# --timeout is a deadline for the whole answer, not an idle limit.
fake drip
start=$(date +%s)
expect_rc "dripping answer" 2 --url "$FURL" --timeout 2 hosts
took=$(( $(date +%s) - start ))
[ "$took" -le 5 ] || fail "--timeout 2 against a drip took $took s"
ok "--timeout 2 against a drip gave up after $took s"
