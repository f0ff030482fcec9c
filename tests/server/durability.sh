# SPDX-License-Identifier: Apache-2.0
# durability.sh -- 8 writers and SIGKILLs at random moments: every
# generation the server acknowledged is there after a restart, and the
# file passes PRAGMA integrity_check.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
rounds=${VC_KILL_ROUNDS:-8}
rc=0
python3 "$top_srcdir/tests/server/durability.py" "$VC_SERVER" "$DB" "$SAMPLE" \
    "$rounds" "${VC_FUZZ_SEED:-$$}" > "$T/out" || rc=$?
[ "$rc" = 0 ] || { cat "$T/out"; tail -n 20 "$DB.log"; fail "acknowledged writes lost"; }
set -- $(cat "$T/out")
echo "$1 SIGKILLs, $2 acknowledged writes by 8 writers, all of them kept on $3 hosts"
[ "$2" -gt 50 ] || fail "only $2 writes acknowledged"
ok "every acknowledged generation survived"
assert_eq "integrity_check" ok "$(sqlite3 "$DB" 'PRAGMA integrity_check')"
