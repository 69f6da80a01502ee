#!/bin/bash
# T225: a member whose address is dead, through the harness's real
# Postfix.  The prompt to an address Postfix cannot deliver comes back as
# Postfix's notice to the prompt's bounce address; past [digests]
# bounce-threshold the member is no longer prompted, the team's owner is
# told once, and member show, who and the digest say so; --mail-ok brings
# them back.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"

agent_stack standup olga
# Accept mail for unknown users of the domain and bounce it after.
mailstack_postconf -e "smtpd_reject_unlisted_recipient = no"
mailstack_stop_postfix && mailstack_start_postfix || bail_out "no Postfix"
agent_config
printf '[digests]\nbounce-threshold = 1\n' >>"$TEST_DIR/tidings.conf"

at 2026-03-30T07:00:00Z team add platform --title "Platform" --zone UTC
at 2026-03-30T07:00:00Z team set platform --digest-at 17:00 --digest-days mon-fri --empty notice
at 2026-03-30T07:00:00Z member add "olga@$D" --team platform --owner --name "Olga Berg"
at 2026-03-30T07:00:00Z member add "gone@$D" --team platform --name "Gone Person"
at 2026-03-30T07:00:00Z subscriber add "olga@$D" --team platform --confirmed --at 17:00
at 2026-03-30T07:00:00Z checkin add platform Daily --at 09:00
expect_rc 0 "a team with a member whose mailbox does not exist"

at 2026-03-30T09:00:20Z prompts --due
expect_rc 0 "Monday's prompts go out"
mailstack_wait_mail standup 1 20
ok $? "Postfix's notice of Gone's prompt comes back" || mailstack_logs 20
[[ $(header "$(newest standup)" To) =~ ^standup\+bounce-[a-z2-7]{16}@example\.test$ ]]
ok $? "to the prompt's bounce address"

before=$(mails olga)
at 2026-03-30T09:10:00Z run --once
expect_rc 0 "run --once reads the notice"
[ "$(sql "SELECT count(*) FROM people WHERE email = 'gone@$D' AND mail_dead_at IS NOT NULL")" = 1 ]
ok $? "past the threshold, Gone's address is dead"
mailstack_wait_mail olga $((before + 1)) 20
ok $? "the owner gets a mail"
grep -l "^Subject: Mail to gone@$D bounces (Platform)" "$MAILSTACK_DIR/mail/olga/Maildir/new/"* >/dev/null
ok $? "saying mail to Gone bounces"

at 2026-03-30T10:00:00Z member show "gone@$D"
expect_grep out "^mail: +bounces since 2026-03-30 09:10 \(score 1.00\), not prompted" "member show says so"
at 2026-03-30T10:00:00Z who --team platform
expect_grep out "mail bounces since Mon 30 Mar" "who says so"
at 2026-03-30T10:00:00Z who --team platform --json
expect_grep out '"mail_dead" *: *true' "and who --json"

# Monday's digest to the owner says why Gone was not asked.
before=$(mails olga)
at 2026-03-30T17:00:10Z run --once
expect_rc 0 "the digest goes out"
mailstack_wait_mail olga $((before + 1)) 20
ok $? "the digest reaches the owner"
# Its text part, decoded, with format=flowed's soft breaks joined.
python3 - "$(newest olga)" >"$TEST_DIR/digest.txt" <<'EOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
for part in m.walk():
    if part.get_content_type() == 'text/plain':
        t = part.get_payload(decode=True).decode('utf-8', 'replace')
        print(t.replace(' \n', ' '))
        break
EOF
grep -q "Not asked: mail to Gone Person <gone@$D> bounces since Monday 30 March" "$TEST_DIR/digest.txt"
ok $? "the digest: mail to Gone bounces since Monday" || sed 's/^/# /' "$TEST_DIR/digest.txt" | tail -8

# Tuesday: Gone is not asked, so nothing more bounces; the owner is not
# told again.
told=$(grep -l "^Subject: Mail to gone@$D bounces" "$MAILSTACK_DIR/mail/olga/Maildir/new/"* | wc -l)
at 2026-03-31T09:00:20Z prompts --due
at 2026-03-31T09:05:00Z run --once
sleep 2
[ "$(sql "SELECT count(*) FROM prompts p JOIN people x ON x.id = p.person_id WHERE x.email = 'gone@$D' AND p.state = 'skipped' AND p.skip_reason LIKE 'mail bounces since%'")" = 1 ]
ok $? "Tuesday's prompt to Gone is skipped: mail bounces"
[ "$(mails standup)" = 1 ]
ok $? "no further notice comes back"
[ "$(grep -l "^Subject: Mail to gone@$D bounces" "$MAILSTACK_DIR/mail/olga/Maildir/new/"* | wc -l)" = "$told" ]
ok $? "the owner is told once"

at 2026-03-31T10:00:00Z member set "gone@$D" --mail-ok
expect_rc 0 "member set --mail-ok"
[ "$(sql "SELECT count(*) FROM people WHERE email = 'gone@$D' AND mail_dead_at IS NULL AND bounce_score = 0")" = 1 ]
ok $? "brings Gone's address back"

done_testing
