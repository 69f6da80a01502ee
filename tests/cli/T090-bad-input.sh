#!/bin/sh
# Bad mail through the MDA: each odd mail gives a clear log line, is kept
# byte for byte, and crashes nothing (the suite runs under ASan in CI).
. "$(dirname "$0")/../lib.sh"

db="$TEST_DIR/t.db"
n=0
# mda NAME FILE PATTERN: ingests FILE, expects exit 0, a log line matching
# PATTERN, and the mail stored as received.
mda() {
	"$TIDINGS" --db "$db" ingest <"$2" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
	rc=$?
	expect_rc 0 "$1: stored"
	[ -z "$3" ] || expect_grep err "$3" "$1: a log line says what was odd"
	n=$((n + 1))
	id=$("$TIDINGS" --db "$db" export | tail -n 1 | sed 's/^{"id":\([0-9]*\).*/\1/')
	"$TIDINGS" --db "$db" show --raw "$id" >"$TEST_DIR/raw"
	cmp -s "$TEST_DIR/raw" "$2"
	ok $? "$1: kept byte for byte"
}

mda "no Message-ID" "$DATA/mail/no-id-no-date.eml" "no Message-ID; using <"
mda "a Date in 1970" "$DATA/mail/date-1970.eml" "Date .* is absurd"
mda "a Date in 2100" "$DATA/mail/date-2100.eml" "Date .* is absurd"
mda "a lying charset" "$DATA/mail/lying-charset.eml" "does not fit|not valid"
mda "an unknown charset" "$DATA/mail/unknown-charset.eml" "does not fit its charset x-no-such-charset"
mda "NUL bytes" "$DATA/mail/nul-byte.eml" "NUL bytes removed"
mda "truncated MIME" "$DATA/mail/truncated.eml" "<trunc.1@example.org>: the MIME structure is truncated"

# 60 nested multiparts, and 200.
for levels in 60 200; do
	{
		printf 'From: a@example.org\nSubject: deep %d\nMessage-ID: <deep%d@x>\nMIME-Version: 1.0\n' $levels $levels
		i=0
		while [ $i -lt $levels ]; do
			printf 'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' $i $i
			i=$((i + 1))
		done
		printf 'Content-Type: text/plain\n\ndeep text\n'
		while [ $i -gt 0 ]; do
			i=$((i - 1))
			printf -- '--b%d--\n' $i
		done
	} >"$TEST_DIR/deep$levels.eml"
done
mda "60 nested multiparts" "$TEST_DIR/deep60.eml" "<deep60@x>: MIME parts nested 6[01] levels deep"
mda "200 nested multiparts" "$TEST_DIR/deep200.eml" "<deep200@x>: MIME parts nested deeper than"
"$TIDINGS" parse "$TEST_DIR/deep60.eml" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
expect_grep out "deep text" "60 nested multiparts: the text at the bottom is read"

# A 30 MB mail.
{
	printf 'From: big@example.org\nSubject: big\nMessage-ID: <big@x>\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nSee the attachment.\n--B\n'
	printf 'Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'
	head -c 22000000 /dev/zero | base64 -w 76
	printf -- '--B--\n'
} >"$TEST_DIR/big.eml"
mda "a 30 MB mail" "$TEST_DIR/big.eml" ""

# A full disk is tested in T070; a database that cannot be written is the
# same failure seen from here: the MTA must keep the mail (exit 75, not
# 74, which Postfix bounces).  Its file is read-only and its directory
# writable, as when the MDA runs as another user than the file's owner.
# Root writes read-only files, so as root the MDA runs as nobody, as
# Postfix's pipe(8) runs it as its user=.
cp "$DATA/mail/alternative.eml" "$TEST_DIR/alt.eml"
ro="$TEST_DIR/ro"
mkdir -m 1777 "$ro"
cp "$db" "$ro/t.db"
chmod 444 "$ro/t.db"
as_user=
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	id nobody >/dev/null 2>&1; then
	chmod 711 "$TEST_DIR"
	as_user="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
fi
if [ "$(id -u)" -ne 0 ] || [ -n "$as_user" ]; then
	$as_user "$TIDINGS" --db "$ro/t.db" ingest <"$TEST_DIR/alt.eml" >/dev/null 2>"$TEST_DIR/err"
	rc=$?
	expect_rc 75 "a database that cannot be written: exit 75, the MTA keeps the mail"
	expect_grep err "readonly|read-only" "and says why"
	[ "$("$TIDINGS" --db "$ro/t.db" export | wc -l)" -eq "$n" ]
	ok $? "nothing was stored"
else
	skip "a database that cannot be written" "root writes read-only files, and setpriv is missing"
fi

count=$("$TIDINGS" --db "$db" export | wc -l)
[ "$count" -eq "$n" ]
ok $? "every mail stored once ($count of $n)"

done_testing
