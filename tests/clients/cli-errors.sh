# cli-errors.sh -- what vfio-compat makes of a server that misbehaves:
# a proxy's HTML error page, an answer that is not JSON, an answer over
# the 16 MiB cap, no answer at all, and error text carrying terminal
# escapes. Each is exit 2 with one readable line on stderr.
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
