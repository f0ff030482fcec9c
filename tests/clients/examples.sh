# SPDX-License-Identifier: Apache-2.0
# examples.sh -- every curl/jq recipe in clients/examples/ against a
# live vfio-compatd, with its output asserted, and the server's own error
# text on failure (not curl's "(22)"); a recipe without a case here
# fails the test, so none ships untested. Then clients/README.md as
# printed against the demo fleet: its CLI examples' output and its
# curl + jq snippets.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/clients/clients-lib.sh"

start_server
load_fleet
export VFIO_COMPAT_URL="$URL"
TAB=$(printf '\t')
TESTED=""

# recipe NAME ARGS...: run it; $out, $rc.
recipe() {
	name=$1
	shift
	[ -x "$EXAMPLES/$name" ] || fail "$name: missing or not executable"
	head -n 1 "$EXAMPLES/$name" | grep -qx '#!/bin/sh' ||
	    fail "$name: not a #!/bin/sh script"
	TESTED="$TESTED $name"
	rc=0
	out=$(sh "$EXAMPLES/$name" "$@" 2>"$T/recipe.err") || rc=$?
}

recipe list-hosts.sh
assert_eq "list-hosts rc" 0 "$rc"
assert_eq "list-hosts" "$SRC${TAB}2026-11-22T10:00:00Z${TAB}fresh${TAB}2${TAB}1${TAB}1
$SAME${TAB}2026-11-22T10:05:00Z${TAB}fresh${TAB}2${TAB}0${TAB}0
$NEWER${TAB}2026-11-22T10:06:00Z${TAB}fresh${TAB}2${TAB}0${TAB}0
$NOGPU${TAB}2026-11-22T10:07:00Z${TAB}fresh${TAB}1${TAB}0${TAB}0" "$out"

recipe host-capacity.sh $SRC
assert_eq "host-capacity rc" 0 "$rc"
assert_eq "host-capacity" "mdev${TAB}nvidia-222${TAB}GRID T4-1B${TAB}15
mdev${TAB}nvidia-230${TAB}GRID T4-16Q${TAB}0" "$out"
recipe host-capacity.sh $NOGPU
assert_eq "host-capacity, no types" "0 " "$rc $out"
recipe host-capacity.sh nope.example.org
assert_eq "host-capacity unknown host fails" 2 "$rc"
assert_eq "host-capacity unknown host: the server's words" \
    "host-capacity.sh: HOST_NOT_FOUND: no inventory for nope.example.org (host)" \
    "$(cat "$T/recipe.err")"
recipe vm-destinations.sh 00000000-0000-4000-8000-000000000000
assert_eq "vm-destinations unknown VM: the server's words" \
    "2 vm-destinations.sh: SOURCE_UNKNOWN: no host reports VM 00000000-0000-4000-8000-000000000000 (uuid)" \
    "$rc $(cat "$T/recipe.err")"
grep -q 'curl: (22)' "$T/recipe.err" && fail "curl's (22) instead of the server's error"
ok "no curl (22)"

recipe check-device.sh $SRC $MDEV $SAME
assert_eq "check-device compatible" "0 $SAME${TAB}compatible${TAB}" "$rc $out"
recipe check-device.sh $SRC $MDEV $NEWER
assert_eq "check-device incompatible" "1 $NEWER${TAB}incompatible${TAB}VERSION_MISMATCH" "$rc $out"
recipe check-device.sh $SRC $MDEV never.example.org
assert_eq "check-device unknown" "1 never.example.org${TAB}unknown${TAB}HOST_UNKNOWN" "$rc $out"
recipe check-device.sh $SRC $VF $NOGPU
assert_eq "check-device VF" "0 $NOGPU${TAB}compatible${TAB}" "$rc $out"

recipe vm-destinations.sh $VM
assert_eq "vm-destinations" "0 $SAME${TAB}15" "$rc $out"

recipe verdict-counts.sh $SRC $MDEV
assert_eq "verdict-counts" "0 compatible 1
incompatible 2" "$rc $out"
recipe verdict-counts.sh $SRC $VF
assert_eq "verdict-counts VF" "0 compatible 3" "$rc $out"
recipe verdict-counts.sh $SRC $MDEV $VF
assert_eq "verdict-counts two devices" "0 compatible 1
incompatible 2" "$rc $out"

recipe stale-hosts.sh
assert_eq "stale-hosts, all fresh" "0 " "$rc $out"

recipe show-policy.sh
assert_eq "show-policy" \
    "0 nvidia${TAB}vendor_id=10de${TAB}driver_version:exact,device_id:exact
default${TAB}*${TAB}driver:exact,driver_version:exact,migration_version:exact" \
    "$rc $out"

# A stale host: a second server that calls a report stale after 1 s.
start_server --stale-after 1
export VFIO_COMPAT_URL="$URL"
put_inv "$SAMPLE"
put_inv "$CDATA/compute-18.json"
sleep 2.2
put_inv "$CDATA/compute-19.json"
recipe stale-hosts.sh
assert_eq "stale-hosts rc" 0 "$rc"
assert_eq "stale-hosts" "$SRC $SAME" "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
printf '%s\n' "$out" | cut -f2 | grep -qvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' &&
    fail "stale-hosts: bad received_at in [$out]"
