# SPDX-License-Identifier: Apache-2.0
# store.sh -- the SQLite store under a second server, damage, deletion
# and a full disk. Before: a second server on the same file started and
# the two diverged; a damaged file started "ready"; with the file
# deleted PUTs answered 200 into a file nobody would open again and
# /readyz stayed 200; on a full disk DELETE failed too, so space could
# not be freed through the API, and /readyz stayed 200 while every write
# failed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
A=$(jq -r .host "$SAMPLE")
J='-H Content-Type:application/json'

# A second server on the same file refuses to start.
start_server
put_inv "$A" "$SAMPLE" | grep -q '"generation"' || fail "cannot PUT"
rc=0
timeout 10 "$VC_SERVER" --listen "127.0.0.1:$(free_port)" --db "$DB" > "$T/second" 2>&1 || rc=$?
assert_eq "second server on one db: exit status" 1 "$rc"
grep -q 'in use by another vfio-compatd' "$T/second" || fail "no reason: $(cat "$T/second")"
ok "second server refused with the reason"
assert_eq "the first still serves" 200 "$(status GET "/v1/hosts/$A")"

# The file deleted under the running server: writes fail, not ready.
mv "$DB" "$T/moved.db"
assert_eq "PUT after the db was moved away" 503 \
    "$(status PUT "/v1/hosts/$A/inventory" $J --data-binary "@$SAMPLE")"
assert_eq "readyz after the db was moved away" 503 "$(status GET /readyz)"
assert_eq "DELETE after the db was moved away" 503 "$(status DELETE "/v1/hosts/$A")"
# ... or replaced by another file.
cp "$T/moved.db" "$DB"
assert_eq "PUT into a replaced db" 503 \
    "$(status PUT "/v1/hosts/$A/inventory" $J --data-binary "@$SAMPLE")"
assert_eq "readyz with a replaced db" 503 "$(status GET /readyz)"
grep -q 'removed or replaced while open' "$SRV_LOG" || fail "no log line for the replaced db"
ok "the log names the replaced db"
stop_server
rm -f "$DB" "$DB"-wal "$DB"-shm "$DB"-reserve "$T/moved.db"

# A damaged file is refused at start.
start_server
for h in a b c d e f; do
	variant "$T/$h.json" "host-$h.example.org"
	put_inv "host-$h.example.org" "$T/$h.json" > /dev/null
done
stop_server
python3 - "$DB" <<'X'
import os, sys
f = sys.argv[1]
size = os.path.getsize(f)
assert size >= 4 * 4096, size
with open(f, "r+b") as fh:
    for page in range(1, size // 4096):
        fh.seek(page * 4096 + 8)
        fh.write(b"\xa5" * 64)
X
rc=0
timeout 20 "$VC_SERVER" --listen "127.0.0.1:$(free_port)" --db "$DB" > "$T/damaged" 2>&1 || rc=$?
assert_eq "damaged db: exit status" 1 "$rc"
grep -Eq 'damaged|malformed' "$T/damaged" || fail "no reason: $(cat "$T/damaged")"
ok "damaged db refused: $(tail -n 1 "$T/damaged")"
rm -f "$DB" "$DB"-wal "$DB"-shm "$DB"-reserve

# A full disk: a small tmpfs of our own.
mkdir "$T/mnt"
mount -t tmpfs -o size=24m tmpfs "$T/mnt" ||
    fail "cannot mount a tmpfs for the full-disk case (the suite runs as root)"
at_exit "umount -l '$T/mnt' 2>/dev/null || true"
DB="$T/mnt/vc.db"
start_server
for h in a b c; do put_inv "host-$h.example.org" "$T/$h.json" > /dev/null; done
[ -s "$DB-reserve" ] || fail "no reserve beside the db"
ok "a reserve is kept beside the db ($(du -k "$DB-reserve" | cut -f1) KiB)"
dd if=/dev/zero of="$T/mnt/filler" bs=64k 2>/dev/null || true
jq '.devices[0].types[0].available_instances = 3 | .collected_at = "2026-11-22T12:00:00Z"' \
    "$T/a.json" > "$T/a2.json"
# 3 MB of new strings: needs room the disk no longer has.
python3 - "$T/b.json" "$T/b2.json" <<'X'
import json, sys
d = json.load(open(sys.argv[1]))
d["collected_at"] = "2026-11-22T12:00:00Z"
d["devices"][0]["attributes"] = {"k%d" % i: "v%05d" % i + "x" * 3000 for i in range(250)}
json.dump(d, open(sys.argv[2], "w"))
X
assert_eq "PUT on a full disk" 503 \
    "$(status PUT /v1/hosts/host-b.example.org/inventory $J --data-binary "@$T/b2.json")"
assert_eq "readyz while writes fail" 503 "$(status GET /readyz)"
assert_eq "DELETE on a full disk" 204 "$(status DELETE /v1/hosts/host-c.example.org)"
grep -q 'released 16 MiB reserved for deletions' "$SRV_LOG" || fail "no log line for the reserve"
ok "the reserve was given up for the DELETE"
assert_eq "readyz once a write commits again" 200 "$(status GET /readyz)"
stop_server
rm -f "$T/mnt/filler"
start_server
assert_eq "the DELETE survived a restart" 404 "$(status GET /v1/hosts/host-c.example.org)"
assert_eq "the others are there" 200 "$(status GET /v1/hosts/host-a.example.org)"
stop_server
assert_eq "integrity_check" ok "$(sqlite3 "$DB" 'PRAGMA integrity_check')"
