#!/bin/bash
# The IMAP benchmark (make bench, as root): the generated Maildir served by
# the harness's Dovecot on loopback, and in the same run
#   - the floor: a raw batched UID FETCH of the whole mailbox, nothing done
#     with the mail (tests/integration/imap-probe);
#   - tidings import of the same Maildir;
#   - tidings run --once: the first sync of the mailbox.
# Prints rates, the sync's ratio to the import, peak memory, and the
# processor time and page faults of each per mail.  Nothing is asserted.
# The programs measured are make bench's optimised build without
# sanitizers, in bench-build/; a build with sanitizers is measured only
# with a warning, as its speed says little.
set -u

: "${TIDINGS:=bench-build/src/tidings}"
: "${BENCH_BIN:=bench-build/tests/bench}"
: "${PROBE:=bench-build/tests/integration/imap-probe}"
: "${TOP_SRCDIR:=.}"
n=${BENCH_MESSAGES:-20000}

. "$TOP_SRCDIR/tests/integration/mailstack.sh"
if ! reason=$(mailstack_available); then
	echo "imap benchmark: skipped: $reason"
	exit 0
fi
check_built() {	# check_built PROGRAM...
	for bin in "$@"; do
		[ -x "$bin" ] || { echo "imap benchmark: $bin is not built (make bench builds it)"; exit 1; }
		if ldd "$bin" 2>/dev/null | grep -q 'libasan\|libubsan'; then
			echo "imap benchmark: warning: $bin is built with sanitizers"
		fi
	done
}
check_built "$TIDINGS" "$BENCH_BIN/gen-maildir" "$PROBE"

work=$(mktemp -d "${TMPDIR:-/tmp}/tidings-bench-imap.XXXXXX")
trap 'mailstack_stop; rm -rf "$work"' EXIT
mailstack_add_user bench secret
mailstack_start "$work/stack" >/dev/null || { echo "imap benchmark: no mail stack"; exit 1; }
# mailstack_start, outside lib.sh, makes mailstack_stop the EXIT trap.
trap 'mailstack_stop; rm -rf "$work"' EXIT
maildir="$MAILSTACK_DIR/mail/bench/Maildir"

echo "generating $n mails into the bench user's Maildir..."
rm -rf "$maildir"
"$BENCH_BIN/gen-maildir" "$maildir" "$n"
chown -R vmail:vmail "$maildir"
size=$(du -sm "$maildir" | cut -f1)
printf 'secret\n' >"$work/password"
chmod 600 "$work/password"
probe=("$PROBE" --port "$IMAP_PORT" --security none --user bench
    --password-file "$work/password")
# Dovecot indexes a new Maildir on the first SELECT: not measured.
"${probe[@]}" select >/dev/null

# measure NAME CMD...: "seconds peak-KiB processor-seconds minor-faults";
# the processor time (user and system) and the page faults say what the
# program cost, which a machine shared with others changes less than the
# time it took.
measure() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M %U %S %R' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" ||
		{ echo "$name failed:" >&2; tail -5 "$work/$name.err" >&2; echo "0 0 0 0"; return; }
	awk '{ print $1, $2, $3 + $4, $5 }' "$work/$name.time"
}

read -r raw_s raw_k raw_c raw_f < <(measure fetch "${probe[@]}" fetch --batch 100)
read -r imp_s imp_k imp_c imp_f < <(measure import "$TIDINGS" --db "$work/import.db" import --maildir "$maildir")
printf '[tidings]\naddress = bench@%s\ndatabase = %s\n[imap]\nhost = 127.0.0.1\nport = %s\nsecurity = none\nuser = bench\npassword-file = %s\n' \
	"$MAIL_DOMAIN" "$work/sync.db" "$IMAP_PORT" "$work/password" >"$work/tidings.conf"
read -r sync_s sync_k sync_c sync_f < <(measure sync "$TIDINGS" --config "$work/tidings.conf" run --once)
stored=$(sqlite3 -readonly "$work/sync.db" 'SELECT count(*) FROM messages' 2>/dev/null || echo "?")

echo
echo "tidings IMAP benchmark: $n mails, $size MiB, Dovecot on loopback, $(nproc) cores"
awk -v n="$n" -v rs="$raw_s" -v rk="$raw_k" -v rc="$raw_c" -v rf="$raw_f" \
    -v is="$imp_s" -v ik="$imp_k" -v ic="$imp_c" -v if_="$imp_f" \
    -v ss="$sync_s" -v sk="$sync_k" -v sc="$sync_c" -v sf="$sync_f" 'BEGIN {
	printf "%-32s %8s %8s %9s %9s %9s\n", "", "mails/s", "seconds", "peak RSS",
	    "cpu us/m", "faults/m"
	row("floor: raw batched UID FETCH", rs, rk, rc, rf)
	row("tidings import (Maildir)", is, ik, ic, if_); ir = r
	row("tidings run --once (IMAP sync)", ss, sk, sc, sf)
	if (ir > 0) printf "sync / import: %.0f%%\n", 100 * r / ir
}
function row(what, s, k, c, f) {
	r = (s > 0) ? n / s : 0
	printf "%-32s %8.0f %8.1f %5.0f MiB %9.0f %9.1f\n", what, r, s,
	    k / 1024, 1e6 * c / n, f / n
}'
echo "mails stored by the sync: $stored"
