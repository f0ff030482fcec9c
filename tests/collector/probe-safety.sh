# SPDX-License-Identifier: Apache-2.0
# probe-safety.sh -- probes run as root, so what runs must be what was
# checked and nothing a probe starts may outlive it. Before: a
# group-writable probe, a probe in a world-writable directory and a
# symbolic link all ran; a probe that printed valid JSON and left a
# setsid child holding stdout lost its output to the timeout and the
# child survived; a probe that closed stdout and slept held the
# collector in waitpid.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/collector/common.inc"

GPU=0000:3b:00.0
mkdir -m 0755 "$T/d"
D=$T/d
probe() { # NAME BODY [MODE]
	printf '#!/bin/sh\n%s\n' "$2" >"$D/$1"
	chmod "${3:-0755}" "$D/$1"
}
attrs() { jq -c --arg a $GPU '.devices[] | select(.address == $a) | .attributes' "$T/out.json"; }
run() {
	start=$(date +%s%N)
	"$WITH_TREE" t4 -- "$VC_COLLECT" --host testhost --probe-dir "$1" \
	    >"$T/out.json" 2>"$T/err" || fail "exit status $?: $(cat "$T/err")"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
}

probe 10-good "echo '{\"$GPU\": {\"good\": \"yes\"}}'"
probe 20-groupw "echo '{\"$GPU\": {\"groupw\": \"yes\"}}'" 0775
probe 21-worldw "echo '{\"$GPU\": {\"worldw\": \"yes\"}}'" 0757
ln -s "$D/10-good" "$D/22-link"
mkfifo "$D/23-fifo"
# Valid JSON, then a child in its own session keeps stdout open.
probe 30-setsid "echo '{\"$GPU\": {\"setsid\": \"yes\"}}'
setsid sh -c 'echo \$\$ > $T/child.tmp; mv $T/child.tmp $T/child.pid; exec sleep 60' &
while [ ! -s $T/child.pid ]; do sleep 0.01; done
exit 0"
# Closes stdout and lingers: the read ends at once, the wait must not.
probe 31-linger "echo \$\$ > $T/linger.pid; exec >&-; exec sleep 60"
run "$D"
echo "collector over probe.d: $ms ms"
assert_eq "only the trusted probes applied" '{"good":"yes","setsid":"yes"}' "$(attrs)"
grep -q '20-groupw: owned by uid .* or writable by group or others' "$T/err" ||
    fail "no warning for a group-writable probe: $(cat "$T/err")"
ok "group-writable probe refused"
grep -q '21-worldw: owned by uid .* or writable by group or others' "$T/err" ||
    fail "no warning for a world-writable probe"
ok "world-writable probe refused"
grep -q '22-link: a symbolic link, skipped' "$T/err" || fail "no warning for a symlink"
ok "symbolic link refused"
grep -q '23-fifo: not a regular file' "$T/err" || fail "no warning for a FIFO"
ok "FIFO refused without blocking"
[ "$ms" -lt 4000 ] || fail "probes took $ms ms: a lingering child held the collector"
ok "a lingering child did not hold the collector ($ms ms)"
for f in child linger; do
	[ -s "$T/$f.pid" ] || fail "the $f probe did not record its pid"
	p=$(cat "$T/$f.pid")
	i=0
	while kill -0 "$p" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 20 ] || { kill -KILL "$p"; fail "the $f process $p survived its probe"; }
		sleep 0.1
	done
	ok "the $f process is gone"
done

# A directory writable by others: no probe in it runs at all.
mkdir -m 0777 "$T/open"
cp "$D/10-good" "$T/open/10-good"
chmod 0777 "$T/open"
run "$T/open"
assert_eq "nothing from a world-writable directory" '{}' "$(attrs)"
grep -q 'open: owned by uid .* or writable by group or others.*no probe run' "$T/err" ||
    fail "no warning for the directory: $(cat "$T/err")"
ok "world-writable probe directory refused"
