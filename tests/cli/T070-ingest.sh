#!/bin/sh
# tidings ingest as a mail delivery agent: exit codes, idempotence,
# quarantine, and what show, search and export read back.
. "$(dirname "$0")/../lib.sh"

db="$TEST_DIR/t.db"
t() { run "$TIDINGS" --db "$db" "$@"; }
ti() { f=$1; shift; "$TIDINGS" --db "$db" "$@" ingest <"$f" >"$TEST_DIR/out" 2>"$TEST_DIR/err"; rc=$?; }

ti "$DATA/mail/plain-reply.eml"
expect_rc 0 "a reply: exit 0"
expect_lines out 0 "the MDA is quiet on success"
t show 1
expect_rc 0 "show: exit 0"
expect_grep out "^message-id: +<CAB\+reply.1@mail.example.org>" "show: the Message-ID"
expect_grep out "^from: +Ana Lima <ana@example.org>" "show: the sender"
expect_grep out "^kind: +reply" "show: a reply"
expect_grep out "^received: .* from mda" "show: where it came from"
t show "<CAB+reply.1@mail.example.org>"
expect_rc 0 "show by Message-ID"

ti "$DATA/mail/plain-reply.eml"
expect_rc 0 "the same mail again: exit 0"
t export
expect_lines out 1 "the same mail is stored once"

t show --raw 1
cmp -s "$TEST_DIR/out" "$DATA/mail/plain-reply.eml"
ok $? "show --raw: the mail exactly as received"

# Same Message-ID, other content: kept, and flagged.
sed 's/Finished/Started/' "$DATA/mail/plain-reply.eml" >"$TEST_DIR/changed.eml"
ti "$TEST_DIR/changed.eml"
expect_rc 0 "same Message-ID, other content: exit 0"
t export
expect_lines out 2 "same Message-ID, other content: kept"
t show 2
expect_grep out "another mail has this Message-ID" "same Message-ID, other content: flagged"

# Not mail at all: kept in quarantine, exit 65.
printf '\n\n\n' >"$TEST_DIR/blank.eml"
ti "$TEST_DIR/blank.eml"
expect_rc 65 "unparseable mail: exit 65"
expect_grep err "quarantined" "unparseable mail: says it was quarantined"
t quarantine
expect_grep out "cannot be parsed" "quarantine lists it with the reason"
qid=$(awk 'NR==2 {print $1}' "$TEST_DIR/out")
t show --raw "$qid"
cmp -s "$TEST_DIR/out" "$TEST_DIR/blank.eml"
ok $? "the quarantined mail is kept byte for byte"

# Odd but readable mail parses, each problem noted, nothing lost.
for f in no-id-no-date date-1970 date-2100 lying-charset nul-byte truncated html-only flowed calendar; do
	ti "$DATA/mail/$f.eml"
	expect_rc 0 "$f: stored"
done
t parse "$DATA/mail/no-id-no-date.eml"
expect_grep out "^message-id: .*\(synthesised\)" "parse: a synthesised Message-ID is shown"
expect_grep out "^date: .*arrival time" "parse: a missing Date is shown"
t parse "$DATA/mail/calendar.eml"
expect_grep out "^part: +text/calendar method=REQUEST" "parse: calendar parts are listed"

t parse --json "$DATA/mail/plain-reply.eml"
expect_rc 0 "parse --json: exit 0"
json_ok "$TEST_DIR/out"
ok $? "parse --json: valid JSON"
expect_grep out '"kind":"reply"' "parse --json: the kind"

t search migration
expect_rc 0 "search: exit 0"
expect_grep out "^1 +thread [0-9]+ " "search: finds the reply by a word of its text"
t search --fts 'sender:ana AND migration'
expect_grep out "^1 " "search: column filters"
t search --json migration
json_ok "$TEST_DIR/out"
ok $? "search --json: valid JSON lines"
t search --fts '"unbalanced'
expect_rc 64 "search: a query FTS5 cannot read is a usage error"
t search nothingmatchesthisword
expect_grep out "no mail matches" "search: says when nothing matches"

