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
t search 'sender:ana AND migration'
expect_grep out "^1 " "search: column filters"
t search --json migration
json_ok "$TEST_DIR/out"
ok $? "search --json: valid JSON lines"
t search '"unbalanced'
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

done_testing
