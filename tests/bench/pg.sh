#!/bin/bash
# The PostgreSQL benchmark (make bench): the same work stored in SQLite and
# in PostgreSQL in the same run, the ratio printed.
#   import  the ingest benchmark's corpus (PG_BENCH_MESSAGES mails, 20,000
#           by default), imported into a new SQLite file and into a new
#           PostgreSQL database, the best of BENCH_RUNS (5) each;
#   load    tests/bench/load.sh (LOAD_MESSAGES replies through Postfix and
#           Dovecot) with one tidings run on SQLite, one on PostgreSQL, and
#           two on PostgreSQL.
# The PostgreSQL cluster is a throwaway one (tests/pg.sh), on a Unix socket
# in the same directory as the SQLite file, and durable as a server is
# run (fsync on).  Nothing is asserted.
set -u

: "${TIDINGS:=bench-build/src/tidings}"
: "${BENCH_BIN:=bench-build/tests/bench}"
: "${TOP_SRCDIR:=.}"

. "$TOP_SRCDIR/tests/pg.sh"
if ! reason=$(pg_available); then
	echo "PostgreSQL benchmark: skipped: $reason"
	exit 0
fi
for bin in "$TIDINGS" "$BENCH_BIN/gen-maildir"; do
	[ -x "$bin" ] || { echo "PostgreSQL benchmark: $bin is not built (make bench builds it)"; exit 1; }
done
if ldd "$TIDINGS" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	echo "PostgreSQL benchmark: warning: $TIDINGS is built with sanitizers"
fi

n=${PG_BENCH_MESSAGES:-20000}
runs=${BENCH_RUNS:-5}
base=${BENCH_DIR:-}
if [ -z "$base" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
fi
work=$(mktemp -d "$base/tidings-bench-pg.XXXXXX")
cleanup() {
	pg_stop
	rm -rf "$work"
}
trap cleanup EXIT
PG_DURABLE=1 pg_start "$work/pg" || { echo "PostgreSQL benchmark: the cluster did not start"; exit 1; }
# pg_start made pg_stop the EXIT trap.
trap cleanup EXIT

# seconds CMD...: the seconds CMD took (its output in $work/last.out), or
# nothing when it failed.
seconds() {
	local s e
	s=$EPOCHREALTIME
	"$@" >"$work/last.out" 2>&1 || { tail -3 "$work/last.out" >&2; return 1; }
	e=$EPOCHREALTIME
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'
}
faster() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(b == "" || a < b) }'; }

echo "generating $n mails..."
"$BENCH_BIN/gen-maildir" "$work/Maildir" "$n" || exit 1

lite= pg=
for r in $(seq "$runs"); do
	rm -f "$work"/tidings.db*
	s=$(seconds "$TIDINGS" --db "$work/tidings.db" import --maildir "$work/Maildir") || exit 1
	faster "$s" "$lite" && lite=$s
	uri=$(pg_createdb "import$r") || exit 1
	s=$(seconds "$TIDINGS" --db "$uri" import --maildir "$work/Maildir") || exit 1
	faster "$s" "$pg" && pg=$s
done

echo
echo "tidings on PostgreSQL: import of $n mails, best of $runs runs, $(nproc) cores, in $base"
printf '%-36s %10s %10s %12s\n' "" "mails/s" "seconds" "of SQLite"
row() {	# row WHAT SECONDS SQLITE-SECONDS
	awk -v w="$1" -v n="$n" -v s="$2" -v l="$3" 'BEGIN {
		printf "%-36s %10.0f %10.1f %11.0f%%\n", w, n / s, s, 100 * l / s
	}'
}
row "import into SQLite" "$lite" "$lite"
row "import into PostgreSQL" "$pg" "$lite"

# --- the load: one tidings run on SQLite, one and two on PostgreSQL ------
. "$TOP_SRCDIR/tests/integration/mailstack.sh"
if ! reason=$(mailstack_available); then
	echo "load on PostgreSQL: skipped: $reason"
	exit 0
fi
m=${LOAD_MESSAGES:-10000}
load() {	# load LABEL [DATABASE PROCESSES]: the load benchmark's rate
	local out="$work/load-$1.out" rate
	LOAD_DATABASE=${2:-} LOAD_PROCESSES=${3:-1} LOAD_MESSAGES=$m \
		TIDINGS=$TIDINGS TOP_SRCDIR=$TOP_SRCDIR \
		bash "$TOP_SRCDIR/tests/bench/load.sh" >"$out" 2>&1
	rate=$(sed -n 's/^all stored by tidings, from the first one *\([0-9.]*\) s.*/\1/p' "$out")
	grep '^stored ' "$out" | sed "s/^/  $1: /" >&2
	echo "$rate"
}
echo
echo "load: $m replies through Postfix into Dovecot, each stored by tidings run..."
l1=$(load sqlite)
p1=$(load pg1 "$(pg_createdb load1)" 1)
p2=$(load pg2 "$(pg_createdb load2)" 2)
echo
echo "tidings on PostgreSQL: the load of $m replies, $(nproc) cores"
printf '%-36s %10s %10s %12s\n' "" "mails/s" "seconds" "of SQLite"
lrow() {	# lrow WHAT SECONDS
	if [ -z "$2" ] || [ -z "$l1" ]; then
		printf '%-36s %10s\n' "$1" "not all stored (see load.sh)"
		return
	fi
	awk -v w="$1" -v n="$m" -v s="$2" -v l="$l1" 'BEGIN {
		printf "%-36s %10.0f %10.1f %11.0f%%\n", w, n / s, s, 100 * l / s
	}'
}
lrow "1 tidings run on SQLite" "$l1"
lrow "1 tidings run on PostgreSQL" "$p1"
lrow "2 tidings run on PostgreSQL" "$p2"
