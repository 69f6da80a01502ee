#!/bin/bash
# T187: blockers and urgent mail through the harness's real Postfix into
# real Dovecot, on tidings' clock (TIDINGS_NOW).
#
# Urgent: a support team in four zones (Lisbon, New York, Tokyo, and its
# owner in Auckland) and an outside sender.  An urgent mail at a time when
# exactly one member works reaches only her, attachment and all; nobody
# acknowledges it in 15 minutes, so it goes to New York, whose day starts
# next, then to the owner, and the sender is told each time.  Another is
# acknowledged by a reply "On it": the sender is told who took it and
# nobody else is mailed.  On a Saturday nobody works: the owner at once.
# Forged urgent mail and forged acknowledgements change nothing.
#
# Blockers: Ana's answer opens one; the digest shows it and Chen's reply to
# the digest is a comment on it, mailed to Ana; her next prompt asks about
# it; after two workdays the owner is mailed once; a forged "resolved"
# changes nothing, hers closes it, and the next digest shows it resolved.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"

agent_stack standup ana bo chen olga sam
agent_config "trusted-authserv-ids = mx.$D"
AUTH="Authentication-Results: mx.$D; dkim=pass header.d=$D"

# body FILE: the decoded text parts of a mail, flowed lines joined.
body() { python3 - "$1" <<'EOF'
import email, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
for part in m.walk():
    if part.get_content_type() == 'text/plain':
        print(part.get_payload(decode=True).decode('utf-8').replace(' \n', ' '))
EOF
}
# types FILE: the content types of a mail's parts, nested ones included.
types() { python3 - "$1" <<'EOF'
import email, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
for part in m.walk():
    print(part.get_content_type(), part.get_filename() or '')
EOF
}
# reply_to FILE: the address of a mail's Reply-To.
reply_to() { header "$1" Reply-To | sed 's/.*<//; s/>.*//'; }
# send FROM TO SUBJECT HEADERS BODY: a mail through Postfix.
n=0
send() {
	n=$((n + 1))
	{
		printf '%bFrom: %s\nTo: %s\nSubject: %s\n' "$4" "$1" "$2" "$3"
		printf 'Message-ID: <t187-%s.%s@%s>\nDate: %s\n\n%b' "$n" "$RANDOM" "$D" "$(date -R)" "$5"
	} >"$TEST_DIR/mail-$n.eml"
	mailstack_send "${1##*<}" "$2" "$TEST_DIR/mail-$n.eml" >/dev/null
}
# standup_has N: tidings' mailbox has received N mails.
standup_has() { mailstack_wait_mail standup "$1" 20; }
counts() { echo "$(mails ana) $(mails bo) $(mails chen) $(mails olga) $(mails sam)"; }
# escalations: how many blocker escalations Olga has (she is asked the
# check-in too).
escalations() {
	grep -l -E '^Subject: (Still b|B)locked: ' "$MAILSTACK_DIR/mail/olga/Maildir/new/"* \
	    "$MAILSTACK_DIR/mail/olga/Maildir/cur/"* 2>/dev/null | wc -l
}

# --- urgent mail ----------------------------------------------------------------
T0=2026-03-24T11:00:00Z	# Tuesday: 11:00 Lisbon, 07:00 New York, 20:00 Tokyo, 00:00 Auckland
at $T0 team add support --title "Support" --zone Europe/Lisbon
at $T0 member add "ana@$D" --team support --name "Ana Lima" --zone Europe/Lisbon
at $T0 member add "bo@$D" --team support --name "Bo Chen" --zone America/New_York
at $T0 member add "chen@$D" --team support --name "Chen Wei" --zone Asia/Tokyo
at $T0 member add "olga@$D" --team support --owner --name "Olga Berg" --zone Pacific/Auckland
at $T0 team set support --urgent-senders "sam@$D"
expect_rc 0 "a support team in four zones, Sam may send it urgent mail"
at $T0 who --team support
expect_grep out "^An urgent mail now goes to: Ana Lima \(11:00 in Lisbon\)\.$" "who: only Ana works now"

