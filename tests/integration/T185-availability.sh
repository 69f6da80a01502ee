#!/bin/bash
# T180: members of a team in three zones state their availability by mail,
# through the harness's real Postfix into real Dovecot: Ana writes hours
# and an absence to standup+availability@, Bob attaches his calendar's
# working hours as .ics; each gets what tidings now holds in their INBOX,
# and a line that cannot be read is answered with why and changes
# nothing.  Priya's out-of-office auto-reply says when she is back: she is
# not answered, and not asked until then.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"

agent_stack standup ana bob priya
agent_config "trusted-authserv-ids = mx.$D"
# The word of the trusted receiving server (mx.$D), which the harness's
# Postfix does not add: what changes a member's availability needs it (or
# their reply address).
AUTH="Authentication-Results: mx.$D; dkim=pass header.d=$D"

# body FILE: the decoded text of a mail, flowed lines joined.
body() { python3 - "$1" <<'EOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
for part in m.walk():
    if part.get_content_type() == 'text/plain':
        print(part.get_payload(decode=True).decode('utf-8').replace(' \n', ' '))
EOF
}
# mail FROM TO FILE [HEADERS] BODY: a plain mail, authenticated unless
# FORGED is set.
mail() {
	{
		[ -n "${FORGED:-}" ] || printf '%s\n' "$AUTH"
		printf 'From: %s\nTo: %s\nSubject: availability\nMessage-ID: <%s>\n' "$1" "$2" "$(date +%s%N).$RANDOM@$D"
		printf 'Date: %s\n%b\n' "$(date -R)" "$4"
		printf '%b' "$5"
	} >"$3"
}

T0=2026-03-30T09:00:00Z	# Monday, 11:00 in Berlin
at $T0 team add platform --title "Platform" --zone Europe/Berlin
at $T0 member add "ana@$D" --team platform --name "Ana Lima" --zone Europe/Berlin
at $T0 member add "bob@$D" --team platform --name "Bob Stone" --zone America/New_York
at $T0 member add "priya@$D" --team platform --name "Priya Nair" --zone Asia/Kolkata
at $T0 checkin add platform Daily --at 16:30
expect_rc 0 "a team in three zones, asked at 16:30 local"

# --- commands by mail ----------------------------------------------------------
mail "Ana Lima <ana@$D>" "standup+availability@$D" "$TEST_DIR/ana.eml" "" \
	"hours 08:00-16:00\nooo 2026-04-06..2026-04-10\ndeep work mon-fri 09:00-11:00\n\n-- \nAna\n"
mailstack_send "ana@$D" "standup+availability@$D" "$TEST_DIR/ana.eml"
expect_rc 0 "Ana's commands are accepted by Postfix"

# Bob's calendar: his working hours, RFC 7953, as an attachment.
{
	printf '%s\nFrom: Bob Stone <bob@%s>\nTo: standup+availability@%s\n' "$AUTH" "$D" "$D"
	printf 'Subject: my hours\nMessage-ID: <bob-ics.%s@%s>\nDate: %s\n' "$RANDOM" "$D" "$(date -R)"
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n'
	printf -- '--XX\nContent-Type: text/plain\n\nMy calendar is attached.\n'
	printf -- '--XX\nContent-Type: text/calendar; charset=utf-8; method=PUBLISH\n'
	printf 'Content-Disposition: attachment; filename=hours.ics\n\n'
	cat "$TOP_SRCDIR/tests/data/ics/vavailability-split.ics" | sed 's/America\/New_York/America\/Chicago/'
	printf -- '--XX--\n'
} >"$TEST_DIR/bob.eml"
# "My calendar is attached." is prose, not a command: the calendar is
# taken and the sentence left aside, named in the answer.  Then again
# with the calendar alone, which replaces what the first stored.
mailstack_send "bob@$D" "standup+availability@$D" "$TEST_DIR/bob.eml"
sed 's/^My calendar is attached\.$//' "$TEST_DIR/bob.eml" >"$TEST_DIR/bob2.eml"
sed -i "s/^Message-ID: <bob-ics\./Message-ID: <bob-ics2./" "$TEST_DIR/bob2.eml"
mailstack_send "bob@$D" "standup+availability@$D" "$TEST_DIR/bob2.eml"

# A date that does not exist.
mail "Ana Lima <ana@$D>" "standup+availability@$D" "$TEST_DIR/bad.eml" "" \
	"hours 10:00-18:00\nooo 2026-02-30\n"
mailstack_send "ana@$D" "standup+availability@$D" "$TEST_DIR/bad.eml"
mailstack_wait_mail standup 4 10
ok $? "four mails to standup+availability@ are in tidings' mailbox"

at 2026-03-30T09:05:00Z run --once
expect_rc 0 "tidings run --once reads and answers them"
[ "$(sql "SELECT work_start || '-' || work_end FROM people WHERE email = 'ana@$D'")" = "480-960" ]
ok $? "Ana's hours are 08:00-16:00"
[ "$(sql "SELECT $(sql_time starts_at) || ' ' || $(sql_time ends_at) FROM availability WHERE kind = 'away' AND source = 'mail'")" = "2026-04-05 22:00:00 2026-04-10 22:00:00" ]
ok $? "her absence runs from 6 April to the end of 10 April, Berlin time"
mailstack_wait_mail ana 2 10
ok $? "Ana gets two answers"
first=$(ls -tr "$MAILSTACK_DIR/mail/ana/Maildir/new/"* | head -n 1)
body "$first" >"$TEST_DIR/ana-answer"
grep -q "^- hours: 08:00-16:00" "$TEST_DIR/ana-answer" &&
	grep -q "out of office: Mon 6 Apr 2026 to Fri 10 Apr 2026" "$TEST_DIR/ana-answer" &&
	grep -q "deep work: mon-fri 09:00-11:00" "$TEST_DIR/ana-answer"
