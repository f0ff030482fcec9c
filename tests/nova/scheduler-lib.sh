# SPDX-License-Identifier: Apache-2.0
# tests/nova/scheduler-lib.sh -- what test_scheduler.sh and
# test_scheduler_v11.sh share: a real vfio-compatd with tokens and the
# fleet of tests/nova/data/, a second one with --stale-after 3 that holds
# the host an evacuation leaves (tests/nova/moves/gpu-dead.json, stale
# by the time the tests run), nova's API, cell0 and cell1 databases
# made by nova-manage itself (SQLite files), and a nova.conf that
# enables VfioCompatFilter the way an operator does. Source it after
# tests/lib.sh; then call sched_run PYTHON-TEST-CLASS.

PY=/usr/bin/python3
[ -x "$VC_SERVER" ] || fail "server not built: $VC_SERVER"
"$PY" -c 'import nova.scheduler.host_manager, nova.cmd.manage' ||
    fail "nova is not importable by $PY (Debian package python3-nova)"
command -v curl >/dev/null || fail "curl is missing (Debian package curl)"
export PYTHONDONTWRITEBYTECODE=1

sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
admin=nova-sched-admin-token
reader=nova-sched-reader-token
printf '%s admin *\n%s reader *\n' "$(sha $admin)" "$(sha $reader)" \
    >"$T/tokens"
printf '%s\n' "$reader" >"$T/reader.token"
printf '%s\n' "$admin" >"$T/admin.token"

# sched_server NAME [ARGS...]: start a server, wait until it answers;
# sets ${NAME}_url.
sched_server() {
	local name=$1 port pid i
	shift
	port=$(free_port)
	"$VC_SERVER" --listen "127.0.0.1:$port" --db "$T/$name.db" \
	    --tokens "$T/tokens" "$@" >"$T/$name.log" 2>&1 &
	pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null || true"
	i=0
	until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
		kill -0 $pid 2>/dev/null ||
		    { cat "$T/$name.log" >&2; fail "$name server died"; }
		i=$((i + 1))
		[ $i -le 300 ] || fail "$name server not up within 30 s"
		sleep 0.1
	done
	eval "${name}_url=http://127.0.0.1:$port"
}

# sched_put URL FILE: store one fixture, stamped now.
sched_put() {
	local host code now
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	host=$(sed -n 's/^  "host": "\(.*\)",$/\1/p' "$2")
	sed "s/\"collected_at\": \"[^\"]*\"/\"collected_at\": \"$now\"/" "$2" \
	    >"$T/inv.json"
	code=$(curl -s -o "$T/put.out" -w '%{http_code}' -X PUT \
	    -H "Authorization: Bearer $admin" \
	    -H 'Content-Type: application/json' \
	    --data-binary @"$T/inv.json" "$1/v1/hosts/$host/inventory")
	[ "$code" = 200 ] || fail "PUT $host: HTTP $code $(cat "$T/put.out")"
}

sched_server main
for f in "$top_srcdir"/tests/nova/data/*.json; do
	sched_put "$main_url" "$f"
done
sched_server evac --stale-after 3
sched_put "$evac_url" "$top_srcdir/tests/nova/moves/gpu-dead.json"
ok "fleets loaded"

# nova's databases, made the way an operator makes them.
nova_manage() {
	"$PY" -c 'import sys; sys.argv[0] = "nova-manage"
from nova.cmd import manage; sys.exit(manage.main())' \
	    --config-file "$T/nova.conf" "$@" >>"$T/nova-manage.log" 2>&1 ||
	    { tail -n 30 "$T/nova-manage.log" >&2; fail "nova-manage $*"; }
}
cat >"$T/nova.conf" <<EOF
[DEFAULT]
transport_url = fake:/
state_path = $T
use_stderr = true

[api_database]
connection = sqlite:///$T/nova_api.db

[database]
connection = sqlite:///$T/nova_cell1.db

[filter_scheduler]
available_filters = nova.scheduler.filters.all_filters
available_filters = vfio_compat_nova.filter.VfioCompatFilter
enabled_filters = VfioCompatFilter
track_instance_changes = false

[vfio_compat]
url = $main_url
token_file = $T/reader.token
timeout = 5
on_error = fail
host_suffix = .example.org
EOF
nova_manage api_db sync
nova_manage cell_v2 map_cell0 --database_connection "sqlite:///$T/nova_cell0.db"
nova_manage db sync
nova_manage cell_v2 create_cell --name cell1
ok "nova databases"

# sched_run CLASS: the tests of tests/nova/test_scheduler.py in CLASS.
sched_run() {
	PYTHONWARNINGS=ignore::DeprecationWarning VC_NOVA_CONF=$T/nova.conf VC_URL=$main_url VC_EVAC_URL=$evac_url \
	VC_ADMIN_TOKEN=$T/admin.token VC_DATA=$top_srcdir/tests/nova \
	PYTHONPATH="$top_srcdir/clients/nova${PYTHONPATH:+:$PYTHONPATH}" \
	    "$PY" "$top_srcdir/tests/nova/test_scheduler.py" -v "$1" ||
	    { tail -n 30 "$T/main.log" "$T/evac.log" >&2; fail "$1"; }
	ok "$1"
}
