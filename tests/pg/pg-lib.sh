# SPDX-License-Identifier: Apache-2.0
# tests/pg/pg-lib.sh -- a real PostgreSQL server for one test.
#
# Source after tests/lib.sh. pg_start runs initdb and pg_ctl from the
# newest /usr/lib/postgresql/*/bin in $T/pg, listening on 127.0.0.1 only
# (no Unix socket) on a port chosen at run time, and sets PG_URI to a
# fresh database in it. As root (CI) the server runs as the system user
# vcpgtest, created when missing: PostgreSQL refuses to run as root.
# The server is stopped by its PID when the test exits. Without
# PostgreSQL the test is skipped (77), except in CI (CI=true), where
# that is a failure.
PG_BIN=""
PG_DATA="$T/pg/data"
PG_LOG="$T/pg/server.log"
PG_PORT=""
PG_PID=""
PG_URI=""
PG_USER=""

pg_find() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
		if [ "${CI:-}" = true ]; then
			fail "PostgreSQL missing: deploy/quickstart test installs postgresql"
		fi
		echo "SKIP: PostgreSQL missing (apt-get install postgresql); CI runs it" >&2
		exit 77
	fi
}

# pg_as CMD...: run a server-side command as the unprivileged owner.
pg_as() {
	if [ -n "$PG_USER" ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

pg_user() {
	[ "$(id -u)" -eq 0 ] || return 0
	PG_USER=vcpgtest
	if ! getent passwd "$PG_USER" >/dev/null; then
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "$PG_USER" 2>/dev/null ||
		    getent passwd "$PG_USER" >/dev/null ||
		    fail "cannot create the user $PG_USER for PostgreSQL"
	fi
	# The data directory lives under $T: let the owner reach it.
	chmod 711 "$T"
}

# pg_start: a new cluster and a database; sets PG_URI.
pg_start() {
	pg_find
	pg_user
	mkdir -p "$T/pg"
	[ -z "$PG_USER" ] || chown "$PG_USER" "$T/pg"
	pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U vc --auth=trust -E UTF8 \
	    --no-sync > "$T/pg/initdb.log" 2>&1 ||
	    { cat "$T/pg/initdb.log" >&2; fail "initdb failed"; }
	PG_PORT=$(free_port)
	pg_up
	"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U vc vfio_compat ||
	    fail "createdb failed"
	PG_URI="postgresql://vc@127.0.0.1:$PG_PORT/vfio_compat"
}

# pg_up: start the cluster (again) on $PG_PORT and wait for it.
pg_up() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
	    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c max_connections=200" \
	    start > "$T/pg/pg_ctl.log" 2>&1 ||
	    { cat "$T/pg/pg_ctl.log" "$PG_LOG" >&2; fail "PostgreSQL did not start"; }
	PG_PID=$(head -n 1 "$PG_DATA/postmaster.pid")
	case $PG_PID in ''|*[!0-9]*) fail "no PostgreSQL PID" ;; esac
	at_exit "pg_down"
}

# pg_down: fast shutdown by PID (SIGINT), bounded wait, then SIGKILL.
pg_down() {
	[ -n "$PG_PID" ] || return 0
	kill -INT "$PG_PID" 2>/dev/null || { PG_PID=""; return 0; }
	i=0
	while kill -0 "$PG_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$PG_PID" 2>/dev/null || true
	PG_PID=""
}

# psql_q SQL: one query's rows, unaligned, no headers.
psql_q() {
	"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$PG_URI" -c "$1"
}
