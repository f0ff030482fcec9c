# SPDX-License-Identifier: Apache-2.0
# tokens.sh -- the tokens file is refused, with the reason and exit 1,
# when it could give a token more than its line says: writable by group
# or others, not a regular file, a digest on two lines, a NUL inside a
# line, or a host glob on a reader or admin line (such a glob was
# honoured on GET /v1/hosts/{host} only, while the same token listed and
# checked every host).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# refused WHAT FILE REASON: the server exits 1 naming REASON, no db made.
refused() {
	rc=0
	timeout 10 "$VC_SERVER" --listen "127.0.0.1:$(free_port)" --db "$T/r.db" \
	    --tokens "$2" > "$T/out" 2>&1 || rc=$?
	assert_eq "$1: exit status" 1 "$rc"
	grep -q -- "$3" "$T/out" || fail "$1: no reason '$3': $(cat "$T/out")"
	[ ! -e "$T/r.db" ] || fail "$1: the refused server created its database"
	ok "$1: refused, '$3'"
}

good() { printf '%s admin *\n%s reader *\n%s collector compute-*\n' \
    "$(sha a)" "$(sha r)" "$(sha c)"; }

good > "$T/t"; chmod 0666 "$T/t"
refused "world-writable" "$T/t" "writable by group or others"
chmod 0620 "$T/t"
refused "group-writable" "$T/t" "writable by group or others"
mkfifo "$T/fifo"
refused "a FIFO" "$T/fifo" "not a regular file"
{ good; printf '%s collector *\n' "$(sha r)"; } > "$T/dup"; chmod 0600 "$T/dup"
refused "a digest as reader and collector" "$T/dup" "more than once"
{ good; printf '%s reader *\n' "$(sha r)"; } > "$T/dup2"; chmod 0600 "$T/dup2"
refused "a digest twice with one role" "$T/dup2" "more than once"
{ printf '%s admin *\n%s reader' "$(sha a)" "$(sha r)"; printf '\000'; printf ' *\n'; } > "$T/nul"
chmod 0600 "$T/nul"
refused "a NUL inside a line" "$T/nul" "NUL byte"
{ good; printf '%s reader gpu-*\n' "$(sha g)"; } > "$T/rg"; chmod 0600 "$T/rg"
refused "a reader glob" "$T/rg" 'glob must be "\*"'
{ good; printf '%s admin rack1-*\n' "$(sha g)"; } > "$T/ag"; chmod 0600 "$T/ag"
refused "an admin glob" "$T/ag" 'glob must be "\*"'

# The same file, 0640 and without the bad lines, serves.
good > "$T/ok"; chmod 0640 "$T/ok"
start_server --tokens "$T/ok"
assert_eq "a good tokens file serves" 200 \
    "$(status GET /v1/hosts -H "Authorization: Bearer r")"
stop_server
