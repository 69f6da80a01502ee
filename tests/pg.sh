# A throwaway PostgreSQL cluster for tests: Debian's server binaries,
# initdb'd in a directory of the test's, listening on a Unix socket in that
# directory only (no TCP at all), always stopped and removed.  Sourced by
# test scripts (after lib.sh, or alone, as tests/unit/pg-run.sh does);
# needs bash.
#
# Functions
#   pg_available        0 when a cluster can run here; otherwise prints the
#                       reason on stdout and returns 1 (for skip_all);
#                       TIDINGS_TESTS_NO_PG set says it is not wanted
#   pg_start DIR        makes DIR (created if missing), initdb's a cluster
#                       in DIR/data, starts it with its socket in DIR and
#                       fsync off (on, as a server is run, when PG_DURABLE
#                       is set: benchmarks), creates the database
#                       "tidings", exports
#                       TIDINGS_PG_URI, and registers pg_stop to run at exit
#                       (lib.sh's tap_at_exit, else the EXIT trap); a guard
#                       process stops the server should the shell die
#                       without its trap (SIGKILL)
#   pg_stop             stops the server at once (-m immediate) and removes
#                       DIR; idempotent
#   pg_server_stop      stops the server (a fast shutdown), keeping the
#                       cluster: the database cannot be reached until
#   pg_server_start     starts the same cluster again, on the same socket
#   pg_createdb NAME    a further empty database; prints its URI
#   pg_psql ARG...      psql on $TIDINGS_PG_URI with ARGs (-c SQL, -f FILE),
#                       stopping at the first error; rows unaligned, tuples
#                       only
#   pg_logs [LINES]     the tail of the server's log, as TAP diagnostics
#
# Variables exported by pg_start
#   PG_DIR              the cluster's directory (DIR)
#   TIDINGS_PG_URI      postgresql:///tidings?host=DIR&user=tidings
#
# As root (CI runs the tests as root, and initdb refuses root), the server
# runs as the "postgres" user Debian's package creates, else as "nobody";
# DIR and its parents are made traversable for it.

# shellcheck shell=bash

_pg_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
_pg_dir=
_pg_bin=

