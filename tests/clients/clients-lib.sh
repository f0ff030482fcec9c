# SPDX-License-Identifier: Apache-2.0
# tests/clients/clients-lib.sh -- a live vfio-compatd for the client
# tests, and a way to run the CLI and look at all it did.
#
# Source after tests/lib.sh. start_server [ARGS...] runs the server on
# 127.0.0.1 with a port the kernel chose and a database in $T, waits for
# /healthz and sets $URL and $SRV_PID. load_fleet PUTs the four test
# hosts. run_cli ARGS... runs vfio-compat and sets $out, $err and $rc;
# expect_rc WHAT RC ARGS... runs it and asserts the exit status.
: "${VC_SERVER:?run through tests/run-test}"
: "${VC_CLI:?run through tests/run-test}"
command -v curl >/dev/null || fail "curl is required"
command -v jq >/dev/null || fail "jq is required"
[ -x "$VC_SERVER" ] || fail "no server at $VC_SERVER"
[ -x "$VC_CLI" ] || fail "no CLI at $VC_CLI"

SAMPLE="$top_srcdir/tests/unit/data/sample.json"
CDATA="$top_srcdir/tests/clients/data"
EXAMPLES="$top_srcdir/clients/examples"
SRC=compute-17.example.org
SAME=compute-18.example.org	# same T4 type and driver, free VF
NEWER=compute-19.example.org	# T4 on driver 550.127.05
NOGPU=compute-20.example.org	# only the mlx5 VF
MDEV=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
VF=0000:5e:00.3
GPU=0000:3b:00.0
VM=6f3b1c2d-0000-4000-8000-00000000002a
SRV_PID=""
SRV_LOG="$T/server.log"
# The environment must not leak into the tests.
unset VFIO_COMPAT_URL VFIO_COMPAT_TOKEN_FILE

# wait_listen URL: until something accepts connections there, or fail.
wait_listen() {
	i=0
	while w=0; curl -s -o /dev/null --max-time 0.5 "$1" 2>/dev/null || w=$?
	    [ "$w" = 7 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$SRV_LOG" >&2; fail "$1 did not answer"; }
		sleep 0.1
	done
}

start_server() {
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT"
	"$VC_SERVER" --listen "127.0.0.1:$PORT" --db "$T/vc-$PORT.db" "$@" \
	    >>"$SRV_LOG" 2>&1 &
	SRV_PID=$!
	at_exit "kill $SRV_PID 2>/dev/null || true"
	i=0
	until curl -fs "$URL/readyz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$SRV_LOG" >&2; fail "server did not start"; }
		kill -0 "$SRV_PID" 2>/dev/null ||
		    { cat "$SRV_LOG" >&2; fail "server exited at start"; }
		sleep 0.1
	done
}

# put_inv FILE [CURL ARGS...]: PUT the inventory under its own host name.
put_inv() {
	f=$1
	shift
	h=$(jq -r .host "$f")
	st=$(curl -s -o "$T/put.out" -w '%{http_code}' -X PUT \
	    -H 'Content-Type: application/json' --data-binary "@$f" "$@" \
	    "$URL/v1/hosts/$h/inventory") || true
	if [ "$st" != 200 ]; then
		tail -n 20 "$SRV_LOG" >&2
		fail "PUT $h: status $st $(cat "$T/put.out" 2>/dev/null)"
	fi
}

load_fleet() {
	put_inv "$SAMPLE" "$@"
	for h in 18 19 20; do
		put_inv "$CDATA/compute-$h.json" "$@"
	done
}

# run_cli ARGS...: $out, $err, $rc of one run of vfio-compat.
run_cli() {
	rc=0
	"$VC_CLI" "$@" >"$T/cli.out" 2>"$T/cli.err" || rc=$?
	out=$(cat "$T/cli.out")
	err=$(cat "$T/cli.err")
}

# expect_rc WHAT RC ARGS...: run the CLI and require exit status RC; an
# error status (2) must come with exactly one line on stderr, the others
# with none.
expect_rc() {
	what=$1 want=$2
	shift 2
	run_cli "$@"
	[ "$rc" = "$want" ] ||
	    fail "$what: exit $rc, want $want; stdout [$out] stderr [$err]"
	nerr=$(printf '%s' "$err" | grep -c '' || true)
	if [ "$want" = 2 ]; then
		[ "$nerr" = 1 ] || fail "$what: want one line on stderr, got [$err]"
	else
		[ "$nerr" = 0 ] || fail "$what: unexpected stderr [$err]"
	fi
	ok "$what: exit $want"
}

# contains WHAT NEEDLE HAYSTACK
contains() {
	case "$3" in
	*"$2"*) ok "$1" ;;
	*) fail "$1: [$2] not in [$3]" ;;
	esac
}

# row HOST: the line of $out for that host, fields squeezed to one space.
row() {
	printf '%s\n' "$out" | awk -v h="$1" '$1 == h { $1 = $1; print }'
}
