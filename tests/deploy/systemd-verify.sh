#!/bin/bash
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
