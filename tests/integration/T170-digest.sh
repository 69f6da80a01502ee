#!/bin/bash
# T170: digests through the harness's real Postfix and Dovecot.  Someone
# who is not a member subscribes by mail and confirms; the team's digest
# reaches their IMAP INBOX on the team's schedule with the List-* headers
# and the team's answers; a reply to it is a comment mailed to the
# answer's author; tidings killed right after sending and started again
# sends no digest twice; after unsubscribing with the List-Unsubscribe
# address, no digest comes.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"

agent_stack standup ana max
agent_config "trusted-authserv-ids = mx.$D"

text_of() { python3 - "$1" <<'EOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
for part in m.walk():
    if part.get_content_type() == 'text/plain':
        print(part.get_payload(decode=True).decode('utf-8', 'replace'))
        break
EOF
}
send() {	# send FROM TO SUBJECT IN-REPLY-TO BODY
	f="$TEST_DIR/send.$RANDOM.eml"
	{
		# The word of the trusted receiving server (mx.$D), which the
		# harness's Postfix does not add.
		printf 'Authentication-Results: mx.%s; dkim=pass header.d=%s\n' "$D" "$D"
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@%s>\n' "$1" "$2" "$3" "$(date +%s%N).$RANDOM" "$D"
		[ -n "$4" ] && printf 'In-Reply-To: %s\n' "$4"
		printf 'Date: %s\n\n%b' "$(date -R)" "$5"
	} >"$f"
	mailstack_send "$(printf '%s' "$1" | sed 's/.*<\(.*\)>.*/\1/')" "$2" "$f"
}

at 2026-03-25T00:00:00Z team add platform --title "Platform" --zone Europe/Berlin
at 2026-03-25T00:00:00Z team set platform --digest-at 09:00 --digest-days mon-fri
expect_rc 0 "a daily digest at 09:00 in the team's zone"
at 2026-03-25T00:00:00Z member add "ana@$D" --team platform --name "Ana Lima" --zone Europe/Berlin
at 2026-03-25T00:00:00Z checkin add platform Daily --at 16:30

# Ana is asked on Friday and answers.
at 2026-03-27T15:30:20Z prompts --due
mailstack_wait_mail ana 1 10
prompt=$(newest ana)
send "Ana Lima <ana@$D>" "$(header "$prompt" Reply-To)" "Re: Daily" "$(header "$prompt" Message-ID)" \
	"> 1. What did you work on?\nThe billing export.\n> 3. Is anything blocking you?\nWaiting for the staging database.\n"
mailstack_wait_mail standup 1 10

# Max, no member, subscribes by mail and confirms.
send "Max <max@$D>" "standup+platform-subscribe@$D" "" "" "\n"
mailstack_wait_mail standup 2 10
at 2026-03-27T17:00:00Z run --once
expect_rc 0 "run --once reads the answer and the request"
mailstack_wait_mail max 1 10
ok $? "Max is asked to confirm"
confirm=$(header "$(newest max)" Reply-To)
[[ $confirm == standup+platform-confirm-*@$D ]]
ok $? "from the confirmation address ($confirm)"
[ "$(sql "SELECT state FROM subscriptions")" = pending ]
ok $? "the subscription waits for the confirmation"
send "Max <max@$D>" "$confirm" "Re: Confirm" "$(header "$(newest max)" Message-ID)" "yes\n"
mailstack_wait_mail standup 3 10
at 2026-03-27T17:05:00Z run --once
[ "$(sql "SELECT state FROM subscriptions")" = active ]
ok $? "confirmed: the subscription is active"
mailstack_wait_mail max 2 10
ok $? "and Max is welcomed"

# Monday 09:00 in Berlin (07:00 UTC, summer time since Sunday).
at 2026-03-30T06:59:00Z prompts --due
[ "$(mails max)" = 2 ]
ok $? "no digest before its time"
at 2026-03-30T07:00:10Z run --once
mailstack_wait_mail max 3 10
ok $? "the digest reaches Max's INBOX at 09:00 in the team's zone"
digest=$(newest max)
header "$digest" List-Id | grep -q "<platform\\.$D>"
ok $? "List-Id"
unsub=$(header "$digest" List-Unsubscribe)
[[ $unsub =~ ^\<mailto:standup\+platform-unsubscribe-[a-z2-7]{16}@example\.test\?subject=unsubscribe\>$ ]]
ok $? "List-Unsubscribe: a mailto with a token ($unsub)"
[ "$(header "$digest" List-Post)" = NO ] && [ "$(header "$digest" Precedence)" = list ] &&
	[ -z "$(header "$digest" List-Archive)" ]
