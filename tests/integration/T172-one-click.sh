#!/bin/bash
# T172: one-click unsubscribe (RFC 8058) after a digest went through the
# real Postfix and Dovecot: the List-Unsubscribe link and
# List-Unsubscribe-Post of the delivered digest, the POST made to that
# link exactly as a large mail provider makes it, and then: the subscriber
# is gone, is told, gets no more digests, and the owner's view says how.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"
. "$TOP_SRCDIR/tests/http.sh"

reason=$(mailstack_available) || skip_all "$reason"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"

agent_stack standup ana max
agent_config "trusted-authserv-ids = mx.$D"
CONF="$TEST_DIR/tidings.conf"
printf '[http]\nlisten = 127.0.0.1:0\n' >>"$CONF"
http_start || bail_out "tidings serve did not start"
# The public address is this server's, so that the link in the mail is
# the one to follow.
printf 'base-url = %s\n' "$URL" >>"$CONF"

send() {	# send FROM TO SUBJECT IN-REPLY-TO BODY
	f="$TEST_DIR/send.$RANDOM.eml"
	{
		printf 'Authentication-Results: mx.%s; dkim=pass header.d=%s\n' "$D" "$D"
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@%s>\n' "$1" "$2" "$3" "$(date +%s%N).$RANDOM" "$D"
		[ -n "$4" ] && printf 'In-Reply-To: %s\n' "$4"
		printf 'Date: %s\n\n%b' "$(date -R)" "$5"
	} >"$f"
	mailstack_send "$(printf '%s' "$1" | sed 's/.*<\(.*\)>.*/\1/')" "$2" "$f"
}

at 2026-03-25T00:00:00Z team add platform --title "Platform" --zone Europe/Berlin
at 2026-03-25T00:00:00Z team set platform --digest-at 09:00 --digest-days mon-fri
at 2026-03-25T00:00:00Z member add "ana@$D" --team platform --name "Ana Lima" --zone Europe/Berlin
at 2026-03-25T00:00:00Z checkin add platform Daily --at 16:30
at 2026-03-25T00:00:00Z subscriber add "max@$D" --team platform --confirmed
expect_rc 0 "Max follows the team's digests"

at 2026-03-27T15:30:20Z prompts --due
mailstack_wait_mail ana 1 10
prompt=$(newest ana)
send "Ana Lima <ana@$D>" "$(header "$prompt" Reply-To)" "Re: Daily" "$(header "$prompt" Message-ID)" \
	"> 1. What did you work on?\nThe billing export.\n"
mailstack_wait_mail standup 1 10
at 2026-03-27T17:00:00Z run --once
expect_rc 0 "run --once reads Ana's answer"
mailstack_wait_mail max 1 10	# the welcome

at 2026-03-30T07:00:10Z run --once
mailstack_wait_mail max 2 10
ok $? "the digest reaches Max's INBOX"
digest=$(newest max)
unsub=$(header "$digest" List-Unsubscribe)
post=$(header "$digest" List-Unsubscribe-Post)
link=$(printf '%s' "$unsub" | sed -n 's/^<\(http[^>]*\)>, <mailto:[^>]*>$/\1/p')
[[ $link == "${URL}u/"* ]]
ok $? "List-Unsubscribe: the one-click link, then the mailto ($unsub)"
[ "$post" = "List-Unsubscribe=One-Click" ]
ok $? "List-Unsubscribe-Post: List-Unsubscribe=One-Click"

# A link scanner follows the link first: nothing happens.
curl -s -o /dev/null "$link"
[ "$(sql "SELECT state FROM subscriptions")" = active ]
ok $? "a GET of the link changes nothing"

# The provider's POST: form-encoded, that body alone, no cookies.
status=$(curl -s -o "$TEST_DIR/answer" -w '%{http_code}' -X POST \
	-A 'Mozilla/5.0 (compatible; Google-Unsubscribe)' \
	-H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary 'List-Unsubscribe=One-Click' "$link")
[ "$status" = 200 ]
ok $? "the one-click POST answers 200 ($status)"
[ "$(sql "SELECT state FROM subscriptions")" = unsubscribed ]
ok $? "Max's subscription has ended"
at 2026-03-30T07:05:00Z subscriber list --team platform
expect_grep out "max@$D +unsubscribed .*a one-click link \\(RFC 8058\\)" \
	"the owner's view says how it ended"

# The goodbye was queued at the server's time, the real one.
run "$TIDINGS" --config "$CONF" outbox --flush
mailstack_wait_mail max 3 10 && grep -qi "no longer" "$(newest max)"
ok $? "Max is told"

# Ana answers on Monday; Tuesday's digest goes to nobody.
at 2026-03-30T14:30:20Z prompts --due
mailstack_wait_mail ana 2 10
prompt=$(newest ana)
send "Ana Lima <ana@$D>" "$(header "$prompt" Reply-To)" "Re: Daily" "$(header "$prompt" Message-ID)" \
	"> 1. What did you work on?\nRefunds.\n"
mailstack_wait_mail standup 2 10
at 2026-03-30T17:00:00Z run --once
n0=$(sql "SELECT count(*) FROM digests")
at 2026-03-31T07:00:10Z run --once
sleep 1
[ "$(mails max)" = 3 ]
ok $? "no digest comes after the one-click ($(mails max) mails)"
n=$(sql "SELECT count(*) FROM digests")
[ "$n" = $((n0 + 1)) ]
ok $? "though the team's digest of that day was made ($n)"

http_stop
[ "$rc" -eq 0 ]
ok $? "tidings serve stops with status 0"
done_testing
