#!/bin/bash
# T222: bounces through the harness's real Postfix.  Every mail tidings
# sends goes with its own envelope sender, standup+bounce-TOKEN@, the
# token binding the mail and its recipient.  Mail to an address Postfix
# cannot deliver comes back as Postfix's own delivery status
# notification to that address, and only such a notice counts; notices
# forged to tidings' plain address or to a made-up bounce address are
# kept and count for nothing.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"

agent_stack standup ana olga
# Accept mail for unknown users of the domain and bounce it after, as a
# real server behind a relay does: the notice comes back by mail.
mailstack_postconf -e "smtpd_reject_unlisted_recipient = no"
mailstack_stop_postfix && mailstack_start_postfix || bail_out "no Postfix"
agent_config

# The mails in standup's Maildir, newest first.
standup_mails() {
	ls -t "$MAILSTACK_DIR/mail/standup/Maildir/new/"* \
	    "$MAILSTACK_DIR/mail/standup/Maildir/cur/"* 2>/dev/null
}
forge() {	# forge TO RCPT: a notice in Postfix's shape, from anyone
	f="$TEST_DIR/forged.$RANDOM.eml"
	cat >"$f" <<EOF
From: MAILER-DAEMON@mail.$D (Mail Delivery System)
To: $1
Subject: Undelivered Mail Returned to Sender
Message-ID: <forged.$RANDOM.$(date +%s%N)@mail.$D>
Date: $(date -R)
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="F"

--F
Content-Type: text/plain

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<$2>: unknown user

--F
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.$D

Final-Recipient: rfc822; $2
Action: failed
Status: 5.1.1
Diagnostic-Code: X-Postfix; unknown user: "${2%@*}"

--F--
EOF
	mailstack_send "eve@$D" "$1" "$f"
}

at 2026-03-30T07:00:00Z team add platform --title "Platform" --zone UTC
at 2026-03-30T07:00:00Z team set platform --digest-at 09:00 --digest-days mon-fri --empty notice
at 2026-03-30T07:00:00Z member add "olga@$D" --team platform --owner
at 2026-03-30T07:00:00Z member add "ana@$D" --team platform
# A subscriber whose mailbox does not exist: the welcome bounces.
at 2026-03-30T07:00:00Z subscriber add "ghost@$D" --team platform --confirmed
expect_rc 0 "a subscriber at an address that does not exist"
at 2026-03-30T08:00:00Z run --once
expect_rc 0 "run --once sends the welcome"
mailstack_wait_mail standup 1 20
ok $? "Postfix's notice of the welcome comes back" || mailstack_logs 20
dsn=$(standup_mails | head -n 1)
to=$(header "$dsn" To)
[[ $to =~ ^standup\+bounce-[a-z2-7]{16}@example\.test$ ]]
ok $? "to the welcome's bounce address ($to)"
grep -q "ghost@$D" "$dsn"
ok $? "naming the dead address"

# Forged notices: to tidings' own address, to a made-up bounce address,
# and to the real bounce address but naming someone else.
forge "standup@$D" "ana@$D"
forge "standup+bounce-abcdefghijklmnop@$D" "ana@$D"
forge "$to" "ana@$D"
mailstack_wait_mail standup 4 20
ok $? "three forged notices arrive"

at 2026-03-30T09:00:10Z run --once
expect_rc 0 "run --once reads the notices and sends the digest"
[ "$(sql "SELECT count(*) FROM messages WHERE kind = 'bounce'")" = 4 ]
ok $? "all four are kept as bounces"
[ "$(sql "SELECT count(*) FROM bounces WHERE recipient = 'ghost@$D'")" = 1 ] &&
	[ "$(sql "SELECT count(*) FROM bounces")" = 1 ]
ok $? "only Postfix's notice counts" || sql "SELECT * FROM bounces" | sed 's/^/# /'
# Scores in tenths, which both SQLite and PostgreSQL print alike.
[ "$(sql "SELECT CAST(bounce_score * 10 AS integer) FROM people WHERE email = 'ana@$D'")" = 0 ]
ok $? "Ana's address is not harmed by the forgeries"
[ "$(sql "SELECT count(*) FROM messages WHERE kind = 'bounce' AND trusted = 0 AND trust_reason LIKE 'a bounce%'")" = 3 ]
ok $? "the forged ones say why they do not count" ||
	sql "SELECT trust_reason FROM messages WHERE kind = 'bounce'" | sed 's/^/# /'

# The digest to the dead address bounces too, and counts once more.
mailstack_wait_mail standup 5 20
ok $? "the digest's notice comes back"
dsn2=$(standup_mails | head -n 1)
to2=$(header "$dsn2" To)
[[ $to2 =~ ^standup\+bounce-[a-z2-7]{16}@example\.test$ ]] && [ "$to2" != "$to" ]
ok $? "to the digest's own bounce address ($to2)"
at 2026-03-30T09:05:00Z run --once
[ "$(sql "SELECT count(*) FROM bounces WHERE recipient = 'ghost@$D'")" = 2 ]
ok $? "the digest's bounce counts"
[ "$(sql "SELECT CAST(s.bounce_score * 10 AS integer) FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'ghost@$D'")" = 20 ]
ok $? "two hard bounces on the subscription"
[ "$(sql "SELECT count(*) FROM outbox_recipients WHERE state = 'sent' AND verp IS NOT NULL")" -ge 2 ]
ok $? "each mail sent keeps the token of its bounce address"

done_testing
