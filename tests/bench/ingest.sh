#!/bin/sh
# The ingest benchmark (make bench): deterministic Maildirs of
# BENCH_MESSAGES mails (20,000 by default) in two shapes, the default one
# (short threads of check-in replies) and --real (list mail, HTML-only
# newsletters, attachments, five charsets, long threads: see
# gen-maildir.c), each imported by tidings on /dev/shm and on the disk the
# build tree is on (BENCH_DISK_DIR, by default a directory under
# bench-build/), where commits wait for the disk.  Beside each, the floor
# measured in the same run: GMime parsing the same files, nothing stored,
# and GMime parsing them and decoding their text parts ("walk").  Prints
# rates, ratios to the floors, peak memory, the processor time per mail
# of the floor and of the import (microseconds, user and system, summed
# over the threads) and where the import's time went (import --stats),
# the best of BENCH_RUNS runs; the peak memory of
# one import of BENCH_LARGE mails of each shape too (100,000 unless set;
# empty: none), when the memory directory has room for it; and, when
# installed, notmuch and mu indexing the default
# Maildir.  Nothing is asserted: speed is read from the table.  The
# programs measured are make bench's optimised build without sanitizers,
# in bench-build/; a build with sanitizers is measured only with a
# warning, as its speed says little.
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
runs=${BENCH_RUNS:-5}
large=${BENCH_LARGE-100000}

# A fresh directory each run: creating many files right after deleting as
# many in the same ext4 tree is slow, and would measure the file system.
# In memory (/dev/shm, else BENCH_DIR or TMPDIR), and on the disk.
mem=${BENCH_DIR:-}
if [ -z "$mem" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then mem=/dev/shm; else mem=${TMPDIR:-/tmp}; fi
fi
disk=${BENCH_DISK_DIR:-$(dirname "$TIDINGS")/..}
mkdir -p "$disk"
disk=$(cd "$disk" && pwd)
works=
cleanup() {
	for w in $works; do rm -rf "$w"; done
}
trap cleanup EXIT INT TERM

# measure DIR NAME CMD...: "seconds peak-KiB processor-seconds" of CMD
# (processor: user and system, 0 when unknown), output kept
measure() {
	dir=$1 name=$2
	shift 2
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M %U %S' -o "$dir/$name.time" "$@" >"$dir/$name.out" 2>"$dir/$name.err" ||
			{ echo "$name failed:" >&2; tail -5 "$dir/$name.err" >&2; return 1; }
		awk '{ print $1, $2, $3 + $4 }' "$dir/$name.time"
	else
		s=$(date +%s.%N)
		"$@" >"$dir/$name.out" 2>"$dir/$name.err" || return 1
		e=$(date +%s.%N)
		awk -v s="$s" -v e="$e" 'BEGIN { print e - s, 0, 0 }'
	fi
}

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

report=$(mktemp -d "$mem/tidings-bench-report.XXXXXX")
works="$report"

# bench SHAPE WHERE BASE: generates SHAPE's Maildir under BASE, measures
# the floors and the import, best of RUNS, and adds a line to the table
# and the import's breakdown to the report.
bench() {
	shape=$1 where=$2 base=$3
	work=$(mktemp -d "$base/tidings-bench.XXXXXX")
	works="$works $work"
	if [ "$shape" = real ]; then flag=--real; else flag=; fi
	# shellcheck disable=SC2086
	"$BENCH_BIN/gen-maildir" $flag "$work/Maildir" "$n"
	size=$(du -sm "$work/Maildir" | cut -f1)
	# Each is run RUNS times, the floors and the import in turn, and the
	# fastest run of each is reported: a machine shared with others is
	# slowed now and then, never sped up.
	floor_s= walk_s= best_s= best_k= best_c=
	for r in $(seq "$runs"); do
		floor_s=$(min "$floor_s" "$("$BENCH_BIN/parse-floor" "$work/Maildir" | awk '{print $3}')")
		walk_s=$(min "$walk_s" "$("$BENCH_BIN/parse-floor" --walk "$work/Maildir" | awk '{print $3}')")
		rm -f "$work/tidings.db" "$work/tidings.db-wal" "$work/tidings.db-shm"
		set -- $(measure "$work" import "$TIDINGS" --db "$work/tidings.db" import --stats \
			--maildir "$work/Maildir")
		if [ -z "$best_s" ] || awk -v a="$1" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
			best_s=$1 best_k=$2
			cp "$work/import.out" "$work/import.best"
		fi
		# The processor time is what the import cost, the least of
		# the runs: others on the machine add to it less than to the
		# time it took, but they do.
		best_c=$(min "$best_c" "$3")
	done
	awk -v shape="$shape" -v w="$where" -v n="$n" -v mb="$size" -v f="$floor_s" \
	    -v wk="$walk_s" -v s="$best_s" -v k="$best_k" -v c="$best_c" 'BEGIN {
		r = n / s
		m = (k > 0) ? sprintf("%.0f MiB", k / 1024) : "-"
		printf "%-8s %-9s %7d %6d %8.0f %8.0f %8.0f %7.0f%% %7.0f%% %9s %6.0f %6.0f\n",
		    shape, w, n, mb, n / f, n / wk, r, 100 * r / (n / f),
		    100 * r / (n / wk), m, 1e6 * f / n, 1e6 * c / n
	}' >>"$report/table"
	{
		echo "$shape on $where ($work):"
		sed -n '1p' "$work/import.best"
		sed -n '/^time: /,$p' "$work/import.best"
		echo
	} | sed 's/^/  /' >>"$report/stages"
	if [ "$shape" = default ] && [ "$where" = memory ]; then
		cp -r "$work/Maildir" "$report/Maildir"
	fi
	if [ "$where" = memory ]; then
		echo "$size" >"$report/size-$shape"
	fi
	rm -rf "$work"
}

