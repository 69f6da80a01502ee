#!/bin/bash
# pg-run.sh PROGRAM [ARG...]: runs a unit test program with a throwaway
# PostgreSQL cluster (tests/pg.sh), its URI in TIDINGS_TEST_PG, so that the
# program's PostgreSQL cases run beside its SQLite ones.  Where PostgreSQL
# cannot run, the program runs without it and skips those cases.
#
# PROGRAM may be named by its run on PostgreSQL, tests/unit/pg/test-X.pg
# (as make check names it, TEST_EXTENSIONS in Makefile.am): the program
# is then tests/unit/test-X, and it runs with every store it opens
# on PostgreSQL (tests/unit/testdb.h); without a cluster it does not run
# at all, as its SQLite run is another test.

. "$(dirname "$0")/../pg.sh"

case $1 in
*.pg)
	program=$(dirname "$(dirname "$1")")/$(basename "$1" .pg)
	shift
	if ! reason=$(pg_available); then
		echo "1..0 # SKIP $reason"
		exit 0
	fi
	set -- "$program" "$@"
	;;
esac

if reason=$(pg_available); then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/tidings-pg.XXXXXX") || exit 1
	if ! pg_start "$dir/pg"; then
		rm -rf "$dir"
		echo "Bail out! the PostgreSQL cluster did not start"
		exit 1
	fi
	trap 'pg_stop; rm -rf "$dir"' EXIT
	TIDINGS_TEST_PG=$TIDINGS_PG_URI "$@"
	exit $?
else
	echo "# PostgreSQL cases skipped: $reason"
	exec "$@"
fi