ok $? "List-Post: NO, Precedence: list, no List-Archive without [http] base-url"
text_of "$digest" >"$TEST_DIR/digest.txt"
grep -q "The billing export" "$TEST_DIR/digest.txt" && grep -q "staging database" "$TEST_DIR/digest.txt"
ok $? "the digest holds Ana's answers" || sed 's/^/# /' "$TEST_DIR/digest.txt" | head -30
[ "$(sql "SELECT count(*) FROM digests WHERE period_end = 1774854000")" = 1 ]
ok $? "one digest recorded for the period"

# A reply to the digest that quotes Ana's answer comments on it.
send "Max <max@$D>" "standup@$D" "Re: digest" "$(header "$digest" Message-ID)" \
	"> The billing export.\n\nNice, does it cover refunds?\n"
mailstack_wait_mail standup 4 10
at 2026-03-30T07:10:00Z run --once
[ "$(sql "SELECT count(*) FROM comments WHERE answer_id IS NOT NULL")" = 1 ]
ok $? "a reply quoting Ana's answer is a comment on it"
mailstack_wait_mail ana 2 10 && grep -q "refunds" "$(newest ana)"
ok $? "Ana receives the comment"
notice=$(newest ana)
[ "$(header "$notice" Reply-To)" = "max@$D" ]
ok $? "its Reply-To is Max's address"
send "Ana <ana@$D>" "$(header "$notice" Reply-To)" "Re: comment" "$(header "$notice" Message-ID)" \
	"Yes, refunds too.\n"
mailstack_wait_mail max 4 10 && grep -q "refunds too" "$(newest max)"
ok $? "so that Ana's reply to it reaches Max"

# Killed right after sending; started again: nothing twice.
TIDINGS_NOW=2026-03-31T06:59:58Z "$TIDINGS" --config "$TEST_DIR/tidings.conf" run --foreground \
	>"$TEST_DIR/run.out" 2>"$TEST_DIR/run.err" &
daemon=$!
tap_at_exit "kill -9 $daemon 2>/dev/null"
mailstack_wait_mail max 5 20
ok $? "Tuesday's digest arrives from the daemon" || sed 's/^/# /' "$TEST_DIR/run.err" | tail -20
kill -9 $daemon
wait $daemon 2>/dev/null
at 2026-03-31T07:01:00Z run --once
expect_rc 0 "started again after kill -9"
at 2026-03-31T07:02:00Z run --once
sleep 1
[ "$(mails max)" = 5 ]
ok $? "no digest sent twice ($(mails max) mails for Max)"
[ "$(grep -h "^Message-I[dD]: <digest-" "$MAILSTACK_DIR/mail/max/Maildir/new/"* | sort -u | wc -l)" = 2 ]
ok $? "two periods, two digests"
# A digest's Message-ID names neither its team nor its time: replies to
# it cannot be made up from a guess.
! grep -q "^Message-I[dD]: <digest-platform\|^Message-I[dD]: <digest-.*-[0-9]\{9,\}@" "$MAILSTACK_DIR/mail/max/Maildir/new/"*
ok $? "digest Message-IDs tell neither team nor time"

# Unsubscribe with the List-Unsubscribe address: no digest after that.
addr=${unsub#<mailto:}
addr=${addr%%\?*}
send "Max <max@$D>" "$addr" "unsubscribe" "" "\n"
mailstack_wait_mail standup 5 10
at 2026-03-31T08:00:00Z run --once
[ "$(sql "SELECT state FROM subscriptions")" = unsubscribed ]
ok $? "the List-Unsubscribe address ends the subscription"
mailstack_wait_mail max 6 10
ok $? "Max is told"
at 2026-04-01T07:00:10Z run --once
sleep 1
[ "$(mails max)" = 6 ]
ok $? "no digest after unsubscribing"
[ "$(sql "SELECT count(*) FROM digests WHERE period_end = 1775026800")" = 1 ]
ok $? "though the team's digest of that day was made"

done_testing
