#!/bin/bash
# The SMTP benchmark (make bench, as root): Postfix's smtp-sink on a
# loopback port, and in the same run
#   - the floor: Postfix's smtp-source sending N mails of the same size
#     over one connection (-d), then over BENCH_SMTP_CONNECTIONS (4) at
#     once (-s);
#   - tidings outbox --flush delivering N queued mails (queued beforehand
#     by tests/integration/outbox-probe, not measured) with [smtp]
#     connections as many.
# Prints messages per second and tidings' ratio to smtp-source for each,
# and where tidings' time went (outbox --flush --stats).  Nothing is
# asserted.
# The programs measured are make bench's optimised build without
# sanitizers, in bench-build/; a build with sanitizers is measured only
# with a warning, as its speed says little.
set -u

: "${TIDINGS:=bench-build/src/tidings}"
: "${OUTBOX_PROBE:=bench-build/tests/integration/outbox-probe}"
n=${BENCH_MAILS:-2000}
size=${BENCH_MAIL_SIZE:-4096}

for cmd in smtp-sink smtp-source ss; do
	if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
		echo "smtp benchmark: skipped: $cmd is not installed"
		exit 0
	fi
done
PATH="$PATH:/usr/sbin"
if [ "$(id -u)" -ne 0 ]; then
	echo "smtp benchmark: skipped: smtp-sink runs as root here (-u nobody)"
	exit 0
fi
check_built() {	# check_built PROGRAM...
	for bin in "$@"; do
		[ -x "$bin" ] || { echo "smtp benchmark: $bin is not built (make bench builds it)"; exit 1; }
		if ldd "$bin" 2>/dev/null | grep -q 'libasan\|libubsan'; then
			echo "smtp benchmark: warning: $bin is built with sanitizers"
		fi
	done
}
check_built "$TIDINGS" "$OUTBOX_PROBE"

work=$(mktemp -d "${TMPDIR:-/tmp}/tidings-bench-smtp.XXXXXX")
sink=
trap '[ -n "$sink" ] && kill "$sink" 2>/dev/null; rm -rf "$work"' EXIT

port=
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 12000))
	[ -z "$(ss -Htan "( sport = :$p )")" ] && { port=$p; break; }
done
[ -n "$port" ] || { echo "smtp benchmark: no free port"; exit 1; }
# A backlog of 100; it accepts everything and keeps nothing.
smtp-sink -u nobody 127.0.0.1:"$port" 100 &
sink=$!
for _ in $(seq 1 100); do
	[ -n "$(ss -Htln "( sport = :$port )")" ] && break
	sleep 0.05
done

# A mail of about $size bytes, in lines of 72 characters.
{
	printf 'From: tidings@example.test\nTo: bench@example.test\n'
	printf 'Subject: benchmark\nMessage-ID: <bench@example.test>\n\n'
	line=$(printf '%071d' 0 | tr 0 x)
	i=0
	while [ "$i" -lt $((size / 73)) ]; do
		printf '%s\n' "$line"
		i=$((i + 1))
	done
} >"$work/mail.eml"
bytes=$(wc -c <"$work/mail.eml")

now() { date +%s.%N; }
# run CONNECTIONS: smtp-source with that many sessions at once, then
# tidings outbox --flush with [smtp] connections as many, on N mails
# queued anew; prints a line of the table.
run() {
	local c=$1 db="$work/outbox-$1.db" t0 t1 t2 sent
	"$OUTBOX_PROBE" --many "$n" "$db" tidings@example.test \
		"$work/mail.eml" bench@example.test >/dev/null || { echo "outbox-probe failed" >&2; return 1; }
	printf '[tidings]\naddress = tidings@example.test\ndatabase = %s\n[smtp]\nhost = 127.0.0.1\nport = %s\nsecurity = none\nhelo = bench.test\nconnections = %s\n' \
		"$db" "$port" "$c" >"$work/tidings-$c.conf"
	t0=$(now)
	smtp-source -d -s "$c" -m "$n" -l "$bytes" -f tidings@example.test \
		-t bench@example.test -M bench.test 127.0.0.1:"$port" >"$work/source.out" 2>&1 ||
		{ echo "smtp-source failed:" >&2; tail -5 "$work/source.out" >&2; }
	t1=$(now)
	"$TIDINGS" --config "$work/tidings-$c.conf" outbox --flush --stats >"$work/flush.out" 2>"$work/flush.err" ||
		{ echo "tidings outbox --flush failed:" >&2; tail -5 "$work/flush.err" >&2; }
	t2=$(now)
	{ echo "  $c connection(s):"; sed -n 's/^/  /; /time:/,$p' "$work/flush.out"; } >>"$work/stats"
	sent=$(sqlite3 -readonly "$db" "SELECT count(*) FROM outbox WHERE state = 'sent'" 2>/dev/null || echo "?")
	awk -v c="$c" -v n="$n" -v a="$t0" -v b="$t1" -v e="$t2" -v sent="$sent" 'BEGIN {
		src = b - a; tid = e - b
		printf "  %2d  %8.0f  %8.0f  %6.2f  %s\n", c, n / src, n / tid, (n / tid) / (n / src), sent
	}'
}

conns=${BENCH_SMTP_CONNECTIONS:-4}
echo "sending $n mails of $bytes bytes over 1 and $conns connections..."
rows=$(run 1; [ "$conns" -gt 1 ] && run "$conns")

echo
echo "tidings SMTP benchmark: $n mails of $bytes bytes to smtp-sink on loopback, $(nproc) cores"
echo "  connections  smtp-source/s  tidings/s  tidings / smtp-source  sent"
printf '%s\n' "$rows" | awk '{ printf "  %11s  %13s  %9s  %21s  %s\n", $1, $2, $3, $4, $5 }'
echo
echo "where tidings' time went (outbox --flush --stats; the connections' summed over them):"
cat "$work/stats"
