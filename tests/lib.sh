# SPDX-License-Identifier: Apache-2.0
# tests/lib.sh -- shared helpers for the shell tests; source it.
#
# Each test runs in its own scratch directory that is removed on exit.
# fail() reports and exits non-zero; the automake harness counts it.
set -eu
: "${top_srcdir:?run through tests/run-test}"
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-test.XXXXXX")
VC_CLEANUP=""
# bash runs the EXIT trap in subshells too (a process substitution, a
# "( ... )"); only the test's own shell may stop servers and remove $T.
VC_MAIN_PID=$BASHPID
vc_cleanup() {
	local i
	[ "$BASHPID" = "$VC_MAIN_PID" ] || return 0
	eval "$VC_CLEANUP"
	# A server just told to stop may still be writing its store in $T
	# (SQLite heartbeats written behind are flushed as it exits): a few
	# tries, 2 s at most, before a leftover is an error.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf "$T" 2>/dev/null && return 0
		sleep 0.2
	done
	rm -rf "$T"
}
trap vc_cleanup EXIT
# Add a command to run at exit (servers to stop, processes to kill).
at_exit() { VC_CLEANUP="$1; $VC_CLEANUP"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
	ok "$1"
}

# A free TCP port on 127.0.0.1, chosen by the kernel.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# npm_tool NAME: the path of an npm tool pinned by tests/openapi's lock
# file, from $VC_NODE_MODULES, the source tree or the build tree (make
# distcheck builds from a tarball without node_modules). Missing, the
# test is skipped (77) outside CI; in CI (CI=true) it fails.
npm_tool() {
	for d in ${VC_NODE_MODULES:+"$VC_NODE_MODULES"} \
	    "$top_srcdir/tests/openapi/node_modules" \
	    "$top_builddir/tests/openapi/node_modules"; do
		[ -x "$d/.bin/$1" ] && { echo "$d/.bin/$1"; return 0; }
	done
	if [ "${CI:-}" = true ]; then
		fail "$1 missing: run deploy/quickstart test (npm ci in tests/openapi)"
	fi
	echo "SKIP: $1 missing (npm ci in tests/openapi); CI runs it" >&2
	exit 77
}
