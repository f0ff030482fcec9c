# SPDX-License-Identifier: Apache-2.0
# cli-help.sh -- --help for the program and each command, the usage
# errors that need no server, and the man page: it renders without
# warnings and documents every command, option and exit status.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"
MAN="$top_srcdir/clients/cli/vfio-compat.1"
COMMANDS="hosts host check destinations policy"
GLOBALS="--url --token-file --cacert --cert --key --timeout --json"

for h in --help -h help; do
	expect_rc "vfio-compat $h" 0 $h
	contains "vfio-compat $h: usage" "usage: vfio-compat [options] COMMAND" "$out"
	for c in $COMMANDS; do
		contains "vfio-compat $h lists $c" "  vfio-compat $c" "$out"
	done
	for o in $GLOBALS; do
		contains "vfio-compat $h: $o" "  $o " "$out"
	done
	contains "vfio-compat $h: exit statuses" "0 compatible, 1 incompatible, 3 unknown, 2 usage" "$out"
done

# opts CMD: the options a command's help must describe.
opts() {
	case $1 in
	hosts) echo "--type --vendor-id --stale" ;;
	check) echo "--from --device --vm --to --mode" ;;
	destinations) echo "--mode" ;;
	*) echo "" ;;
	esac
}
for c in $COMMANDS; do
	for form in "$c --help" "$c -h" "help $c" "--url http://127.0.0.1:1 $c --help"; do
		expect_rc "vfio-compat $form" 0 $form
		contains "$form: usage line" "usage: vfio-compat $c" "$out"
		contains "$form: exit status" "Exit " "$out"
		contains "$form: global options" "--token-file" "$out"
	done
	for o in $(opts $c); do
		contains "$c --help describes $o" "  $o" "$out"
	done
done

# Usage errors that never reach a server (nothing listens on port 1).
U="--url http://127.0.0.1:1"
expect_rc "no command" 2 $U
contains "no command: reason" "vfio-compat: no command given" "$err"
expect_rc "unknown command" 2 $U frobnicate
assert_eq "unknown command: reason" \
    "vfio-compat: unknown command frobnicate (see vfio-compat --help)" "$err"
expect_rc "unknown global option" 2 --frob hosts
contains "unknown global option: reason" "--frob" "$err"
expect_rc "--url without a value" 2 --url
expect_rc "--url not http" 2 --url 127.0.0.1:8080 hosts
expect_rc "--url too long" 2 --url "http://$(head -c 3000 /dev/zero | tr '\0' a)" hosts
expect_rc "--timeout too large" 2 $U --timeout 3601 hosts
contains "--timeout too large: reason" "too large" "$err"

# The man page.
command -v groff >/dev/null || fail "groff is required to check the man page"
warn=$(groff -mandoc -Tutf8 -ww -z "$MAN" 2>&1)
assert_eq "man page renders without warnings" "" "$warn"
page=$(groff -mandoc -Tutf8 -P-c "$MAN" 2>/dev/null | col -b)
for c in $COMMANDS; do
	printf '%s\n' "$page" | grep -q "vfio-compat $c" ||
	    fail "man page: no synopsis of $c"
	ok "man page: synopsis of $c"
done
for o in $GLOBALS --type --vendor-id --stale --from --device --vm --to --mode \
    VFIO_COMPAT_URL VFIO_COMPAT_TOKEN_FILE "EXIT STATUS"; do
	contains "man page: $o" "$o" "$page"
done
for s in 0 1 2 3; do
	printf '%s\n' "$page" | sed -n '/^EXIT STATUS/,/^EXAMPLES/p' | grep -Eq "^ +$s[[:space:]]+[A-Z]" ||
	    fail "man page: exit status $s not described"
	ok "man page: exit status $s"
done
