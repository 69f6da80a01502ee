#!/bin/bash
# pg-run.sh PROGRAM [ARG...]: runs a unit test program with a throwaway
# PostgreSQL cluster (tests/pg.sh), its URI in TIDINGS_TEST_PG, so that the
# program's PostgreSQL cases run beside its SQLite ones.  Where PostgreSQL
# cannot run, the program runs without it and skips those cases.

. "$(dirname "$0")/../pg.sh"

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
