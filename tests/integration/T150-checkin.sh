#!/bin/bash
# T150: a team in three zones is asked by mail, through the harness's real
# Postfix into real Dovecot mailboxes, at each member's local time (across
# a daylight saving change, never on a non-workday); the members answer by
# mail through Postfix to their reply addresses, tidings reads the answers
# over IMAP and stores them per question.  A stranger's reply is not
# counted, nor is the member's own in reply to the prompt but not to their
# reply address, unless the trusted server's Authentication-Results says
# DKIM passed for their domain; mail commands are carried out and answered
# by mail.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"

agent_stack standup ana bob priya eve
agent_config "trusted-authserv-ids = mx.$MAIL_DOMAIN"

at 2026-03-26T00:00:00Z team add platform --title "Platform" --zone Europe/Berlin
at 2026-03-26T00:00:00Z member add "ana@$D" --team platform --name "Ana Lima" --zone Europe/Berlin
at 2026-03-26T00:00:00Z member add "bob@$D" --team platform --name "Bob Stone" --zone America/New_York --days mon-thu
at 2026-03-26T00:00:00Z member add "priya@$D" --team platform --name "Priya Nair" --zone Asia/Kolkata
# Answers stay open four days: Friday's prompt is answered on Monday.
at 2026-03-26T00:00:00Z checkin add platform Daily --at 16:30 --close 4d
expect_rc 0 "a check-in on weekdays at 16:30, each member's local time"

# --- asked at their own 16:30 ------------------------------------------------
at 2026-03-27T10:59:00Z prompts --due
expect_rc 0 "10:59 UTC: prompts --due"
[ "$(mails priya)$(mails ana)$(mails bob)" = 000 ]
ok $? "nobody is asked before 16:30 local"

at 2026-03-27T11:00:20Z prompts --due
expect_grep out "^1 asked" "11:00 UTC is 16:30 in Kolkata: one asked"
mailstack_wait_mail priya 1 10
ok $? "Priya's prompt is in her IMAP INBOX"
[ "$(mails ana)$(mails bob)" = 00 ]
ok $? "and nobody else's"

at 2026-03-27T15:30:20Z prompts --due
expect_grep out "^1 asked" "15:30 UTC is 16:30 in Berlin (CET): Ana asked"
mailstack_wait_mail ana 1 10
ok $? "Ana's prompt is in her INBOX"

at 2026-03-27T20:30:20Z prompts --due
expect_grep out "^0 asked, 1 skipped" "20:30 UTC is 16:30 in New York, but Bob works Monday to Thursday"
at 2026-03-27T20:31:00Z prompts --due
expect_grep out "^0 asked, 0 skipped" "each occurrence is claimed once"
[ "$(mails priya)$(mails ana)$(mails bob)" = 110 ]
ok $? "one prompt each for Priya and Ana, none for Bob on a Friday"
at 2026-03-27T20:32:00Z prompts --since 2026-03-27
expect_grep out "bob@$D .*skipped +not a workday" "prompts lists Bob's as skipped: not a workday"

at 2026-03-28T15:30:20Z prompts --due
expect_grep out "^0 asked, 0 skipped" "Saturday: nobody is asked"

# Berlin moves to summer time on Sunday 29 March: 16:30 is then 14:30 UTC.
at 2026-03-30T14:30:20Z prompts --due
expect_grep out "^1 asked" "Monday after the change: 16:30 in Berlin is 14:30 UTC"
mailstack_wait_mail ana 2 10
ok $? "Ana's second prompt arrives"
[ "$(mails priya)" = 1 ]
ok $? "Priya's 16:30 of that day, 3.5 hours before, is not sent late (catch-up 2h)"

