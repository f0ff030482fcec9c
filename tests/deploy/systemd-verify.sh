#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/deploy/systemd-verify.sh -- the units in deploy/systemd/ load
# cleanly in systemd (systemd-analyze verify: no error and no warning),
# keep their sandbox, and score as well sandboxed in systemd-analyze
# security. verify needs ExecStart binaries that exist, so it checks
# copies whose /usr/local/bin paths point at the built binaries.
. "$top_srcdir/tests/lib.sh"

command -v systemd-analyze >/dev/null ||
    fail "systemd-analyze is missing (Debian package systemd)"
src=$top_srcdir/deploy/systemd
units="vfio-compatd.service vfio-compat-collect.service
vfio-compat-collect-once.service vfio-compat-collect.timer"
[ -x "$VC_SERVER" ] || fail "server not built: $VC_SERVER"
[ -x "$VC_COLLECT" ] || fail "collector not built: $VC_COLLECT"
command -v curl >/dev/null || fail "curl is missing (Debian package curl)"

mkdir "$T/units"
for u in $units; do
	[ -f "$src/$u" ] || fail "missing unit $u"
	sed -e "s#/usr/local/bin/vfio-compatd#$VC_SERVER#" \
	    -e "s#/usr/local/bin/vfio-compat-collect#$VC_COLLECT#" \
	    "$src/$u" >"$T/units/$u"
done

# The committed units name the installed binaries, nothing else.
for u in vfio-compatd.service vfio-compat-collect.service \
    vfio-compat-collect-once.service; do
	grep -q '^ExecStart=/usr/local/bin/vfio-compat' "$src/$u" ||
	    fail "$u: ExecStart is not /usr/local/bin/vfio-compat*"
done

# Run from the copies' directory so the timer finds its service.
(cd "$T/units" && systemd-analyze verify --man=no $units) \
    >"$T/verify.out" 2>&1 || { cat "$T/verify.out" >&2; fail "verify"; }
[ ! -s "$T/verify.out" ] || { cat "$T/verify.out" >&2; fail "verify warned"; }
ok "systemd-analyze verify"

# The sandbox the operator docs promise.
need() { # UNIT DIRECTIVE...
	local u=$1 d; shift
	for d in "$@"; do
		grep -qx "$d" "$src/$u" || fail "$u lacks $d"
	done
}
common="ProtectSystem=strict ProtectHome=yes PrivateTmp=yes
NoNewPrivileges=yes SystemCallFilter=@system-service
SystemCallArchitectures=native RestrictSUIDSGID=yes"
need vfio-compatd.service $common DynamicUser=yes \
    StateDirectory=vfio-compat CapabilityBoundingSet= \
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
    "LoadCredential=tokens:/etc/vfio-compat/tokens" \
    "EnvironmentFile=-/etc/default/vfio-compatd"
for u in vfio-compat-collect.service vfio-compat-collect-once.service; do
	need $u $common ReadOnlyPaths=/sys \
	    "CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" \
	    "EnvironmentFile=-/etc/default/vfio-compat-collect"
done
grep -q -- '--watch' "$src/vfio-compat-collect.service" ||
    fail "collector unit does not use --watch"
grep -qx 'Unit=vfio-compat-collect-once.service' \
    "$src/vfio-compat-collect.timer" || fail "timer starts the wrong unit"
ok "sandbox directives"

# Exposure scores (0 best, 10 worst; --threshold counts in tenths): the server has nothing to expose,
# the collector needs root with ptrace for /proc of QEMU processes.
score() { # UNIT THRESHOLD
	(cd "$T/units" && systemd-analyze security --offline=true \
	    --threshold="$2" "./$1") >"$T/sec.out" 2>&1 ||
	    { tail -n 3 "$T/sec.out" >&2; fail "$1 exposure above $2"; }
	ok "$1: $(grep -o 'exposure level.*' "$T/sec.out")"
}
score vfio-compatd.service 20
score vfio-compat-collect.service 40

# Every variable the units expand is documented in the example env files.
for v in VC_LISTEN VC_STALE_AFTER VC_OPTS; do
	grep -q "^#*$v=" "$src/vfio-compatd.default" ||
	    fail "vfio-compatd.default lacks $v"
done
for v in VC_PUSH_URL VC_INTERVAL VC_COLLECT_OPTS; do
	grep -q "^#*$v=" "$src/vfio-compat-collect.default" ||
	    fail "vfio-compat-collect.default lacks $v"
done
ok "environment files"

# The command lines the units run are accepted by the real binaries:
# expand ExecStart as systemd does (Environment= defaults, then the
# example /etc/default file, then overrides; ${VAR} is one word, $VAR
# splits; %d the credentials directory, %S the state root) and run it.
argv() { # UNIT DEFAULT-FILE [VAR=VALUE...]
	/usr/bin/python3 - "$@" <<'PYEOF'
import re, shlex, sys
unit, default, over = sys.argv[1], sys.argv[2], sys.argv[3:]
text = re.sub(r"\\\n", " ", open(unit).read())
env, execs = {}, []
for line in text.splitlines():
    if line.startswith("Environment="):
        for kv in shlex.split(line[len("Environment="):]):
            k, v = kv.split("=", 1); env[k] = v
    elif line.startswith("ExecStart="):
        execs.append(line[len("ExecStart="):])
for line in open(default):
    line = line.strip()
    if line and not line.startswith("#"):
        k, v = line.split("=", 1); env[k] = v
for kv in over:
    k, v = kv.split("=", 1); env[k] = v
assert len(execs) == 1, execs
words = []
for w in execs[0].split():
    m = re.fullmatch(r"\$([A-Za-z_]\w*)", w)
    if m:
        words += env.get(m.group(1), "").split()
        continue
    w = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], w)
    w = w.replace("%d", env["CREDS"]).replace("%S", env["STATE"])
    words.append(w)
