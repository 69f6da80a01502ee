#!/bin/bash
# The digest benchmark (make bench): a team of 1,000 members with 5,000
# answers (one in ten a blocker).  First the seconds digest_build() and
# digest_mail() take for each format (the target is under a second for
# build and mail together); then, with every member subscribed, the digest
# sent to all of them: tidings digest --send (build, one copy per
# subscriber queued in one transaction) and tidings outbox --flush to
# Postfix's smtp-sink on loopback, in messages per second, beside
# smtp-source sending as many mails of the same size to the same sink in
# the same run.  Each subscriber's copy leaves at 08:00 in one of 24
# zones: the send happens on a Saturday, the copies fall due across Monday
# around the world, and the flush runs once they all are (with a catch-up
# long enough to let them).  Nothing is asserted.
set -u

: "${DIGEST_BENCH:=tests/bench/digest-bench}"
: "${TIDINGS:=src/tidings}"
n=${BENCH_MEMBERS:-1000}
[ -x "$DIGEST_BENCH" ] || { echo "digest benchmark: skipped: $DIGEST_BENCH is not built"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tidings-bench-digest.XXXXXX")
sink=
trap '[ -n "$sink" ] && kill "$sink" 2>/dev/null; rm -rf "$work"' EXIT
"$DIGEST_BENCH" "$work" "$n" || exit 1

PATH="$PATH:/usr/sbin"
for cmd in smtp-sink smtp-source ss sqlite3; do
	command -v "$cmd" >/dev/null 2>&1 || { echo "digest sending: skipped: $cmd is not installed"; exit 0; }
done
[ "$(id -u)" -eq 0 ] || { echo "digest sending: skipped: smtp-sink runs as root here (-u nobody)"; exit 0; }
port=
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 12000))
	[ -z "$(ss -Htan "( sport = :$p )")" ] && { port=$p; break; }
done
[ -n "$port" ] || { echo "digest sending: no free port"; exit 1; }
smtp-sink -u nobody 127.0.0.1:"$port" 100 &
sink=$!
for _ in $(seq 1 100); do
	[ -n "$(ss -Htln "( sport = :$port )")" ] && break
	sleep 0.05
done

openssl rand -hex 32 >"$work/secret" && chmod 600 "$work/secret"
printf '[tidings]\naddress = bench@example.org\ndatabase = %s\nsecret-file = %s\n[digests]\ncatch-up = 3d\n[smtp]\nhost = 127.0.0.1\nport = %s\nsecurity = none\nhelo = bench.test\n' \
	"$work/bench.db" "$work/secret" "$port" >"$work/tidings.conf"
t() { TIDINGS_NOW=${when:-2026-03-28T09:00:00Z} "$TIDINGS" --config "$work/tidings.conf" "$@"; }
now() { date +%s.%N; }

t0=$(now)
t digest --team bench --period 2026-03-27..2026-03-27 --send >"$work/send.out" 2>"$work/send.err" ||
	{ echo "tidings digest --send failed:"; tail -5 "$work/send.err"; exit 1; }
t1=$(now)
spread=$(sqlite3 -readonly "$work/bench.db" "SELECT count(DISTINCT due_at) || ' times from ' || datetime(min(due_at), 'unixepoch') || ' to ' || datetime(max(due_at), 'unixepoch') || ' UTC' FROM outbox WHERE kind = 'digest'")
when=2026-03-31T00:00:00Z t outbox --flush >"$work/flush.out" 2>"$work/flush.err" ||
	{ echo "tidings outbox --flush failed:"; tail -5 "$work/flush.err"; }
t2=$(now)
sent=$(sqlite3 -readonly "$work/bench.db" "SELECT count(*) FROM outbox JOIN outbox_raw ON outbox_id = id WHERE kind = 'digest' AND state = 'sent'")
bytes=$(sqlite3 -readonly "$work/bench.db" "SELECT avg(length(rw.raw) + coalesce(length(b.raw), 0)) FROM outbox o JOIN outbox_raw rw ON rw.outbox_id = o.id LEFT JOIN outbox_bodies b ON b.id = o.body WHERE o.kind = 'digest'" | cut -d. -f1)
t3=$(now)
smtp-source -d -s 1 -m "$n" -l "$bytes" -f bench@example.org -t sub@example.org \
	-M bench.test 127.0.0.1:"$port" >"$work/source.out" 2>&1 ||
	{ echo "smtp-source failed:"; tail -5 "$work/source.out"; }
t4=$(now)

echo
echo "tidings digest sending: $n subscribers in 24 zones, copies of $bytes bytes, to smtp-sink on loopback, $(nproc) cores"
echo "  copies due at 08:00 in each reader's zone: $spread"
awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v sent="$sent" 'BEGIN {
	printf "  %-38s %8.3f s\n", "digest --send (build, queue all copies)", b - a
	printf "  %-38s %8.3f s  %7.0f mails/s  (%s sent)\n", "outbox --flush", c - b, n / (c - b), sent
	printf "  %-38s %8.3f s  %7.0f mails/s\n", "smtp-source, the floor", e - d, n / (e - d)
	printf "  ratio of tidings to smtp-source: %.2f (target >= 0.50)\n", (n / (c - b)) / (n / (e - d))
}'
