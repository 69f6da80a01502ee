#!/bin/sh
# The ingest benchmark (make bench): a deterministic Maildir of
# BENCH_MESSAGES mails (20,000 by default), imported by tidings, beside the
# floor measured in the same run (GMime parsing the same files, nothing
# stored) and, when installed, notmuch and mu indexing the same Maildir.
# Prints rates, ratios to the floor, and peak memory, the best of
# BENCH_RUNS runs.  Nothing is asserted: speed is read from the table.
# The programs measured are make bench's optimised build without
# sanitizers, in bench-build/; a build with sanitizers is measured only
# with a warning, as its speed says little.
set -eu

: "${TIDINGS:=bench-build/src/tidings}"
: "${BENCH_BIN:=bench-build/tests/bench}"
check_built() {	# check_built PROGRAM...
	for bin in "$@"; do
		[ -x "$bin" ] || { echo "ingest benchmark: $bin is not built (make bench builds it)"; exit 1; }
		if ldd "$bin" 2>/dev/null | grep -q 'libasan\|libubsan'; then
			echo "ingest benchmark: warning: $bin is built with sanitizers"
		fi
	done
}
check_built "$TIDINGS" "$BENCH_BIN/gen-maildir" "$BENCH_BIN/parse-floor"
n=${BENCH_MESSAGES:-20000}

# A fresh directory each run: creating many files right after deleting as
# many in the same ext4 tree is slow, and would measure the file system.
base=${BENCH_DIR:-}
if [ -z "$base" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
fi
work=$(mktemp -d "$base/tidings-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

measure() {	# measure NAME CMD...: "seconds peak-KiB" of CMD, output discarded
	name=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" ||
			{ echo "$name failed:"; tail -5 "$work/$name.err"; return 1; }
		cat "$work/$name.time"
	else
		s=$(date +%s.%N)
		"$@" >"$work/$name.out" 2>"$work/$name.err" || return 1
		e=$(date +%s.%N)
		awk -v s="$s" -v e="$e" 'BEGIN { print e - s, 0 }'
	fi
}

echo "generating $n mails..."
"$BENCH_BIN/gen-maildir" "$work/Maildir" "$n"
size=$(du -sm "$work/Maildir" | cut -f1)

# Each is run BENCH_RUNS times (5 by default), the floor and the import in
# turn, and the fastest run of each is reported: a machine shared with
# others is slowed now and then, never sped up.
runs=${BENCH_RUNS:-5}
floor_s=
best_s= best_k=
for r in $(seq "$runs"); do
	s=$("$BENCH_BIN/parse-floor" "$work/Maildir" | awk '{print $3}')
	floor_s=$(awk -v a="$floor_s" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
	rm -f "$work/tidings.db" "$work/tidings.db-wal" "$work/tidings.db-shm"
	set -- $(measure import "$TIDINGS" --db "$work/tidings.db" import --stats --maildir "$work/Maildir")
	if [ -z "$best_s" ] || awk -v a="$1" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
		best_s=$1 best_k=$2
		cp "$work/import.out" "$work/import.best"
	fi
done
floor_rate=$(awk -v n="$n" -v s="$floor_s" 'BEGIN { printf "%.0f", n / s }')

row() {	# row WHAT SECONDS PEAK-KIB
	awk -v w="$1" -v n="$n" -v s="$2" -v k="$3" -v f="$floor_rate" 'BEGIN {
		r = (s > 0) ? n / s : 0
		m = (k > 0) ? sprintf("%.0f MiB", k / 1024) : "-"
		printf "%-28s %10.0f %9.0f%% %10.1f %11s\n", w, r, 100 * r / f, s, m
	}'
}

echo
echo "tidings ingest benchmark: $n mails, $size MiB, $(nproc) cores, best of $runs runs"
printf '%-28s %10s %10s %10s %11s\n' "" "mails/s" "of floor" "seconds" "peak RSS"
row "floor: GMime parse only" "$floor_s" 0

row "tidings import" "$best_s" "$best_k"
sed -n '1p' "$work/import.best" | sed 's/^/  /'
echo "  where the time went (import --stats of that run):"
sed -n '/^time: /,$p' "$work/import.best" | sed 's/^/  /'

if command -v notmuch >/dev/null 2>&1; then
	printf '[database]\npath=%s\n[new]\ntags=\n' "$work/Maildir" >"$work/notmuch.conf"
	set -- $(NOTMUCH_CONFIG="$work/notmuch.conf" measure notmuch notmuch new --quiet)
	row "notmuch new" "$1" "$2"
else
	echo "notmuch: not installed"
fi
if command -v mu >/dev/null 2>&1; then
	mu init --quiet --muhome="$work/mu" --maildir="$work/Maildir" >/dev/null 2>&1 || true
	set -- $(measure mu mu index --quiet --muhome="$work/mu")
	row "mu index" "$1" "$2"
else
	echo "mu: not installed"
fi
