# The database an integration test runs on: SQLite (a file in the test's
# directory, the default) or, with TIDINGS_TEST_BACKEND=postgresql in the
# environment, a throwaway PostgreSQL cluster started in the test's
# directory (tests/pg.sh) and always stopped.  Sourced after ../lib.sh;
# needs bash.  "make check" runs the tests that touch the store once on
# each: X.pg names the PostgreSQL run of X.sh (see Makefile.am).
#
# Functions
#   backend_pg            0 when this run is on PostgreSQL
#   backend_available     0 when the backend can run here; otherwise prints
#                         the reason on stdout and returns 1 (for skip_all):
#                         sqlite3 for SQLite, the server and psql for
#                         PostgreSQL
#   backend_db VAR FILE   sets VAR to the database to write after
#                         "database =": FILE on SQLite; on PostgreSQL the URI
#                         of a database of its own per FILE (the cluster
#                         started at the first call, in $TEST_DIR/pg, and
#                         stopped at exit); bails out when it cannot.  Not
#                         in a $(...): the cluster must be the test shell's
#   backend_sql DB QUERY  QUERY on DB (as backend_db gave it), read-only on
#                         SQLite; rows one a line, columns separated by |,
#                         NULL as an empty string, errors on stderr
#   sql_hex EXPR          the SQL for a blob column as hexadecimal, in
#                         either dialect
#   sql_time EXPR         the SQL for a Unix time as "YYYY-MM-DD HH:MM:SS"
#                         in UTC, in either dialect
#
# Variables
#   TEST_BACKEND          sqlite or postgresql

# shellcheck shell=bash

TEST_BACKEND=${TIDINGS_TEST_BACKEND:-sqlite}
case $TEST_BACKEND in
sqlite | postgresql) ;;
*) bail_out "TIDINGS_TEST_BACKEND is sqlite or postgresql, not $TEST_BACKEND" ;;
esac

. "$(dirname "${BASH_SOURCE[0]}")/../pg.sh"

_backend_dbs=()	# FILE URI pairs already made

backend_pg() { [ "$TEST_BACKEND" = postgresql ]; }

backend_available() {
	if backend_pg; then
		pg_available
		return
	fi
	if ! command -v sqlite3 >/dev/null 2>&1; then
		echo "sqlite3 is not installed"
		return 1
	fi
}

backend_db() {
	local var=$1 file=$2 i name uri
	if ! backend_pg; then
		printf -v "$var" '%s' "$file"
		return 0
	fi
	if [ -z "${PG_DIR:-}" ]; then
		pg_start "$TEST_DIR/pg" >&2 || bail_out "the PostgreSQL cluster did not start"
		_backend_dbs=("$file" "$TIDINGS_PG_URI")
	fi
	for ((i = 0; i < ${#_backend_dbs[@]}; i += 2)); do
		if [ "${_backend_dbs[i]}" = "$file" ]; then
			printf -v "$var" '%s' "${_backend_dbs[i + 1]}"
			return 0
		fi
	done
	name="t$((${#_backend_dbs[@]} / 2))"
	uri=$(pg_createdb "$name") || bail_out "cannot create the database $name"
	_backend_dbs+=("$file" "$uri")
	printf -v "$var" '%s' "$uri"
}

backend_sql() {
	case $1 in
	postgresql:* | postgres:*)
		psql "$1" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2"
		;;
	*)
		sqlite3 -readonly "$1" "$2"
		;;
	esac
}

sql_hex() {
	if backend_pg; then
		echo "encode($1, 'hex')"
	else
		echo "hex($1)"
	fi
}

sql_time() {
	if backend_pg; then
		echo "to_char(to_timestamp($1) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
	else
		echo "datetime($1, 'unixepoch')"
	fi
}
