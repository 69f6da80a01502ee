#!/bin/bash
# T076: a mail that crashes tidings stops no other mail.  An exec filter
# kills tidings with SIGSEGV while it processes one mail ("crash me"), as
# a bug in a parser would.  The crash notes name that mail: at its next
# attempt it is quarantined, kept whole, while the mails around it are
# stored and processed: as the MDA, and in an mbox import whose batch the
# crash undid.  A mail killed with SIGKILL is no crash: tried again.

. "$(dirname "$0")/../lib.sh"

command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

db="$TEST_DIR/t.db"
sql() { sqlite3 -readonly "$db" "$1" 2>/dev/null; }
count() { sql "SELECT count(*) FROM messages ${1:-}"; }

# The filter: a mail that asks for it crashes tidings, as a fault would.
filter="$TEST_DIR/crash.sh"
cp "$DATA/filters/crash.sh" "$filter"
chmod +x "$filter"
printf '[tidings]\naddress = standup@example.org\ndatabase = %s\n[filters]\nexec = %s\n' \
	"$db" "$filter" >"$TEST_DIR/t.conf"
mda() { run "$TIDINGS" --config "$TEST_DIR/t.conf" ingest <"$1"; }

# --- the MDA -----------------------------------------------------------------
make_mail "$TEST_DIR/a.eml" "before@example.org" "Re: Check-in"
make_mail "$TEST_DIR/bad.eml" "bad@example.org" "crash me"
make_mail "$TEST_DIR/b.eml" "after@example.org" "Re: Check-in"

mda "$TEST_DIR/a.eml"
expect_rc 0 "an ordinary mail: exit 0"
mda "$TEST_DIR/bad.eml"
[ "$rc" -ne 0 ] && [ "$rc" -ne 75 ]
ok $? "the bad mail crashes tidings (exit $rc)"
[ "$(count "WHERE content_hash = '$(sha256sum <"$TEST_DIR/bad.eml" | cut -c1-64)' AND state = 'new'")" = 1 ]
ok $? "its raw mail was kept before it was processed, and is left new"
[ -s "$db-crashed" ]
ok $? "the crash is noted beside the database"
mda "$TEST_DIR/bad.eml"
expect_rc 0 "delivered again: exit 0, the MTA may forget it"
expect_grep err "tidings crashed processing it \(signal 11" "it says tidings crashed on it"
[ "$(count "WHERE state = 'quarantined'")" = 1 ] &&
	[ "$(count "WHERE message_id = 'bad@example.org' AND state = 'quarantined'")" = 1 ]
ok $? "it is quarantined, under its own Message-ID" ||
	sql "SELECT id, message_id, state, reason FROM messages" | sed 's/^/# /'
[ ! -s "$db-crashed" ]
ok $? "and its note is forgotten"
mda "$TEST_DIR/b.eml"
expect_rc 0 "the next ordinary mail: exit 0"
[ "$(count "WHERE state = 'processed'")" = 2 ] && [ "$(count)" = 3 ]
ok $? "both ordinary mails processed, three rows in all"
run "$TIDINGS" --config "$TEST_DIR/t.conf" quarantine
expect_grep out "tidings crashed processing it" "tidings quarantine shows it and why"

# A mail whose parse crashed, before any Message-ID was read, is kept
# under one made of its hash, and quarantined just the same.
{ printf 'From: ana@example.org\nSubject: crash me\n\nno Message-ID\n'; } >"$TEST_DIR/nomid.eml"
mda "$TEST_DIR/nomid.eml"
[ "$rc" -ne 0 ]
ok $? "a second bad mail crashes it"
mda "$TEST_DIR/nomid.eml"
expect_rc 0 "and is quarantined when delivered again"
[ "$(count "WHERE state = 'quarantined'")" = 2 ] && [ "$(count "WHERE state = 'new'")" = 0 ]
ok $? "two in quarantine, none left new"

# --- an mbox import ---------------------------------------------------------
db="$TEST_DIR/import.db"
printf '[tidings]\ndatabase = %s\n[filters]\nexec = %s\n' "$db" "$filter" \
	>"$TEST_DIR/import.conf"
mbox="$TEST_DIR/mail.mbox"
: >"$mbox"
for i in 1 2 3 4 5 6; do
	subject="Re: Check-in $i"
	[ "$i" = 4 ] && subject="crash me"
	{
		echo "From ana@example.org Mon Mar  9 16:00:00 2026"
		make_mail "$TEST_DIR/m.eml" "mbox-$i@example.org" "$subject"
		cat "$TEST_DIR/m.eml"
		echo
	} >>"$mbox"
done
run "$TIDINGS" --config "$TEST_DIR/import.conf" import --mbox "$mbox"
[ "$rc" -ne 0 ]
ok $? "the import crashes on the fourth mail (exit $rc)"
run "$TIDINGS" --config "$TEST_DIR/import.conf" import --mbox "$mbox"
expect_rc 0 "run again, the import finishes"
expect_grep out "1 quarantined" "its summary counts one quarantined"
[ "$(count "WHERE state = 'processed'")" = 5 ] &&
	[ "$(count "WHERE state = 'quarantined' AND reason LIKE 'tidings crashed%'")" = 1 ]
ok $? "the five around it processed, the bad one quarantined" ||
	sql "SELECT id, message_id, state, reason FROM messages" | sed 's/^/# /'
[ "$(sql 'SELECT count(*) FROM messages_raw')" = 6 ]
ok $? "each kept with its raw mail"

# --- the HTML mail that once crashed every path --------------------------------
# 60,000 nested divisions (300 KB): read within bounds now, processed like
# the ordinary mails around it, as the MDA and in an import.
deep="$TEST_DIR/deep.eml"
{
	printf 'From: x@evil.test\nSubject: hi\nMessage-ID: <deep@evil.test>\n'
	printf 'Content-Type: text/html\n\n'
	awk 'BEGIN { for (i = 0; i < 60000; i++) printf "<div>"; printf "x";
		for (i = 0; i < 60000; i++) printf "</div>"; print "" }'
} >"$deep"
db="$TEST_DIR/deep.db"
run "$TIDINGS" --db "$db" ingest <"$deep"
expect_rc 0 "the deeply nested HTML mail: exit 0"
[ "$(count "WHERE message_id = 'deep@evil.test' AND state = 'processed'")" = 1 ]
ok $? "it is processed"
expect_grep err "nested too deep to parse" "and the bound it met is said"
db="$TEST_DIR/deep-import.db"
mbox="$TEST_DIR/deep.mbox"
{
	for i in 1 2; do
		echo "From ana@example.org Mon Mar  9 16:00:00 2026"
		make_mail "$TEST_DIR/m.eml" "around-$i@example.org" "Re: Check-in $i"
		cat "$TEST_DIR/m.eml"
		echo
		[ "$i" = 1 ] || continue
		echo "From x@evil.test Mon Mar  9 16:00:00 2026"
		cat "$deep"
		echo
	done
} >"$mbox"
run "$TIDINGS" --db "$db" import --mbox "$mbox"
expect_rc 0 "an import with it between two ordinary mails: exit 0"
[ "$(count "WHERE state = 'processed'")" = 3 ]
ok $? "all three processed"

done_testing