# The newest installed server's binaries: /usr/lib/postgresql/N/bin.
_pg_find_bin() {
	local d best= n bestn=0
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || continue
		n=${d#/usr/lib/postgresql/}
		n=${n%%/*}
		case $n in *[!0-9]*) continue ;; esac
		if [ "$n" -gt "$bestn" ]; then
			bestn=$n
			best=$d
		fi
	done
	[ -n "$best" ] || return 1
	echo "$best"
}

# The user the server runs as: ourselves, unless we are root.
_pg_user() {
	if [ "$(id -u)" -ne 0 ]; then
		id -un
	elif getent passwd postgres >/dev/null; then
		echo postgres
	else
		echo nobody
	fi
}

# _pg_as CMD...: runs CMD as the server's user.
_pg_as() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
	else
		runuser -u "$(_pg_user)" -- "$@"
	fi
}

pg_available() {
	if [ -n "${TIDINGS_TESTS_NO_PG:-}" ]; then
		echo "PostgreSQL is not wanted in this run (TIDINGS_TESTS_NO_PG)"
		return 1
	fi
	if ! _pg_find_bin >/dev/null; then
		echo "the PostgreSQL server is not installed (apt-get install postgresql)"
		return 1
	fi
	if ! command -v psql >/dev/null 2>&1; then
		echo "psql is not installed (apt-get install postgresql-client)"
		return 1
	fi
	if [ "$(id -u)" -eq 0 ] && ! command -v runuser >/dev/null 2>&1; then
		echo "runuser is missing, and initdb will not run as root"
		return 1
	fi
	return 0
}

# Makes DIR and its parents traversable by the server's user: mktemp -d
# makes directories of mode 0700.
_pg_make_reachable() {
	local d=$1
	[ "$(id -u)" -eq 0 ] || return 0
	while [ -n "$d" ] && [ "$d" != / ]; do
		if [ "$(($(stat -c '0%a' "$d") & 1))" -eq 0 ]; then
			chmod o+x "$d" || return 1
		fi
		d=$(dirname "$d")
	done
}

# _pg_guard SHELL_PID DIR BIN: waits until the test shell has gone, then
# stops the cluster in DIR, should it still run, and removes DIR.
_pg_guard() {
	local shell=$1 dir=$2 bin=$3
	while kill -0 "$shell" 2>/dev/null; do
		sleep 0.2
	done
	if [ -f "$dir/data/postmaster.pid" ]; then
		_pg_as "$bin/pg_ctl" -D "$dir/data" stop -m immediate -w \
			>/dev/null 2>&1
	fi
	rm -rf "$dir"
}

pg_start() {
	local dir=$1 user
	_pg_bin=$(_pg_find_bin) || { echo "pg.sh: no PostgreSQL server" >&2; return 1; }
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd)
	_pg_dir=$dir
	user=$(_pg_user)
	_pg_make_reachable "$dir" || return 1
	mkdir -p "$dir/data" && chmod 0700 "$dir/data" || return 1
	if [ "$(id -u)" -eq 0 ]; then
		chown "$user" "$dir" "$dir/data" || return 1
	fi
	if [ -n "${tap_cleanup_hooks+set}" ] && command -v tap_at_exit >/dev/null; then
		tap_at_exit pg_stop
	else
		trap pg_stop EXIT
	fi
	# shellcheck disable=SC2016 # expanded by the new shell
	(setsid bash -c '. "$1" && _pg_guard "$2" "$3" "$4"' pg-guard \
		"$_pg_lib" "$$" "$dir" "$_pg_bin" </dev/null >/dev/null 2>&1 &)
	if ! _pg_as "$_pg_bin/initdb" -D "$dir/data" -U tidings -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
		echo "pg.sh: initdb failed:" >&2
		sed 's/^/# /' "$dir/initdb.log" >&2
		return 1
	fi
	local sync=off
	[ -n "${PG_DURABLE:-}" ] && sync=on
	cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = $sync
synchronous_commit = $sync
full_page_writes = $sync
max_connections = 40
shared_buffers = 16MB
log_min_messages = warning
EOF
	if ! _pg_as "$_pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
		-w -t 60 start >/dev/null 2>&1; then
		echo "pg.sh: the server did not start:" >&2
		pg_logs >&2
		return 1
	fi
	TIDINGS_PG_URI="postgresql:///tidings?host=$dir&user=tidings"
	PG_DIR=$dir
	export TIDINGS_PG_URI PG_DIR
	psql "postgresql:///postgres?host=$dir&user=tidings" -q \
		-v ON_ERROR_STOP=1 -c 'CREATE DATABASE tidings' >/dev/null
}

pg_stop() {
	[ -n "$_pg_dir" ] || return 0
	if [ -f "$_pg_dir/data/postmaster.pid" ]; then
		_pg_as "$_pg_bin/pg_ctl" -D "$_pg_dir/data" stop -m immediate \
			-w >/dev/null 2>&1
	fi
	rm -rf "$_pg_dir"
	_pg_dir=
}

pg_server_stop() {
	[ -n "$_pg_dir" ] || return 1
	_pg_as "$_pg_bin/pg_ctl" -D "$_pg_dir/data" stop -m fast -w \
		>/dev/null 2>&1
}

pg_server_start() {
	[ -n "$_pg_dir" ] || return 1
	if ! _pg_as "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/server.log" \
		-w -t 60 start >/dev/null 2>&1; then
		echo "pg.sh: the server did not start again:" >&2
		pg_logs >&2
		return 1
	fi
}

pg_createdb() {
	psql "$TIDINGS_PG_URI" -q -v ON_ERROR_STOP=1 \
		-c "CREATE DATABASE \"$1\"" >/dev/null || return 1
	echo "postgresql:///$1?host=$PG_DIR&user=tidings"
}

pg_psql() {
	psql "$TIDINGS_PG_URI" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

pg_logs() {
	[ -n "$_pg_dir" ] && [ -f "$_pg_dir/server.log" ] || return 0
	tail -n "${1:-20}" "$_pg_dir/server.log" | sed 's/^/# /'
}