t export --format json
json_ok "$TEST_DIR/out"
ok $? "export --format json: JSON Lines"
n=$(wc -l <"$TEST_DIR/out")
t export --format mbox
cp "$TEST_DIR/out" "$TEST_DIR/all.mbox"
run "$TIDINGS" --db "$TEST_DIR/copy.db" import --mbox "$TEST_DIR/all.mbox"
expect_rc 0 "the exported mbox imports"
"$TIDINGS" --db "$TEST_DIR/copy.db" export >"$TEST_DIR/copy.json"
[ "$(wc -l <"$TEST_DIR/copy.json")" -eq "$n" ]
ok $? "export, import: the same number of mails ($n)"
"$TIDINGS" --db "$TEST_DIR/copy.db" show --raw 1 >"$TEST_DIR/copy1.eml"
cmp -s "$TEST_DIR/copy1.eml" "$DATA/mail/plain-reply.eml"
ok $? "export, import: mails byte for byte"

# An exec filter that defers: the MDA exits 75 and the mail system tries
# again; the same mail delivered again, once the filter lets it pass, is
# processed then, not taken for a duplicate.
printf '[tidings]\ndatabase = %s\n[filters]\nexec = exit 75\n' "$TEST_DIR/f.db" >"$TEST_DIR/f.conf"
"$TIDINGS" --config "$TEST_DIR/f.conf" ingest <"$DATA/mail/alternative.eml" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
rc=$?
expect_rc 75 "an exec filter that defers: exit 75"
expect_grep err "deferred" "and says why"
printf '[tidings]\ndatabase = %s\n[filters]\nexec = cat >/dev/null\n' "$TEST_DIR/f.db" >"$TEST_DIR/f.conf"
"$TIDINGS" --config "$TEST_DIR/f.conf" ingest <"$DATA/mail/alternative.eml" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
rc=$?
expect_rc 0 "delivered again once the filter passes: exit 0"
run "$TIDINGS" --config "$TEST_DIR/f.conf" show --json "<alt.1@example.org>"
expect_grep out '"state":"processed"' "the deferred mail is processed on the next delivery"
printf '[tidings]\ndatabase = %s\n[filters]\nexec = echo spam >&2; exit 1\n' "$TEST_DIR/f.db" >"$TEST_DIR/f.conf"
"$TIDINGS" --config "$TEST_DIR/f.conf" ingest <"$DATA/mail/html-only.eml" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
rc=$?
expect_rc 0 "an exec filter that drops: exit 0, the mail is kept"
run "$TIDINGS" --config "$TEST_DIR/f.conf" show --json "<html.1@example.org>"
expect_grep out '"state":"dropped","reason":"dropped by the exec filter: spam"' "dropped, with the program's reason"

t export --since 2999-01-01
expect_lines out 0 "export --since: nothing from the future"
t export --since yesterday
expect_rc 64 "export --since with a bad date: exit 64"
t export
all=$(wc -l <"$TEST_DIR/out")
t export --since 2000-01-01
expect_lines out "$all" "export --since a past date: every mail ($all)"
# Mail received long ago (its arrival time set back) is left out.
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$db" "UPDATE messages SET received_at = 1579089600 WHERE id = 1" # 2020-01-15
	t export --since 2020-02-01
	expect_lines out $((all - 1)) "export --since: mail received before DATE is left out"
	expect_no_grep out '"id":1,' "export --since: the old mail is the one left out"
	t export --since 2020-01-01
	expect_lines out "$all" "export --since: mail received after DATE is in"
else
	skip "export --since leaves out older mail" "sqlite3 is not installed"
fi

# export --team: the mail of the team's members, and of no one else.
t export
grep -c '"from":"ana@example.org"' "$TEST_DIR/out" >"$TEST_DIR/n-ana"
grep -c '"from":"priya@example.org"' "$TEST_DIR/out" >"$TEST_DIR/n-priya"
want=$(($(cat "$TEST_DIR/n-ana") + $(cat "$TEST_DIR/n-priya")))
t team add platform
t member add ana@example.org --team platform
t member add Priya@Example.org --team platform
t team add other
t member add raj@example.net --team other
t export --team platform
expect_rc 0 "export --team: exit 0"
expect_lines out "$want" "export --team: as many mails as its members sent ($want)"
expect_no_grep out '"from":"(raj@example.net|someone@example.org|priya@example.com)"' \
	"export --team: none from anyone else"
json_ok "$TEST_DIR/out"
ok $? "export --team: JSON Lines"
t export --team platform --format mbox
[ "$(grep -c '^From ' "$TEST_DIR/out")" -eq "$want" ]
ok $? "export --team --format mbox: the same mails"
t export --team other --since 2999-01-01
expect_lines out 0 "export --team with --since: both apply"
t export --team nosuch
expect_rc 65 "export --team with an unknown team: exit 65"
expect_grep err "no team 'nosuch'" "and says which team is unknown"