print("\n".join(words))
PYEOF
}

sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
mkdir -p "$T/creds" "$T/state/vfio-compat"
ctoken=unit-test-collector-token
printf '%s collector *\n%s reader *\n' "$(sha $ctoken)" "$(sha reader-x)" \
    >"$T/creds/tokens"
printf '%s\n' "$ctoken" >"$T/creds/token"
port=$(free_port)
# (Through a file: a process substitution would run the EXIT trap.)
argv "$T/units/vfio-compatd.service" "$src/vfio-compatd.default" \
    VC_LISTEN=127.0.0.1:$port CREDS="$T/creds" STATE="$T/state" >"$T/argv"
mapfile -t cmd <"$T/argv"
[ "${cmd[0]}" = "$VC_SERVER" ] || fail "server ExecStart runs ${cmd[0]}"
"${cmd[@]}" >"$T/server.log" 2>&1 &
server=$!
# Not once it has been waited for below: bash mishandles a second wait.
server_done=
at_exit "[ -n \"\$server_done\" ] || { kill $server 2>/dev/null; wait $server 2>/dev/null || true; }"
i=0
# /readyz: the port opens before the store does.
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
	kill -0 $server 2>/dev/null ||
	    { cat "$T/server.log" >&2; fail "server unit command line: ${cmd[*]}"; }
	i=$((i + 1)); [ $i -le 300 ] || fail "server not up within 30 s"
	sleep 0.1
done
[ -f "$T/state/vfio-compat/vfio-compat.db" ] ||
    fail "database not in the StateDirectory"
ok "vfio-compatd.service command line serves"

# The one-shot collector unit pushes this machine's inventory with the
# credential token.
argv "$T/units/vfio-compat-collect-once.service" \
    "$src/vfio-compat-collect.default" VC_PUSH_URL=http://127.0.0.1:$port \
    "VC_COLLECT_OPTS=--host unit-test-host" CREDS="$T/creds" \
    STATE="$T/state" >"$T/argv"
mapfile -t cmd <"$T/argv"
[ "${cmd[0]}" = "$VC_COLLECT" ] || fail "collector ExecStart runs ${cmd[0]}"
timeout 60 "${cmd[@]}" >"$T/collect.log" 2>&1 ||
    { cat "$T/collect.log" >&2; fail "collector unit command line: ${cmd[*]}"; }
curl -sf -H "Authorization: Bearer reader-x" \
    "http://127.0.0.1:$port/v1/hosts/unit-test-host" >/dev/null ||
    fail "the pushed host is not on the server"
ok "vfio-compat-collect-once.service command line pushes"

# The watch unit's command line keeps running, pushes this machine's
# inventory, and ends with status 0 on SIGTERM (the units' KillSignal).
argv "$T/units/vfio-compat-collect.service" \
    "$src/vfio-compat-collect.default" VC_PUSH_URL=http://127.0.0.1:$port \
    "VC_COLLECT_OPTS=--host unit-watch-host" CREDS="$T/creds" \
    STATE="$T/state" >"$T/argv"
mapfile -t cmd <"$T/argv"
printf '%s\n' "${cmd[@]}" | grep -qx -- --watch || fail "watch unit without --watch"
"${cmd[@]}" >"$T/watch.log" 2>&1 &
watcher=$!
watcher_done=
at_exit "[ -n \"\$watcher_done\" ] || { kill $watcher 2>/dev/null; wait $watcher 2>/dev/null || true; }"
i=0
until curl -sf -H "Authorization: Bearer reader-x" \
    "http://127.0.0.1:$port/v1/hosts/unit-watch-host" >/dev/null; do
	kill -0 $watcher 2>/dev/null ||
	    { cat "$T/watch.log" >&2; fail "watch unit command line exited: ${cmd[*]}"; }
	i=$((i + 1)); [ $i -le 300 ] || fail "watch push not within 30 s"
	sleep 0.1
done
sleep 1
kill -0 $watcher 2>/dev/null || { cat "$T/watch.log" >&2; fail "watch mode exited"; }
ok "vfio-compat-collect.service command line watches and pushes"
kill -TERM $watcher
rc=0; wait $watcher || rc=$?
watcher_done=1
assert_eq "collector exit status on SIGTERM" 0 "$rc"

# SIGTERM (the units' KillSignal) ends the server cleanly: exit 0, so
# Restart=on-failure does not restart a stopped service.
kill -TERM $server
rc=0; wait $server || rc=$?
server_done=1
assert_eq "server exit status on SIGTERM" 0 "$rc"
