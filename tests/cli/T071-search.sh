#!/bin/sh
# tidings search finds the words as typed, punctuation and all (a ticket
# number such as OPS-881, a word with a quote or a colon); FTS5 syntax
# only with --fts, and what FTS5 cannot read is said in words.
. "$(dirname "$0")/../lib.sh"

db="$TEST_DIR/t.db"
t() { run "$TIDINGS" --db "$db" "$@"; }
i=0
mail() {	# mail SUBJECT BODY
	i=$((i + 1))
	printf 'From: Ana <ana@example.org>\nTo: standup@example.org\nSubject: %s\nMessage-ID: <m%d@example.org>\nDate: Mon, 09 Mar 2026 1%d:00:00 +0000\n\n%s\n' \
		"$1" "$i" "$i" "$2" | "$TIDINGS" --db "$db" ingest
}
mail "Re: Daily" "Fixed OPS-881 and reviewed OPS-882."
mail "Re: Daily" "Waiting on the vendor's answer; deploy: Friday."
mail "Re: Weekly" "Nothing on OPS this week, 881 tests green."

t search OPS-881
expect_rc 0 "search OPS-881: exit 0"
expect_grep out "^1 " "finds the mail with OPS-881"
expect_no_grep out "^3 " "and not the one with OPS and 881 apart"
t search "vendor's" deploy:
expect_rc 0 "a word with a quote, a word with a colon"
expect_grep out "^2 " "found as typed"
t search 'say "hi'
expect_rc 0 "an unbalanced double quote is a character like another"
expect_grep out "no mail matches" "and matches nothing here"
t search OPS Weekly
expect_grep out "^3 " "every word must match, in any field"
expect_lines out 2 "one mail, with its snippet"
t search "   "
expect_rc 64 "no word at all: exit 64"
expect_grep err "nothing to search for" "says so"

t search --fts 'OPS OR vendor'
expect_rc 0 "--fts: FTS5 syntax"
expect_grep out "^2 " "OR finds either"
t search --fts 'subject:weekly'
expect_grep out "^3 " "--fts: column filters"
t search --fts OPS-881
expect_rc 64 "--fts OPS-881: exit 64"
expect_grep err "reads \"881\" as the name of a column.*subject, sender and body_text" \
	"says FTS5 took 881 for a column, and names the columns"
expect_grep err "double quotes \(\"OPS-881\"\).*without --fts" "says how to search for it"
expect_no_grep err "no such column" "not SQLite's words"
t search --fts 'OPS AND'
expect_rc 64 "--fts with a dangling AND: exit 64"
expect_grep err "ends too soon" "says the query ends too soon"
t search --fts '"unclosed'
expect_grep err "double quote is not closed" "an unclosed quote, said so"
t search --fts '*ops'
expect_grep err "goes at the end of a word" "a leading *, said so"

done_testing