# --- the prompt as it arrived --------------------------------------------------
first=$(ls -tr "$MAILSTACK_DIR/mail/ana/Maildir/new/"* | head -n 1)
reply_to=$(header "$first" Reply-To)
prompt_id=$(header "$first" Message-ID)
[[ $reply_to =~ ^standup\+[a-z2-7]{16}@example\.test$ ]]
ok $? "Reply-To is the member's token address ($reply_to)"
[ -z "$(header "$first" Auto-Submitted)" ] && [ -z "$(header "$first" List-Id)" ] &&
	[ -z "$(header "$first" Precedence)" ]
ok $? "no Auto-Submitted, List-Id or Precedence: out-of-office responders may answer"
[ -n "$(header "$first" X-Tidings)" ]
ok $? "tidings' own marker"
grep -q "^1\\. What did you work on?" "$first" && grep -q "^3\\. Is anything blocking you?" "$first"
ok $? "the questions are numbered lines"

# --- answers by mail -------------------------------------------------------------
# The harness's Postfix adds no Authentication-Results: the tests write the
# header the trusted receiving server (mx.$D) would put on top.
reply() {	# reply FROM TO FILE IN-REPLY-TO BODY [HEADER]
	{
		[ -n "${6:-}" ] && printf '%s\n' "$6"
		printf 'From: %s\nTo: %s\nSubject: Re: Daily\nMessage-ID: <%s>\n' "$1" "$2" "$(date +%s%N).$RANDOM@$D"
		printf 'In-Reply-To: %s\nDate: %s\n\n' "$4" "$(date -R)"
		printf '%b' "$5"
	} >"$3"
}
reply "Ana Lima <ana@$D>" "$reply_to" "$TEST_DIR/ana.eml" "$prompt_id" \
	"On Fri, Platform wrote:\n> 1. What did you work on?\nThe billing export.\n>\n> 2. What will you work on next?\nInvoices.\n> 3. Is anything blocking you?\nThe staging database is down.\n\n-- \nAna\n"
mailstack_send "ana@$D" "$reply_to" "$TEST_DIR/ana.eml"
expect_rc 0 "Ana's reply is accepted by Postfix for her token address"
mailstack_wait_mail standup 1 10
ok $? "and delivered to tidings' mailbox"
at 2026-03-30T15:00:00Z run --once
expect_rc 0 "tidings run --once reads it over IMAP"
at 2026-03-30T15:00:00Z answers --since 2026-03-27 --json
python3 - "$TEST_DIR/out" >"$TEST_DIR/answers" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    print(a['email'], a['question'], a['counted'], a['superseded'], json.dumps(a['text']))
EOF
grep -q "^ana@$D 1 True False \"The billing export.\"$" "$TEST_DIR/answers" &&
	grep -q "^ana@$D 2 True False \"Invoices.\"$" "$TEST_DIR/answers" &&
	grep -q "^ana@$D 3 True False \"The staging database is down.\"$" "$TEST_DIR/answers"
ok $? "her answers are stored per question" || sed 's/^/# /' "$TEST_DIR/answers"
[ "$(sql "SELECT state FROM prompts p JOIN people e ON e.id = p.person_id WHERE e.email = 'ana@$D' ORDER BY due_at LIMIT 1")" = answered ]
ok $? "the prompt is answered"

# A stranger writes to Ana's reply address.
reply "Eve <eve@$D>" "$reply_to" "$TEST_DIR/eve.eml" "$prompt_id" "1. Nothing\n2. Everything\n3. No\n"
mailstack_send "eve@$D" "$reply_to" "$TEST_DIR/eve.eml"
mailstack_wait_mail standup 2 10
at 2026-03-30T15:05:00Z run --once
at 2026-03-30T15:05:00Z answers --since 2026-03-27
expect_grep out "not counted" "a stranger's reply to Ana's address is stored but not counted"
expect_grep out "sent by eve@$D, but the prompt asked ana@$D" "with the reason"
[ "$(sql "SELECT count(*) FROM answers WHERE counted = 1")" = 3 ]
ok $? "Ana's three answers still stand alone"
mailstack_wait_mail eve 1 10 && grep -q "but the prompt asked" "$(newest eve)"
ok $? "the stranger is told why the reply does not count"