ok "stale-hosts received_at"
recipe list-hosts.sh
assert_eq "list-hosts stale column" "stale stale fresh" \
    "$(printf '%s\n' "$out" | cut -f3 | tr '\n' ' ' | sed 's/ $//')"

# The recipes follow VFIO_COMPAT_TOKEN_FILE.
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
printf '%s admin *\n' "$(sha recipe-secret)" > "$T/tokens"
start_server --tokens "$T/tokens"
export VFIO_COMPAT_URL="$URL"
printf 'recipe-secret\n' > "$T/token"
put_inv "$SAMPLE" -H "Authorization: Bearer recipe-secret"
recipe list-hosts.sh
assert_eq "list-hosts without a token" \
    "2 list-hosts.sh: UNAUTHENTICATED: a valid bearer token is required" \
    "$rc $(cat "$T/recipe.err")"
export VFIO_COMPAT_TOKEN_FILE="$T/token"
recipe list-hosts.sh
assert_eq "list-hosts with a token" "0 $SRC" "$rc $(printf '%s' "$out" | cut -f1)"
recipe show-policy.sh
assert_eq "show-policy with a token" 0 "$rc"
unset VFIO_COMPAT_TOKEN_FILE

# A body that is not the server's error object: status and first line.
p=$(free_port)
python3 "$top_srcdir/tests/clients/fake-server.py" "$p" html502 >>"$SRV_LOG" 2>&1 &
at_exit "kill $! 2>/dev/null || true"
wait_listen "http://127.0.0.1:$p/"
VFIO_COMPAT_URL="http://127.0.0.1:$p" recipe list-hosts.sh
assert_eq "list-hosts behind a proxy's 502" "2 list-hosts.sh: HTTP 502: <html>" \
    "$rc $(cat "$T/recipe.err")"

# Every shipped recipe was run above; api.inc is what they share.
[ -f "$EXAMPLES/api.inc" ] || fail "clients/examples/api.inc is missing"
for f in "$EXAMPLES"/*.sh; do
	n=${f##*/}
	case " $TESTED " in
	*" $n "*) ok "recipe $n tested" ;;
	*) fail "recipe $n is not tested" ;;
	esac
done

# clients/README.md as printed, against the demo fleet. Each "$ vfio-compat"
# line of its Examples block that talks to the demo fleet, and the output
# the README shows under it.
start_server --demo "$top_srcdir/deploy/demo"
export VFIO_COMPAT_URL="$URL"
readme="$top_srcdir/clients/README.md"
awk '/^### Examples/ { on = 1; next } on && /^```$/ { n++; if (n == 2) exit; next }
    on && n == 1 { print }' "$readme" >"$T/examples.txt"
[ -s "$T/examples.txt" ] || fail "no Examples block in clients/README.md"
python3 - "$T/examples.txt" "$T/cases" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
i = 0
with open(sys.argv[2], "w") as f:
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1
            continue
        cmd = lines[i][2:]
        while cmd.endswith("\\") or cmd.endswith("|"):
            i += 1
            cmd = cmd.rstrip("\\") + " " + lines[i].strip()
        i += 1
        out = []
        while i < len(lines) and not lines[i].startswith("$ "):
            if lines[i].strip():
                out.append(lines[i])
            i += 1
        # Setting the URL is done here; TLS needs a server of its own.
        if cmd.startswith("export ") or "https://" in cmd:
            continue
        f.write(cmd + "\n" + "\n".join(out) + "\n\0")
PY
n=0
while IFS= read -r -d '' case; do
	cmd=$(printf '%s' "$case" | head -n 1)
	want=$(printf '%s' "$case" | sed 1d)
	got=$(PATH="$(dirname "$VC_CLI"):$PATH" bash -c "$cmd" 2>&1) || true
	assert_eq "README: $cmd" "$want" "$got"
	n=$((n + 1))
done <"$T/cases"
[ $n -ge 3 ] || fail "only $n README CLI examples found"

# The curl + jq snippets to paste, as one script: each prints something.
awk '/^The heart of each, to paste/ { on = 1; next } on && /^```sh$/ { inb = 1; next }
    inb && /^```$/ { exit } inb { print }' "$readme" >"$T/snippets.sh"
[ -s "$T/snippets.sh" ] || fail "no snippets in clients/README.md"
awk 'BEGIN { n = 0 } /^# / { if (n) print "echo ==="; n++ } { print }' \
    "$T/snippets.sh" >"$T/snippets-split.sh"
bash -eo pipefail "$T/snippets-split.sh" >"$T/snippets.out" 2>&1 ||
    { cat "$T/snippets.out"; fail "clients/README.md snippets"; }
empty=$(awk '/^===$/ { if (!lines) e++; lines = 0; next } { lines++ }
    END { if (!lines) e++; print e + 0 }' "$T/snippets.out")
assert_eq "every README snippet prints something against the demo fleet" 0 "$empty"
