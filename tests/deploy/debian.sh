# SPDX-License-Identifier: Apache-2.0
# debian.sh -- the Debian packages as an operator gets them: debian/
# builds with dpkg-buildpackage -b -us -uc from a copy of the tree,
# lintian finds no error, the four packages install on this machine,
# lay out what issue 11 lists (daemons in /usr/sbin, units, the
# vfio-compat system user, /etc/vfio-compat with an admin token, demo
# data, man pages, completion), and the installed server (--demo, as
# the system user) and collector answer the README's examples. The Nova
# filter installs offline from the tree with pip --no-build-isolation.
# Everything installed is purged at exit. Slow (a full package build):
# registered in the plain build only.
. "$top_srcdir/tests/lib.sh"
PKGS="vfio-compat-server vfio-compat-collector vfio-compat-client python3-vfio-compat-nova"
VM=3d6f0a52-1b7e-4c39-8a1d-5e2f9b7c4a10
# Debian's tools with Debian's Python, whatever the caller's PATH holds.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH

for t in dpkg-buildpackage lintian dh curl jq; do
	command -v $t >/dev/null || fail "$t is missing (deploy/quickstart installs it)"
done
# Installing needs root: run as root, or with password-less sudo.
SUDO=
[ "$(id -u)" = 0 ] || SUDO="sudo -n"
$SUDO true 2>/dev/null || fail "installing the packages needs root (or sudo -n)"
for p in $PKGS; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		fail "$p is already installed here; remove it first, this test purges what it installs"
	fi
done

# A copy of the tree as git has it (committed and new files, nothing
# ignored), so build leftovers never reach the package.
src="$T/src/vfio-compat"
mkdir -p "$src"
(cd "$top_srcdir" && { git ls-files; git ls-files --others --exclude-standard; } |
    sort -u | tar -cf - -T -) | tar -xf - -C "$src"
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1 ||
    { tail -n 40 "$T/build.log"; fail "dpkg-buildpackage"; }
ok "dpkg-buildpackage -b -us -uc in $(( $(date +%s) - start )) s"
debs=""
for p in $PKGS; do
	f=$(ls "$T/src/${p}_"*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || fail "no package $p"
	debs="$debs $f"
done
ok "four binary packages"

lintian --fail-on error \
    "$T/src/"*.changes >"$T/lintian.out" 2>&1 ||
    { cat "$T/lintian.out"; fail "lintian reported errors"; }
ok "lintian: no error ($(grep -c '^W:' "$T/lintian.out" || true) warnings)"
grep -v "running with root privileges" "$T/lintian.out" | sed "s/^/  /" || true

# apt, not dpkg -i: it waits for the dpkg lock (another apt on this
# machine) instead of failing, and every dependency is already here.
APT="$SUDO apt-get -y -q --no-install-recommends -o DPkg::Lock::Timeout=300"
export DEBIAN_FRONTEND=noninteractive
at_exit "$APT purge $PKGS >/dev/null 2>&1 || true"
$APT install $debs >"$T/install.log" 2>&1 ||
    { cat "$T/install.log"; fail "apt-get install"; }
ok "installed"

for f in /usr/sbin/vfio-compatd /usr/sbin/vfio-compat-collect /usr/bin/vfio-compat; do
	[ -x "$f" ] || fail "no $f"
done
ok "daemons in /usr/sbin, the client in /usr/bin"
for u in vfio-compatd.service vfio-compat-collect.service \
    vfio-compat-collect-once.service vfio-compat-collect.timer; do
	[ -f "/lib/systemd/system/$u" ] || fail "no unit $u"
done
grep -q '^ExecStart=/usr/sbin/vfio-compatd ' /lib/systemd/system/vfio-compatd.service ||
    fail "the unit does not start /usr/sbin/vfio-compatd"
grep -q '^User=vfio-compat$' /lib/systemd/system/vfio-compatd.service || fail "unit user"
ok "units name the installed binaries"
getent passwd vfio-compat >/dev/null || fail "no vfio-compat system user"
[ "$(getent passwd vfio-compat | cut -d: -f3)" -lt 1000 ] || fail "vfio-compat is not a system user"
ok "system user vfio-compat"
[ -f /etc/default/vfio-compatd ] && [ -f /etc/default/vfio-compat-collect ] || fail "no /etc/default files"
[ -d /etc/vfio-compat/probe.d ] || fail "no /etc/vfio-compat/probe.d"
[ "$(stat -c %a /etc/vfio-compat/admin.token)" = 600 ] || fail "admin.token is not 0600"
digest=$(tr -d '\n' </etc/vfio-compat/admin.token | sha256sum | cut -d' ' -f1)
assert_eq "tokens file holds the admin token's digest" "$digest admin *" "$(cat /etc/vfio-compat/tokens)"
for m in vfio-compatd.8 vfio-compat-collect.8 vfio-compat.1; do
	[ -f "/usr/share/man/man${m##*.}/$m.gz" ] || fail "no man page $m"
done
ok "man pages vfio-compatd(8), vfio-compat-collect(8), vfio-compat(1)"
[ -f /usr/share/bash-completion/completions/vfio-compat ] || fail "no bash completion"
ok "bash completion"
assert_eq "demo data" 11 "$(ls /usr/share/vfio-compat/demo/*.json | wc -l)"

# The installed server with the installed demo data (--demo, no DIR),
# as the system user, and the installed collector pushing to it.
state="$T/state"
mkdir "$state"
$SUDO chown vfio-compat:vfio-compat "$state"
at_exit "$SUDO rm -rf $state"
chmod 755 "$T"
port=$(free_port)
URL=http://127.0.0.1:$port
$SUDO setpriv --reuid vfio-compat --regid vfio-compat --clear-groups \
    /usr/sbin/vfio-compatd --listen "127.0.0.1:$port" --db "$state/vc.db" \
    --demo --access-log "$state/access.log" >"$T/server.log" 2>&1 &
srv=$!
at_exit "$SUDO kill $srv 2>/dev/null || true"
i=0
# /readyz, not /healthz: the port opens before the demo data is read.
until curl -fs "$URL/readyz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$T/server.log"; fail "installed server did not start"; }
	$SUDO kill -0 $srv 2>/dev/null || { cat "$T/server.log"; fail "installed server exited"; }
	sleep 0.1
