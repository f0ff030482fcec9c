# SPDX-License-Identifier: Apache-2.0
# probes.sh -- vendor probes: good output merges into attributes (and
# migration.flags into the flags), bad probes are ignored with a warning
# each: invalid JSON, wrong shape, bad keys, unknown flags, non-zero
# exit, a hang (killed at 5 s), a flood, not executable, not a file.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

D=$T/probe.d
mkdir "$D"
probe() { # NAME BODY: an executable shell probe
	printf '#!/bin/sh\n%s\n' "$2" >"$D/$1"
	chmod +x "$D/$1"
}
GPU=0000:3b:00.0
probe 10-good "cat <<'J'
{\"$GPU\": {\"nvidia.ecc\": \"enabled\", \"firmware\": \"94.04.5C.00.03\",
  \"shared\": \"first\", \"migration.flags\": \"stop_copy, p2p\"},
 \"0000:99:00.0\": {\"ghost\": \"x\"}}
J"
probe 20-later "echo '{\"$GPU\": {\"shared\": \"second\"}}'"
probe 30-badjson "echo '{\"$GPU\": {\"x\": '"
probe 31-notobject "echo '[1, 2]'"
probe 32-badkey "echo '{\"$GPU\": {\"bad key!\": \"v\", \"ok\": \"v\"}}'"
probe 33-nonstring "echo '{\"$GPU\": {\"n\": 5}}'"
probe 34-badflag "echo '{\"$GPU\": {\"migration.flags\": \"stop_copy,teleport\"}}'"
probe 35-exit1 "echo '{\"$GPU\": {\"failed\": \"yes\"}}'; exit 1"
probe 36-hang "sleep 10; echo '{\"$GPU\": {\"slow\": \"yes\"}}'"
probe 37-flood "exec yes '{}'"
printf '#!/bin/sh\necho "{\\"%s\\": {\\"noexec\\": \\"yes\\"}}"\n' $GPU >"$D/38-noexec"
chmod 644 "$D/38-noexec"
mkdir "$D/39-dir"
probe .hidden "echo '{\"$GPU\": {\"hidden\": \"yes\"}}'"

start=$(date +%s)
"$WITH_TREE" t4 -- "$VC_COLLECT" --host testhost --probe-dir "$D" \
    >"$T/out.json" 2>"$T/err" || fail "exit status $?: $(cat "$T/err")"
elapsed=$(($(date +%s) - start))
valid "$T/out.json"
as_jansson_prints "$T/out.json"
[ "$elapsed" -lt 9 ] || fail "the hanging probe was not cut off ($elapsed s)"
ok "hanging probe cut off ($elapsed s)"

assert_eq "attributes merged, later probe wins" \
    '{"firmware":"94.04.5C.00.03","nvidia.ecc":"enabled","shared":"second"}' \
    "$(jq -c --arg a $GPU '.devices[] | select(.address == $a) | .attributes' "$T/out.json")"
assert_eq "migration flags from the probe" \
    '{"capable":true,"flags":["stop_copy","p2p"],"flags_source":"probe","version":null}' \
    "$(jq -c --arg a $GPU '.devices[] | select(.address == $a) | .migration' "$T/out.json")"

warned() { # PATTERN WHAT
	grep -E -- "$1" "$T/err" >/dev/null || fail "no warning for $2"
	ok "warning for $2"
}
warned "10-good: no device 0000:99:00.0" "a device not on this host"
warned "30-badjson: invalid JSON" "invalid JSON"
warned "31-notobject: output is not a JSON object" "a non-object"
warned "32-badkey: .*bad attribute key" "a bad attribute key"
warned "33-nonstring: .*non-string value" "a non-string value"
warned "34-badflag: .*unknown migration flag" "an unknown flag"
warned "35-exit1: exited with status 1" "a failing probe"
warned "36-hang: timed out" "a hanging probe"
warned "37-flood: more than 1048576 bytes" "a flooding probe"
warned "38-noexec: not executable" "a non-executable file"
warned "39-dir: not a regular file" "a directory"
if grep -q hidden "$T/err" || grep -q hidden "$T/out.json"; then
	fail "a dot file ran"
fi
ok "dot files are not run"

# Without any probe directory: no warning, no attributes.
"$WITH_TREE" t4 -- "$VC_COLLECT" --host testhost --probe-dir "$T/none" \
    >"$T/out.json" 2>"$T/err" || fail "exit status $?"
[ ! -s "$T/err" ] || fail "warnings without a probe directory: $(cat "$T/err")"
assert_eq "no attributes without probes" '{}' \
    "$(jq -c --arg a $GPU '.devices[] | select(.address == $a) | .attributes' "$T/out.json")"
