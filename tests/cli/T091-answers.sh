#!/bin/sh
# tidings answers: each question once, with the answer that stands; an
# answer edited by a second reply shows what it said before under it.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
cat >"$TEST_DIR/tidings.conf" <<EOF
[tidings]
address = standup@example.org
database = $TEST_DIR/t.db
secret-file = $TEST_DIR/secret
EOF
t() { run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }
export TIDINGS_NOW=2026-03-26T12:00:00Z
t team add platform
t member add ana@example.org --team platform --zone UTC
t checkin add platform Daily
TIDINGS_NOW=2026-03-26T16:30:10Z t prompts --due
token=$(sqlite3 "$TEST_DIR/t.db" "SELECT token FROM prompts")
[ -n "$token" ] || bail_out "no prompt was asked"

n=0
reply() {	# reply TIME BODY
	n=$((n + 1))
	printf 'From: Ana <ana@example.org>\nTo: standup+%s@example.org\nSubject: Re: Daily\nMessage-ID: <a%d@example.org>\nDate: Thu, 26 Mar 2026 %s +0000\n\n%s\n' \
		"$token" "$n" "$2" "$3" >"$TEST_DIR/reply$n.eml"
	TIDINGS_NOW=2026-03-26T$1Z "$TIDINGS" --config "$TEST_DIR/tidings.conf" ingest <"$TEST_DIR/reply$n.eml"
}
reply 17:00:00 "17:00:00" "1. The export
2. Imports
3. none"
reply 17:30:00 "17:30:00" "The export, finished
and reviewed"

TIDINGS_NOW=2026-03-27T09:00:00Z t answers --since 2026-03-26
expect_rc 0 "answers"
[ "$(grep -c "^  1\. What did you work on?" "$TEST_DIR/out")" = 1 ]
ok $? "an edited question is printed once" || sed 's/^/# /' "$TEST_DIR/out"
expect_grep out "^  1\. What did you work on\?$" "without a mark: its answer stands"
grep -A4 "^  1\. " "$TEST_DIR/out" >"$TEST_DIR/q1"
expect_grep "$TEST_DIR/q1" "^     The export, finished$" "the answer that stands first"
expect_grep "$TEST_DIR/q1" "^     and reviewed$" "all of it"
expect_grep "$TEST_DIR/q1" "^     edited; before: The export$" "then what it said before"
expect_grep out "^  2\. What will you work on next\?$" "the other questions as answered"
expect_grep out "^     Imports$" "their answers"
[ "$(grep -c "^  [0-9]\. " "$TEST_DIR/out")" = 3 ]
ok $? "three questions, three headings"
TIDINGS_NOW=2026-03-27T09:00:00Z t answers --since 2026-03-26 --json
[ "$(grep -c '"superseded":true' "$TEST_DIR/out")" = 1 ]
ok $? "--json keeps every answer, the edited one marked"

done_testing