# With an attachment, as an alert would have it.
n=$((n + 1))
{
	printf '%s\nFrom: Sam <sam@%s>\nTo: standup+urgent-support@%s\n' "$AUTH" "$D" "$D"
	printf 'Subject: The shop is down\nMessage-ID: <t187-shop@%s>\nDate: %s\n' "$D" "$(date -R)"
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n'
	printf -- '--XX\nContent-Type: text/plain\n\nCheckout answers 500 since 10:50.\n'
	printf -- '--XX\nContent-Type: text/plain; name=log.txt\n'
	printf 'Content-Disposition: attachment; filename=log.txt\n\nGET /checkout 500\n--XX--\n'
} >"$TEST_DIR/shop.eml"
mailstack_send "sam@$D" "standup+urgent-support@$D" "$TEST_DIR/shop.eml" >/dev/null
standup_has 1
ok $? "the urgent mail is in tidings' mailbox"
at 2026-03-24T11:00:30Z run --once
expect_rc 0 "run --once takes it"
mailstack_wait_mail ana 1 20
ok $? "Ana, the one in working hours, gets it"
sleep 1
[ "$(counts)" = "1 0 0 0 0" ]
ok $? "and nobody else" || diag "ana bo chen olga sam: $(counts)"
copy=$(newest ana)
header "$copy" Subject | grep -q "^\[Urgent\] The shop is down (from sam@$D)"
ok $? "its subject says what and from whom"
body "$copy" >"$TEST_DIR/copy"
grep -q "you are in working hours now: 11:00 in Lisbon" "$TEST_DIR/copy" &&
	grep -q "Checkout answers 500 since 10:50." "$TEST_DIR/copy"
ok $? "it says why she got it, with the text" || sed 's/^/# /' "$TEST_DIR/copy"
types "$copy" | grep -q "^message/rfc822" && types "$copy" | grep -q "log.txt"
ok $? "the original is attached, its attachment with it" || types "$copy" | sed 's/^/# /'

at 2026-03-24T11:15:00Z run --once
sleep 1
[ "$(counts)" = "1 0 0 0 0" ]
ok $? "nothing more before 15 minutes"
# (tidings' clock runs on from TIDINGS_NOW: the mail was taken a little
# after 11:00:30.)
at 2026-03-24T11:16:30Z run --once
mailstack_wait_mail bo 1 20
ok $? "no ack in 15 minutes: Bo, whose day starts next in New York, gets it"
body "$(newest bo)" | grep -q "your working day starts next: Tue 09:00 in New York"
ok $? "saying why"
mailstack_wait_mail sam 1 20
body "$(newest sam)" | grep -q "it went on to those who start work next: Bo Chen"
ok $? "Sam is told it went on, and to whom"
at 2026-03-24T11:33:00Z run --once
mailstack_wait_mail olga 1 20
ok $? "no ack in another 15: the owner gets it"
mailstack_wait_mail sam 2 20
body "$(newest sam)" | grep -q "went to the team's owners: Olga Berg"
ok $? "Sam is told"
sleep 1
[ "$(counts)" = "1 1 0 1 2" ]
ok $? "Chen in Tokyo, off, is never mailed" || diag "ana bo chen olga sam: $(counts)"