done
grep -q 'loaded 11 demo inventories from /usr/share/vfio-compat/demo' "$T/server.log" ||
    fail "--demo did not read the installed data: $(cat "$T/server.log")"
ok "installed server with --demo from /usr/share/vfio-compat/demo"
echo unused >"$T/token"
/usr/sbin/vfio-compat-collect --host deb-test-node --push "$URL" \
    --token-file "$T/token" >"$T/collect.log" 2>&1 ||
    { cat "$T/collect.log"; fail "installed collector could not push"; }
assert_eq "collector's host in the fleet" deb-test-node \
    "$(curl -s "$URL/v1/hosts/deb-test-node" | jq -r .host)"

# The README's two example blocks, pointed at this server.
block() { # N: the Nth ```sh block after "## Asking the service"
	awk -v n="$1" '/^## Asking the service/ { on = 1 }
	    on && /^```sh$/ { k++; inb = (k == n); next }
	    inb && /^```$/ { exit } inb { print }' "$top_srcdir/README.md"
}
block 1 | sed "s#localhost:8080#127.0.0.1:$port#g" >"$T/curl.sh"
block 2 | sed "s#_build/clients/cli/vfio-compat#vfio-compat --url $URL#" >"$T/cli.sh"
[ -s "$T/curl.sh" ] && [ -s "$T/cli.sh" ] || fail "README examples not found"
bash -eo pipefail "$T/curl.sh" >"$T/curl.out" 2>&1 || { cat "$T/curl.out"; fail "README curl examples"; }
grep -q '"verdict": "compatible"' "$T/curl.out" || { cat "$T/curl.out"; fail "README check is not compatible"; }
grep -q '\["gpu-a2",\s*"compatible"' "$T/curl.out" ||
    grep -q '^\["gpu-a2","compatible"' "$T/curl.out" || { cat "$T/curl.out"; fail "no compatible gpu-a2 row"; }
tr -d ' \n' <"$T/curl.out" | grep -q '\["gpu-a2","gpu-a3"\]' || { cat "$T/curl.out"; fail "README destinations"; }
ok "README curl examples against the installed server"
bash -e "$T/cli.sh" >"$T/cli.out" 2>&1 || { cat "$T/cli.out"; fail "README CLI examples"; }
grep -q '^gpu-a2 *compatible' "$T/cli.out" || { cat "$T/cli.out"; fail "README CLI check"; }
ok "README CLI examples with the installed client"
grep -Eq ' POST /v1/check 200 [0-9]+ [0-9.]+ -$' "$state/access.log" || fail "no access log line"
ok "access log written by the system user"
$SUDO kill -TERM $srv
rc=0; wait $srv || rc=$?
assert_eq "installed server stops cleanly" 0 "$rc"

# The packaged Nova filter is importable by Debian's Python.
(cd / && python3 -c 'import vfio_compat_nova.filter as f; print(f.__file__)') >"$T/nova.out" 2>&1 ||
    { cat "$T/nova.out"; fail "import vfio_compat_nova"; }
assert_eq "packaged filter" /usr/lib/python3/dist-packages/vfio_compat_nova/filter.py "$(cat "$T/nova.out")"

# And from the tree, offline, as clients/nova/README.md says, into a
# venv that sees Debian's nova: no index, no build isolation. Its build
# leftovers are what .gitignore ignores.
python3 -m venv --system-site-packages "$T/venv"
"$T/venv/bin/pip" install --no-index --no-build-isolation --no-deps \
    "$src/clients/nova" >"$T/pip.log" 2>&1 || { cat "$T/pip.log"; fail "offline pip install"; }
(cd / && "$T/venv/bin/python" -c 'import vfio_compat_nova.filter as f; print(f.__file__)') |
    grep -q "^$T/venv/" || fail "the venv does not use the pip-installed filter"
ok "offline pip install --no-build-isolation"
n=0
for left in $(cd "$src" && ls -d clients/nova/build clients/nova/*.egg-info 2>/dev/null); do
	git -C "$top_srcdir" check-ignore -q "$left/" || fail "$left is not ignored"
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "pip left no build directory to check"
ok "pip leftovers ($n) are ignored"

$APT purge $PKGS >"$T/purge.log" 2>&1 || { cat "$T/purge.log"; fail "apt-get purge"; }
[ ! -e /usr/sbin/vfio-compatd ] && [ ! -e /etc/vfio-compat/tokens ] || fail "purge left files"
ok "purged"