# A full disk: exit 75, the mail left to the MTA, nothing half-written.
# A small tmpfs holds the database; mounting needs root.
full="$TEST_DIR/full"
mkdir -p "$full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=8m tmpfs "$full" 2>/dev/null; then
	tap_at_exit "umount '$full'"
	fdb="$full/t.db"
	"$TIDINGS" --db "$fdb" ingest <"$DATA/mail/plain-reply.eml"
	ok $? "a database on a small file system"
	# A mail bigger than the room the database already has (its WAL).
	{
		echo "From: Ana Lima <ana@example.org>"
		echo "Subject: Re: Check-in"
		echo "Message-ID: <full-1@example.org>"
		echo "Date: Mon, 09 Mar 2026 16:00:00 +0000"
		echo
		i=0
		while [ $i -lt 20000 ]; do
			echo "line $i of a long reply that takes room in the database"
			i=$((i + 1))
		done
	} >"$TEST_DIR/big.eml"
	dd if=/dev/zero of="$full/filler" bs=64k >/dev/null 2>&1
	dd if=/dev/zero of="$full/filler2" bs=4k >/dev/null 2>&1
	"$TIDINGS" --db "$fdb" ingest <"$TEST_DIR/big.eml" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
	rc=$?
	expect_rc 75 "a full disk: exit 75, the MTA keeps the mail"
	expect_grep err "disk is full" "and says the disk is full"
	rm -f "$full/filler" "$full/filler2"
	run "$TIDINGS" --db "$fdb" export
	expect_rc 0 "the database still opens"
	expect_lines out 1 "and holds only the mail stored before"
	run "$TIDINGS" --db "$fdb" show "<full-1@example.org>"
	[ "$rc" -ne 0 ]
	ok $? "nothing of the mail that did not fit"
	if command -v sqlite3 >/dev/null 2>&1; then
		[ "$(sqlite3 "$fdb" 'PRAGMA integrity_check')" = ok ] &&
			[ "$(sqlite3 "$fdb" "SELECT count(*) FROM messages WHERE state = 'new'")" = 0 ]
		ok $? "the database is sound, with no mail half-processed"
	fi
	"$TIDINGS" --db "$fdb" ingest <"$TEST_DIR/big.eml"
	ok $? "with room again, the MTA's retry stores the mail"

	# The disk fills while the mail is written: another reader keeps
	# the WAL open, so the database opens and the write itself fails.
	if command -v sqlite3 >/dev/null 2>&1; then
		sed 's/full-1@/full-2@/' "$TEST_DIR/big.eml" >"$TEST_DIR/big2.eml"
		(echo "SELECT count(*) FROM messages;"
			wait_until 60 test -e "$TEST_DIR/reader-done") |
			sqlite3 "$fdb" >/dev/null &
		reader=$!
		wal_open() { [ -e "$fdb-shm" ]; }
		wait_until 20 wal_open
		dd if=/dev/zero of="$full/filler" bs=64k >/dev/null 2>&1
		dd if=/dev/zero of="$full/filler2" bs=4k >/dev/null 2>&1
		"$TIDINGS" --db "$fdb" ingest <"$TEST_DIR/big2.eml" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
		rc=$?
		expect_rc 75 "the disk full in the middle of the write: exit 75"
		expect_grep err "disk is full" "and says the disk is full"
		rm -f "$full/filler" "$full/filler2"
		touch "$TEST_DIR/reader-done"
		wait "$reader"
		[ "$(sqlite3 "$fdb" 'PRAGMA integrity_check')" = ok ] &&
			[ "$(sqlite3 "$fdb" "SELECT count(*) FROM messages WHERE message_id = 'full-2@example.org'")" = 0 ]
		ok $? "nothing of it is in the database, which is sound"
		"$TIDINGS" --db "$fdb" ingest <"$TEST_DIR/big2.eml"
		ok $? "with room again, the retry stores it"
		run "$TIDINGS" --db "$fdb" show --json "<full-2@example.org>"
		expect_grep out '"state":"processed"' "and processes it"
	else
		skip "the disk full in the middle of the write" "sqlite3 is not installed"
	fi
else
	skip "a full disk: exit 75" "cannot mount a tmpfs here (needs root)"
fi

done_testing