# Ana corrects herself: the latest answer counts, the first is kept.
reply "Ana Lima <ana@$D>" "$reply_to" "$TEST_DIR/ana2.eml" "$prompt_id" "1. The billing export, and its tests\n2. Invoices\n3. Nothing any more\n"
mailstack_send "ana@$D" "$reply_to" "$TEST_DIR/ana2.eml"
mailstack_wait_mail standup 3 10
at 2026-03-30T15:10:00Z run --once
[ "$(sql "SELECT count(*) FROM answers WHERE counted = 1 AND superseded_by IS NULL")" = 3 ] &&
	[ "$(sql "SELECT count(*) FROM answers WHERE superseded_by IS NOT NULL")" = 3 ] &&
	[ "$(sql "SELECT text FROM answers WHERE superseded_by IS NULL AND counted = 1 AND question_id = (SELECT id FROM questions WHERE position = 3)")" = "Nothing any more" ]
ok $? "a second reply is an edit: the latest counts, the first is kept"

# --- trust -----------------------------------------------------------------------
# Ana answers her second prompt in reply to it, but to tidings' plain
# address: In-Reply-To alone is not her.
second=$(newest ana)
second_id=$(header "$second" Message-ID)
second_state() { sql "SELECT state FROM prompts WHERE message_id = '${second_id//[<>]/}'"; }
ana_before=$(mails ana)
reply "Ana Lima <ana@$D>" "standup@$D" "$TEST_DIR/plain.eml" "$second_id" "Reviews.\n"
mailstack_send "ana@$D" "standup@$D" "$TEST_DIR/plain.eml"
mailstack_wait_mail standup 4 10
at 2026-03-30T15:12:00Z run --once
[ "$(second_state)" = sent ]
ok $? "a reply by In-Reply-To only, without the reply address or authentication, does not count"
id=$(sql "SELECT id FROM messages WHERE sender = 'ana@$D' ORDER BY id DESC LIMIT 1")
at 2026-03-30T15:12:00Z show "$id"
expect_grep out "^trust: +untrusted: from the member's address, but not to their reply address and without a trusted Authentication-Results header" \
	"tidings show says why it is not trusted"
mailstack_wait_mail ana $((ana_before + 1)) 10
notice=$(newest ana)
confirm=$(header "$notice" Reply-To)
[[ "$(header "$notice" Subject)" == "Please confirm your answer to Daily"* ]] &&
	[[ $confirm =~ ^standup\+answer-[0-9]+-[a-z2-7]{16}@ ]] && grep -q "Reviews\." "$notice"
ok $? "Ana is asked at her own address to confirm it, with a reply address of its own ($confirm)"
reply "Ana Lima <ana@$D>" "standup@$D" "$TEST_DIR/dkim.eml" "$second_id" "Reviews.\n" \
	"Authentication-Results: mx.$D; dkim=pass (good signature) header.d=$D header.s=mail"
mailstack_send "ana@$D" "standup@$D" "$TEST_DIR/dkim.eml"
mailstack_wait_mail standup 5 10
at 2026-03-30T15:14:00Z run --once
[ "$(second_state)" = answered ]
ok $? "with the trusted server's dkim=pass for her domain, it counts"
id=$(sql "SELECT id FROM messages WHERE sender = 'ana@$D' ORDER BY id DESC LIMIT 1")
at 2026-03-30T15:14:00Z show "$id" --json
expect_grep out '"trusted":true,"trust_reason":"from the member, authenticated by mx\.'"$D"' \(dkim=pass header\.d='"$D"'\)"' \
	"show --json gives the verdict and its reason"