echo "ingest benchmark: $n mails a shape, best of $runs runs; memory is $mem, disk $disk"
for shape in default real; do
	bench "$shape" memory "$mem"
	bench "$shape" disk "$disk"
done

# Peak memory at a larger size, once: it must not grow with the mailbox.
if [ -n "$large" ]; then
	for shape in default real; do
		# The Maildir and the database, each about the size of the
		# mail, with room to spare.
		need=$(awk -v s="$(cat "$report/size-$shape")" -v n="$n" \
		    -v l="$large" 'BEGIN { printf "%d", 3 * s * l / n }')
		free=$(df -Pm "$mem" | awk 'NR == 2 { print $4 }')
		if [ "$free" -lt "$need" ]; then
			printf '%-8s %-9s %7d   skipped: needs %d MiB in %s, %d free\n' \
			    "$shape" memory "$large" "$need" "$mem" "$free" >>"$report/table"
			continue
		fi
		work=$(mktemp -d "$mem/tidings-bench.XXXXXX")
		works="$works $work"
		if [ "$shape" = real ]; then flag=--real; else flag=; fi
		# shellcheck disable=SC2086
		"$BENCH_BIN/gen-maildir" $flag "$work/Maildir" "$large"
		set -- $(measure "$work" import "$TIDINGS" --db "$work/tidings.db" import \
			--maildir "$work/Maildir")
		awk -v shape="$shape" -v n="$large" -v s="$1" -v k="$2" 'BEGIN {
			printf "%-8s %-9s %7d %6s %8s %8s %8.0f %8s %8s %9s\n",
			    shape, "memory", n, "-", "-", "-", n / s, "-", "-",
			    sprintf("%.0f MiB", k / 1024)
		}' >>"$report/table"
		rm -rf "$work"
	done
fi

echo
echo "tidings ingest benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-9s %7s %6s %8s %8s %8s %8s %8s %9s %6s %6s\n' shape on mails MiB \
	"floor/s" "walk/s" "mails/s" "of floor" "of walk" "peak RSS" "floor" "cpu"
cat "$report/table"
echo
echo "where the time went (import --stats of the best run; seconds summed over"
echo "the threads that spent them):"
cat "$report/stages"

row() {	# row WHAT SECONDS PEAK-KIB
	awk -v w="$1" -v n="$n" -v s="$2" -v k="$3" 'BEGIN {
		m = (k > 0) ? sprintf("%.0f MiB", k / 1024) : "-"
		printf "%-28s %10.0f mails/s %10.1f s %11s\n", w, n / s, s, m
	}'
}
if command -v notmuch >/dev/null 2>&1; then
	printf '[database]\npath=%s\n[new]\ntags=\n' "$report/Maildir" >"$report/notmuch.conf"
	set -- $(NOTMUCH_CONFIG="$report/notmuch.conf" measure "$report" notmuch notmuch new --quiet)
	row "notmuch new (default shape)" "$1" "$2"
else
	echo "notmuch: not installed"
fi
if command -v mu >/dev/null 2>&1; then
	mu init --quiet --muhome="$report/mu" --maildir="$report/Maildir" >/dev/null 2>&1 || true
	set -- $(measure "$report" mu mu index --quiet --muhome="$report/mu")
	row "mu index (default shape)" "$1" "$2"
else
	echo "mu: not installed"
fi