ok $? "the first says what was done and what tidings holds" || sed 's/^/# /' "$TEST_DIR/ana-answer"
grep -q "^Subject: Your availability" "$first"
ok $? "subject: Your availability"
body "$(newest ana)" >"$TEST_DIR/ana-bad"
grep -q 'line 2: "ooo 2026-02-30"' "$TEST_DIR/ana-bad" && grep -q "Nothing was changed" "$TEST_DIR/ana-bad"
ok $? "the second names the line it could not read" || sed 's/^/# /' "$TEST_DIR/ana-bad"
[ "$(sql "SELECT work_start FROM people WHERE email = 'ana@$D'")" = 480 ]
ok $? "and her hours stay 08:00-16:00"

mailstack_wait_mail bob 2 10
ok $? "Bob gets two answers"
[ "$(sql "SELECT count(*) FROM availability a JOIN people e ON e.id = a.person_id WHERE e.email = 'bob@$D' AND a.kind = 'working' AND a.source = 'ics' AND a.zone = 'America/Chicago'")" = 2 ]
ok $? "his calendar's two working patterns are stored, in Chicago time"
grep -l '^- "My calendar is attached\."' "$MAILSTACK_DIR/mail/bob/Maildir/new/"* >/dev/null &&
	! grep -l 'Nothing was changed' "$MAILSTACK_DIR/mail/bob/Maildir/new/"* >/dev/null
ok $? "and the sentence beside the calendar was left aside, saying so"

at 2026-03-30T08:00:00Z who --team platform
expect_grep out "Ana Lima .*Mon 10:00 *deep work" "who at 10:00 in Berlin: Ana is in deep work"
at 2026-03-30T09:00:00Z who --team platform
expect_grep out "Ana Lima .*Mon 11:00 *working" "who at 11:00: Ana works, her deep work over"
expect_grep out "Bob Stone .*Mon 05:00 *off .*Mon 30 Mar 09:00" "who: Bob is off, working at 09:00"
expect_grep out "Priya Nair .*Mon 14:30 *working" "who: Priya works, 14:30 in Kolkata"

# --- forged ---------------------------------------------------------------------
# Anyone can write Priya's or Bob's address in From: without the trusted
# server's word, availability by mail and "back on" auto-replies change
# nothing, and the forger is not answered.
FORGED=1 mail "Priya Nair <priya@$D>" "standup+availability@$D" "$TEST_DIR/forged.eml" "" \
	"zone Pacific/Auckland\nooo 2026-03-31..2026-04-30\n"
mailstack_send "priya@$D" "standup+availability@$D" "$TEST_DIR/forged.eml"
FORGED=1 mail "Bob Stone <bob@$D>" "standup@$D" "$TEST_DIR/forged-ooo.eml" \
	"Auto-Submitted: auto-replied\nX-Autoreply: yes\n" \
	"I am out of the office and back on Thursday 9 April.\n"
sed -i 's/^Subject: availability/Subject: Out of Office: Daily/' "$TEST_DIR/forged-ooo.eml"
mailstack_send "bob@$D" "standup@$D" "$TEST_DIR/forged-ooo.eml"
mailstack_wait_mail standup 6 10
before=$(mails priya)
at 2026-03-30T09:07:00Z run --once
[ "$(sql "SELECT zone FROM people WHERE email = 'priya@$D'")" = Asia/Kolkata ]
ok $? "a forged availability mail does not change Priya's zone"
[ "$(sql "SELECT count(*) FROM availability a JOIN people e ON e.id = a.person_id WHERE a.kind = 'away' AND e.email IN ('priya@$D', 'bob@$D')")" = 0 ]
ok $? "nor marks Priya or Bob away"
sleep 2
[ "$(mails priya)" = "$before" ]
ok $? "and is not answered"

# --- an out-of-office auto-reply ------------------------------------------------
mail "Priya Nair <priya@$D>" "standup@$D" "$TEST_DIR/ooo.eml" \
	"Auto-Submitted: auto-replied\nX-Autoreply: yes\n" \
	"Thank you for your mail. I am out of the office and back on Thursday 2 April.\n"
sed -i 's/^Subject: availability/Subject: Out of Office: Daily/' "$TEST_DIR/ooo.eml"
mailstack_send "priya@$D" "standup@$D" "$TEST_DIR/ooo.eml"
mailstack_wait_mail standup 7 10
before=$(mails priya)
at 2026-03-30T09:10:00Z run --once
[ "$(sql "SELECT $(sql_time ends_at) FROM availability WHERE source = 'autoreply'")" = "2026-04-01 18:30:00" ]
ok $? "Priya is away until Thursday 2 April, in Kolkata"
sleep 2
[ "$(mails priya)" = "$before" ]
ok $? "her auto-reply is not answered"
at 2026-03-31T11:00:20Z prompts --due
expect_grep out "^0 asked, 1 skipped" "Tuesday 16:30 in Kolkata: Priya is not asked"
at 2026-03-31T11:01:00Z prompts --since 2026-03-31
expect_grep out "priya@$D .*skipped +away" "with the reason: away"
at 2026-04-02T11:00:20Z prompts --due
expect_grep out "^1 asked" "Thursday, back: Priya is asked again"

done_testing