# Her reply to the notice, from her mailbox, counts the answer she sent
# to the team's address (kept as the earlier of the two).
second_counted() { sql "SELECT count(*) FROM answers a JOIN prompts p ON p.id = a.prompt_id WHERE p.message_id = '${second_id//[<>]/}' AND a.counted = 1"; }
[ "$(second_counted)" = 1 ]
ok $? "until she confirms it, only the authenticated answer counts"
reply "Ana Lima <ana@$D>" "$confirm" "$TEST_DIR/confirm.eml" "$(header "$notice" Message-ID)" "Yes, that was me.\n"
mailstack_send "ana@$D" "$confirm" "$TEST_DIR/confirm.eml"
mailstack_wait_mail standup 6 10
at 2026-03-30T15:16:00Z run --once
[ "$(second_counted)" = 2 ]
ok $? "her confirmation from her mailbox makes it count"
mailstack_wait_mail ana $((ana_before + 2)) 10 &&
	[[ "$(header "$(newest ana)" Subject)" == "Counted: your answer to Daily"* ]]
ok $? "and she is told so"

# --- mail commands ---------------------------------------------------------------
priya_prompt=$(newest priya)
reply "Priya Nair <priya@$D>" "$(header "$priya_prompt" Reply-To)" "$TEST_DIR/skip.eml" "$(header "$priya_prompt" Message-ID)" "skip\n\n> 1. What did you work on?\n"
mailstack_send "priya@$D" "$(header "$priya_prompt" Reply-To)" "$TEST_DIR/skip.eml"
reply "Bob Stone <bob@$D>" "standup+pause@$D" "$TEST_DIR/pause.eml" "<none@x>" "pause until 2026-04-06\n" \
	"Authentication-Results: mx.$D; dmarc=pass (p=none) header.from=$D"
mailstack_send "bob@$D" "standup+pause@$D" "$TEST_DIR/pause.eml"
reply "Bob Stone <bob@$D>" "standup+help@$D" "$TEST_DIR/help.eml" "<none@x>" "\n"
mailstack_send "bob@$D" "standup+help@$D" "$TEST_DIR/help.eml"
mailstack_wait_mail standup 9 10
at 2026-03-30T15:20:00Z run --once
expect_rc 0 "the commands are read"
[ "$(sql "SELECT state FROM prompts p JOIN people e ON e.id = p.person_id WHERE e.email = 'priya@$D'")" = skipped ]
ok $? "\"skip\" as the first line of a reply skips that prompt"
mailstack_wait_mail priya 2 10 && mailstack_wait_mail bob 2 10
ok $? "each command is answered by mail"
[ "$(grep -l "Monday 6 April 2026" "$MAILSTACK_DIR/mail/bob/Maildir/new/"* | wc -l)" = 1 ]
ok $? "Bob is told until when he is paused"
[ "$(header "$(newest priya)" Auto-Submitted)" = auto-replied ]
ok $? "replies to commands are Auto-Submitted: auto-replied"
at 2026-03-30T20:30:20Z prompts --due
expect_grep out "^0 asked, 1 skipped" "Monday 16:30 in New York: Bob is paused"
at 2026-03-30T20:31:00Z prompts --since 2026-03-30
expect_grep out "bob@$D .*paused until 2026-04-06" "with the reason"

# --- the daemon asks on time by itself -----------------------------------------
# Tuesday 31 March, three seconds before Ana's 16:30 (14:30 UTC).
TIDINGS_NOW=2026-03-31T14:29:57Z "$TIDINGS" --config "$TEST_DIR/tidings.conf" run --foreground \
	>"$TEST_DIR/run.out" 2>"$TEST_DIR/run.err" &
daemon=$!
tap_at_exit "kill $daemon 2>/dev/null"
before=$(mails ana)
mailstack_wait_mail ana $((before + 1)) 20
ok $? "tidings run asks Ana at her 16:30 on its own" || sed 's/^/# /' "$TEST_DIR/run.err" | tail -20
sleep 2
[ "$(mails ana)" = $((before + 1)) ]
ok $? "and once"
kill -TERM $daemon
wait $daemon
ok $? "SIGTERM: the daemon exits 0"

done_testing
