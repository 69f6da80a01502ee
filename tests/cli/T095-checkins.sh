#!/bin/sh
# Check-ins on the command line: adding, showing, editing and removing
# them, each bad value refused with a message naming it; the preview of a
# member's next prompt; prompts and answers listed.
. "$(dirname "$0")/../lib.sh"

cat >"$TEST_DIR/tidings.conf" <<EOF
[tidings]
address = standup@example.org
database = $TEST_DIR/t.db
secret-file = $TEST_DIR/secret
EOF
printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
t() { TIDINGS_NOW=2026-03-25T12:00:00Z run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }

t team add platform --title "Platform"
t member add ana@example.org --team platform --name "Ana Lima" --zone Europe/Berlin
t member add priya@example.org --team platform --zone Asia/Kolkata --days sun-thu

t checkin add platform Daily
expect_rc 0 "checkin add with the defaults"
expect_grep out "added check-in 1 \"Daily\" to team platform" "says what it added"
t checkin show 1
expect_grep out "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=16;BYMINUTE=30" "the default rule: weekdays at 16:30"
expect_grep out "3\. Is anything blocking you\?   \(blockers\)" "the default questions, the third for blockers"
expect_grep out "ana@example.org +Europe/Berlin +Wed 2026-03-25 16:30" "Ana's next prompt, in her time"
expect_grep out "priya@example.org +Asia/Kolkata +Thu 2026-03-26 16:30" "Priya's, in hers (her 16:30 today has passed)"

t checkin add platform Weekly --question "What shipped?" --question "What is stuck?" \
	--blocker 2 --at 09:30 --days mon --reminder 4h --close 2d
expect_rc 0 "checkin add with questions, --at and --days"
t checkin show platform/Weekly
expect_grep out "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=30" "--at and --days make the rule"
expect_grep out "reminder: 4h" "the reminder"
expect_grep out "closes: +2d after the prompt" "the close"
t checkin list
expect_lines out 3 "checkin list: a heading and two check-ins"

t checkin add platform Daily
expect_rc 65 "the same title twice: exit 65"
expect_grep err "already has a check-in called \"Daily\"" "says so"
t checkin add nosuch Daily
expect_rc 65 "an unknown team: exit 65"
expect_grep err "no team nosuch" "names it"
t checkin add platform Hourly --schedule "FREQ=HOURLY"
expect_rc 64 "an hourly rule: exit 64"
expect_grep err "FREQ=HOURLY.*at most daily" "says check-ins repeat at most daily"
t checkin add platform Bad --schedule "FREQ=WEEKLY;BYDAY=XX"
expect_rc 64 "a bad BYDAY: exit 64"
expect_grep err "BYDAY=XX" "names the part at fault"
t checkin add platform Bad --at 25:00
expect_rc 64 "a bad --at: exit 64"
expect_grep err "'25:00' is not a time of day" "names the time"
t checkin add platform Bad --schedule "FREQ=DAILY" --at 09:00
expect_rc 64 "--schedule with --at: exit 64"
t checkin add platform Bad --reminder soon
expect_rc 64 "a bad duration: exit 64"
expect_grep err "--reminder \"soon\" is not a duration" "names it"
t checkin add platform Bad --question "Two
lines"
expect_rc 64 "a question over two lines: exit 64"
t checkin add platform Bad --question "One" --blocker 2
expect_rc 64 "--blocker past the questions: exit 64"
t checkin add platform "a/b"
expect_rc 64 "a title with a slash: exit 64"
t checkin add platform "$(printf 'Daily\r\nBcc: eve@example.org')"
expect_rc 64 "a title over two lines: exit 64"
t checkin show 99
expect_rc 65 "an unknown check-in: exit 65"
t checkin show Daily
expect_rc 64 "a title without its team: exit 64"
expect_grep err "give its number .* or TEAM/TITLE" "says how to name one"

t prompts --preview ana@example.org
expect_rc 0 "prompts --preview"
expect_grep out "^Reply-To: standup\+[a-z2-7]{16}@example.org" "a token reply address"
expect_grep out "^1\. What did you work on\?" "the numbered questions"
! grep -q "^Auto-Submitted:\|^List-Id:\|^Precedence:" "$TEST_DIR/out"
ok $? "a personal question: nothing that silences an out-of-office responder"
expect_grep out "^X-Tidings: " "with tidings' marker"
t prompts --preview nobody@example.org
expect_rc 65 "a preview for a stranger: exit 65"
t prompts --preview ana@example.org
expect_grep out "^ana@example.org is asked 2 check-ins; the next prompt of each follows \(--checkin NAME for one\)" \
	"several check-ins: says so first"
expect_grep out "^=== Daily \(platform, check-in 1\): Wed 25 Mar 2026 16:30 Europe/Berlin ===$" \
	"each prompt under a heading: which check-in, when, in her zone"
expect_grep out "^=== Weekly \(platform, check-in 2\): Mon 30 Mar 2026 09:30 Europe/Berlin ===$" \
	"the other one too"
[ "$(grep -c '^Subject: ' "$TEST_DIR/out")" = 2 ]
ok $? "two prompts"
t prompts --preview ana@example.org --checkin platform/Weekly
expect_rc 0 "prompts --preview --checkin TEAM/TITLE"
[ "$(grep -c '^Subject: ' "$TEST_DIR/out")" = 1 ] && grep -q "^Subject: Weekly" "$TEST_DIR/out"
ok $? "only that check-in's prompt"
expect_no_grep out "^===" "one prompt: the mail alone, no heading"
t prompts --preview ana@example.org --checkin 1
expect_grep out "^Subject: Daily" "--checkin by number"
t prompts --preview ana@example.org --checkin Weekly
expect_grep out "^Subject: Weekly" "--checkin by title alone"
t prompts --preview ana@example.org --checkin Monthly
expect_rc 64 "--checkin naming no check-in of hers: exit 64"
expect_grep err "ana@example.org is asked no check-in \"Monthly\"" "says so"
t prompts --checkin 1
expect_rc 64 "--checkin without --preview: exit 64"

t checkin edit 1 --question "What did you do?" --question "Blocked?" --blocker 2 --pause
expect_rc 0 "checkin edit"
t checkin show 1
expect_grep out "state: +paused" "paused"
expect_grep out "2\. Blocked\?   \(blockers\)" "the new questions"
expect_grep out "ana@example.org .*none" "a paused check-in asks nobody"
t checkin edit 1 --resume --title "Daily check-in"
t checkin show 1
expect_grep out "check-in: 1 Daily check-in" "renamed"
expect_grep out "state: +active" "and active again"

t prompts
expect_grep out "no prompts in that time" "no prompts yet"
t answers --json
expect_rc 0 "answers --json with none"
t prompts --since yesterday
expect_rc 64 "a bad --since: exit 64"

t checkin remove 2
expect_rc 0 "checkin remove"
t checkin list
expect_lines out 2 "one check-in left"

done_testing