# Acknowledged by a reply.
send "Sam <sam@$D>" "standup+urgent-support@$D" "Payments fail" "$AUTH\n" "Card payments fail since 11:55.\n"
standup_has 2
at 2026-03-24T12:00:00Z run --once
mailstack_wait_mail ana 2 20
ok $? "a second urgent mail reaches Ana"
ack=$(reply_to "$(newest ana)")
case "$ack" in standup+*@"$D") ok 0 "its copy has a reply address of its own" ;; *) ok 1 "its copy has a reply address of its own"; diag "Reply-To: $ack" ;; esac
# Forged: Bo's From to Ana's reply address; an auto-reply from Ana.
send "Bo Chen <bo@$D>" "$ack" "Re: [Urgent] Payments fail" "" "ack\n"
send "Ana Lima <ana@$D>" "$ack" "Auto: Re: [Urgent] Payments fail" "Auto-Submitted: auto-replied\n" "ack\n"
standup_has 4
at 2026-03-24T12:02:00Z run --once
[ "$(sql "SELECT state FROM urgents WHERE subject = 'Payments fail'")" = open ]
ok $? "a forged ack and an auto-reply take nothing"
send "Ana Lima <ana@$D>" "$ack" "Re: [Urgent] Payments fail" "" "On it!\n\n> Card payments fail\n"
standup_has 5
at 2026-03-24T12:03:00Z run --once
[ "$(sql "SELECT u.state || ' ' || p.email FROM urgents u JOIN people p ON p.id = u.taken_by WHERE u.subject = 'Payments fail'")" = "taken ana@$D" ]
ok $? "Ana's \"On it!\" takes it"
mailstack_wait_mail sam 3 20
body "$(newest sam)" | grep -q "Ana Lima took your urgent mail"
ok $? "Sam is told Ana took it"
at 2026-03-24T12:40:00Z run --once
sleep 1
[ "$(counts)" = "2 1 0 1 3" ]
ok $? "nobody else is mailed, then or later" || diag "ana bo chen olga sam: $(counts)"

# Saturday: nobody works.
at 2026-03-28T12:00:00Z who --team support
expect_grep out "^Nobody works now: an urgent mail goes to the owners: Olga Berg" "who on Saturday: the owners"
send "Sam <sam@$D>" "standup+urgent-support@$D" "Weekend outage" "$AUTH\n" "All down.\n"
standup_has 6
at 2026-03-28T12:00:30Z run --once
mailstack_wait_mail olga 2 20
ok $? "nobody working: the owner gets it at once"
header "$(newest olga)" Subject | grep -q "Weekend outage"
ok $? "the weekend one"
mailstack_wait_mail sam 4 20
ok $? "and Sam is told"

# Forged urgent mail: Sam's address without the trusted server's word.
before=$(counts)
send "Sam <sam@$D>" "standup+urgent-support@$D" "Forged" "" "Mail everyone.\n"
send "Eve <eve@$D>" "standup+urgent-support@$D" "Stranger" "$AUTH\n" "Mail everyone.\n"
standup_has 8
at 2026-03-28T12:05:00Z run --once
sleep 1
[ "$(counts)" = "$before" ]
ok $? "forged urgent mail and a stranger's reach nobody" || diag "$before -> $(counts)"
[ "$(sql "SELECT count(*) FROM urgents")" = 3 ]
ok $? "and are not urgent mail"
at 2026-03-28T12:06:00Z urgent --team support
expect_grep out "sent +ana@$D +11:00 in Lisbon" "tidings urgent shows each step"

# --- blockers -------------------------------------------------------------------
B0=2026-03-23T09:00:00Z	# Monday
at $B0 team add platform --title "Platform" --zone Europe/Lisbon
at $B0 member add "ana@$D" --team platform --name "Ana Lima" --zone Europe/Lisbon
at $B0 member add "chen@$D" --team platform --name "Chen Wei" --zone Europe/Lisbon
at $B0 member add "olga@$D" --team platform --owner --name "Olga Berg" --zone Europe/Lisbon
at $B0 checkin add platform Daily --at 16:30
at $B0 team set platform --digest-at 09:00 --escalate-after 2d
at $B0 subscriber add "chen@$D" --team platform --confirmed
expect_rc 0 "a team with a daily check-in, digests at 09:00 and escalation after 2 workdays"
base=$(counts)
read -r a0 b0 c0 o0 s0 <<<"$base"

# Monday 16:30 in Lisbon.  (The support team has no check-in.)
at 2026-03-23T16:30:20Z run --once
mailstack_wait_mail ana $((a0 + 1)) 20
prompt=$(newest ana)
send "Ana Lima <ana@$D>" "$(reply_to "$prompt")" "Re: Daily" "" \
	"1. The billing export\n2. Refunds\n3. Waiting for the VPN access from IT\n"
standup_has 9
at 2026-03-23T17:00:00Z run --once
[ "$(sql "SELECT state || ': ' || text FROM blockers")" = "open: Waiting for the VPN access from IT" ]
ok $? "Ana's answer opens a blocker"

# Tuesday's digest, and Chen's reply to it.
at 2026-03-24T09:00:20Z run --once
mailstack_wait_mail chen $((c0 + 1)) 20
digest=$(newest chen)
body "$digest" >"$TEST_DIR/digest1"
grep -q "^Ana Lima, blocked for 1 day, open (Daily):" "$TEST_DIR/digest1"
ok $? "the digest shows the blocker first, with its age and state" || sed 's/^/# /' "$TEST_DIR/digest1" | head -30
send "Chen Wei <chen@$D>" "standup@$D" "Re: Platform digest" "$AUTH\nIn-Reply-To: $(header "$digest" Message-ID)\n" \
	"> Waiting for the VPN access from IT\n\nI can help with that: I know the admin.\n"
standup_has 10
at 2026-03-24T09:10:00Z run --once
mailstack_wait_mail ana $((a0 + 2)) 20
body "$(newest ana)" | grep -q "I can help with that"
ok $? "Chen's reply is a comment on the blocker, mailed to Ana"

# Tuesday's prompt asks about it.
at 2026-03-24T16:30:20Z run --once
mailstack_wait_mail ana $((a0 + 3)) 20
body "$(newest ana)" | grep -q "Still blocked on: Waiting for the VPN access from IT? Reply \"resolved\" or write what changed under question 3."
ok $? "the next prompt asks about it in one line" || body "$(newest ana)" | sed 's/^/# /' | head -20
prompt2=$(newest ana)

# Two workdays after it was opened: the owner, once.
at 2026-03-25T16:59:00Z run --once
sleep 1
[ "$(escalations)" = 0 ]
ok $? "not escalated before two workdays"
at 2026-03-25T17:03:00Z run --once
one_escalation() { [ "$(escalations)" = 1 ]; }
wait_until 20 one_escalation
ok $? "after two workdays the owner is mailed"
body "$(grep -l -E '^Subject: Blocked: Ana Lima' "$MAILSTACK_DIR/mail/olga/Maildir/new/"* | head -n 1)" >"$TEST_DIR/escalation"
grep -q "Waiting for the VPN access from IT" "$TEST_DIR/escalation" && grep -q "Offered help: Chen Wei." "$TEST_DIR/escalation" &&
	grep -q "opened: Waiting for the VPN access" "$TEST_DIR/escalation"
ok $? "with its history and who offered help" || sed 's/^/# /' "$TEST_DIR/escalation"
a1=$(mails ana)
at 2026-03-26T17:05:00Z run --once
sleep 1
[ "$(escalations)" = 1 ]
ok $? "once: not again the next day"
# Thursday's prompt, which she answers.
mailstack_wait_mail ana $((a1 + 1)) 20
prompt3=$(newest ana)

# A forged "resolved", then hers.
send "Ana Lima <ana@$D>" "standup@$D" "Re: Daily" "In-Reply-To: $(header "$prompt2" Message-ID)\n" "resolved\n"
standup_has 11
at 2026-03-26T17:10:00Z run --once
[ "$(sql "SELECT state FROM blockers")" = escalated ]
ok $? "a forged resolved changes nothing"
send "Ana Lima <ana@$D>" "$(reply_to "$prompt3")" "Re: Daily" "" "resolved\n"
standup_has 12
at 2026-03-26T17:15:00Z run --once
[ "$(sql "SELECT state FROM blockers")" = resolved ]
ok $? "her \"resolved\" closes it"
at 2026-03-27T09:00:20Z run --once
mailstack_wait_mail chen $((c0 + 4)) 20
body "$(newest chen)" | grep -q "^Ana Lima, resolved after 3 days (Daily):"
ok $? "the next digest shows it once, as resolved" || body "$(newest chen)" | sed 's/^/# /' | head -30

done_testing
